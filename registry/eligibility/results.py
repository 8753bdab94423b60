"""What the engine answers: amounts per programme and, for each group considered, why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: The programmes, in the order officers read them.
SOCIAL_ASSISTANCE = "social_assistance"
SOCIAL_PENSION = "social_pension"
MERIT = "merit"
PROGRAMMES = (SOCIAL_ASSISTANCE, SOCIAL_PENSION, MERIT)


@dataclass(frozen=True, slots=True)
class Reason:
    """One sentence of an explanation: an English msgid with %(name)s values (translated
    at the edge)."""

    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, translate=lambda s: s) -> str:
        text = translate(self.message)
        return text % self.params if self.params else text


@dataclass(frozen=True, slots=True)
class Consideration:
    """A group (or merit item) the engine looked at for the month.

    ``amount`` is what the group would give; ``paid`` says whether it survived the
    precedence rules (highest only, social pension vs allowance).
    """

    programme: str
    group: str
    label: str
    met: bool
    reasons: tuple[Reason, ...]
    amount: int = 0
    reference: str = ""
    paid: bool = False
    status: str = "verified"


@dataclass(frozen=True, slots=True)
class Result:
    month: date
    amounts: dict[str, int]
    considerations: tuple[Consideration, ...]
    notes: tuple[Reason, ...] = ()

    @property
    def total(self) -> int:
        return sum(self.amounts.values())

    def groups_paid(self) -> list[str]:
        return [c.group for c in self.considerations if c.paid]
