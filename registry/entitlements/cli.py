"""``flask rules explain`` and ``flask rules evaluate``: one person's month, or a whole month.

Both run as the operator (no scope), read only, and print in the office language
(Vietnamese by default) or, with ``--json``, a document with amounts in integer VND.
The lead's ``rules`` group adds them (registry/eligibility/cli.py).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict
from datetime import date
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext

from registry.auth.actors import Actor
from registry.calendar import office_today
from registry.eligibility.engine import Law, load_law
from registry.eligibility.facts import Facts
from registry.eligibility.months import parse_month
from registry.eligibility.parameters import ParameterError
from registry.eligibility.results import PROGRAMMES, Consideration, Reason, Result
from registry.entitlements.services import (
    PROGRAMME_LABELS,
    STATUS_LABELS,
    ScopeSummary,
    evaluate_scope,
    explain_person,
    local_policy_paths,
)
from registry.errors import NotFoundError, RegistryError
from registry.people.models import Person
from registry.units.models import AdminUnit
from registry.units.services import find_unit
from registry.web.formatting import format_money, format_month


class MonthType(click.ParamType):
    """A month written YYYY-MM, read as its first day."""

    name = "YYYY-MM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, date):
            return value
        try:
            return parse_month(str(value))
        except ValueError:
            self.fail(
                f"{value!r} is not a month written YYYY-MM (for example 2024-08).", param, ctx
            )


MONTH = MonthType()


def configured_law() -> Law:
    """The national law and the local-policy files of REGISTRY_LOCAL_POLICIES."""
    paths = local_policy_paths(current_app.config.get("REGISTRY_LOCAL_POLICIES", ()))
    try:
        return load_law(paths)
    except (ParameterError, OSError) as error:
        raise click.ClickException(f"cannot load the law: {error}") from None


@click.command("explain")
@click.option("--person", "person_id", required=True, help="The person's id (UUID).")
@click.option("--month", required=True, type=MONTH, help="The month paid for, YYYY-MM.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of text.")
@with_appcontext
def explain_command(person_id: str, month: date, as_json: bool) -> None:
    """What the law gives one person for a month, every group considered, and why."""
    law = configured_law()
    try:
        person, facts, result = explain_person(
            person_id, month, actor=Actor.system("rules explain"), law=law
        )
    except NotFoundError:
        raise click.ClickException(
            gettext("No person with id %(id)s.", id=person_id.strip())
        ) from None
    except RegistryError as error:
        raise click.ClickException(error.render(gettext)) from None
    if as_json:
        click.echo(_dumps(explanation_document(person, facts, result)))
    else:
        for line in explanation_lines(person, result):
            click.echo(line)


@click.command("evaluate")
@click.option("--month", required=True, type=MONTH, help="The month paid for, YYYY-MM.")
@click.option("--unit", "unit_code", help="Official code of a unit: only people inside it.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON document instead of text.")
@with_appcontext
def evaluate_command(month: date, unit_code: str | None, as_json: bool) -> None:
    """Evaluate everyone alive in the month: counts and monthly totals per programme and
    group, the number of people evaluated and the time taken. Writes nothing.
    """
    law = configured_law()
    started = time.perf_counter()
    try:
        unit = _unit(unit_code, month) if unit_code else None
        summary = evaluate_scope(month, actor=Actor.system("rules evaluate"), law=law, unit=unit)
    except RegistryError as error:
        raise click.ClickException(error.render(gettext)) from None
    seconds = time.perf_counter() - started
    if as_json:
        click.echo(_dumps(summary_document(summary, seconds)))
    else:
        for line in summary_lines(summary, seconds):
            click.echo(line)


def _unit(code: str, month: date) -> AdminUnit:
    """The unit with this code today, or else the one that had it in the month evaluated."""
    try:
        return find_unit(code, on=office_today())
    except NotFoundError:
        return find_unit(code, on=month)


def _text(reason: Reason) -> str:
    return reason.render(gettext)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def explanation_lines(person: Person, result: Result) -> list[str]:
    """The explanation as officers read it: per programme its amount, then every group."""
    heading = gettext("Eligibility for %(month)s", month=format_month(result.month))
    lines = [
        f"{person.full_name} — {heading}",
        f"{person.id} · {person.commune.name} ({person.commune.code})",
    ]
    for programme in PROGRAMMES:
        lines += [
            "",
            f"{gettext(PROGRAMME_LABELS[programme])}: "
            f"{format_money(result.amounts.get(programme, 0))}",
        ]
        considered = [c for c in result.considerations if c.programme == programme]
        if not considered:
            lines.append("  " + gettext("Nothing to consider."))
        for item in considered:
            lines += _consideration_lines(item)
    if result.notes:
        lines += ["", gettext("Notes:")] + [f"  - {_text(note)}" for note in result.notes]
    lines += ["", gettext("Total per month: %(amount)s", amount=format_money(result.total))]
    return lines


def _consideration_lines(item: Consideration) -> list[str]:
    verdict = gettext("met") if item.met else gettext("not met")
    lines = [f"  [{verdict}] {item.group} {gettext(item.label)}"]
    if item.met:
        paid = gettext("paid") if item.paid else gettext("not paid")
        status = gettext(STATUS_LABELS.get(item.status, item.status))
        lines.append(f"      {format_money(item.amount)} · {paid} · {status}")
    if item.reference:
        lines.append("      " + gettext("Reference: %(reference)s", reference=item.reference))
    lines += [f"      - {_text(reason)}" for reason in item.reasons]
    return lines


def _reason_document(reason: Reason) -> dict[str, Any]:
    return {"message": reason.message, "params": reason.params, "text": _text(reason)}


def explanation_document(person: Person, facts: Facts, result: Result) -> dict[str, Any]:
    """The explanation as JSON: the facts read, amounts in integer VND, every consideration."""
    return {
        "person": {
            "id": str(person.id),
            "full_name": person.full_name,
            "commune": {"code": person.commune.code, "name": person.commune.name},
        },
        "month": result.month.strftime("%Y-%m"),
        "facts": asdict(facts),
        "amounts": {p: result.amounts.get(p, 0) for p in PROGRAMMES},
        "total": result.total,
        "considerations": [
            {
                "programme": item.programme,
                "group": item.group,
                "label": item.label,
                "label_text": gettext(item.label),
                "met": item.met,
                "amount": item.amount,
                "paid": item.paid,
                "reference": item.reference,
                "status": item.status,
                "reasons": [_reason_document(r) for r in item.reasons],
            }
            for item in result.considerations
        ],
        "notes": [_reason_document(note) for note in result.notes],
    }


def _group_order(code: str) -> list[Any]:
    """sa.5.5a before sa.5.10: numbers compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code)]


def summary_lines(summary: ScopeSummary, seconds: float) -> list[str]:
    """The month's counts and totals per programme and paid group, as officers read them."""
    where = (
        f"{summary.unit.name} ({summary.unit.code})"
        if summary.unit
        else gettext("everyone in scope")
    )
    heading = gettext("Eligibility for %(month)s", month=format_month(summary.month))
    lines = [
        heading + " · " + where,
        gettext("People evaluated: %(n)s", n=_number(summary.people_evaluated)),
        gettext("People with an entitlement: %(n)s", n=_number(summary.people_entitled)),
    ]
    for programme, total in summary.programmes.items():
        label = gettext(PROGRAMME_LABELS[programme]) if programme in PROGRAMME_LABELS else programme
        lines += [
            "",
            f"{label}: "
            + gettext(
                "%(people)s people, %(amount)s",
                people=_number(total.people),
                amount=format_money(total.amount),
            ),
        ]
        for code in sorted(total.groups, key=_group_order):
            group = total.groups[code]
            lines.append(
                f"  {code} {gettext(group.label)}: "
                + gettext(
                    "%(people)s people, %(amount)s",
                    people=_number(group.people),
                    amount=format_money(group.amount),
                )
            )
    lines += [
        "",
        gettext("Total per month: %(amount)s", amount=format_money(summary.total)),
        gettext("Time taken: %(seconds)s s", seconds=f"{seconds:.2f}".replace(".", ",")),
    ]
    return lines


def summary_document(summary: ScopeSummary, seconds: float) -> dict[str, Any]:
    """The month's counts and totals as JSON (amounts in integer VND)."""
    return {
        "month": summary.month.strftime("%Y-%m"),
        "unit": ({"code": summary.unit.code, "name": summary.unit.name} if summary.unit else None),
        "people_evaluated": summary.people_evaluated,
        "people_entitled": summary.people_entitled,
        "total": summary.total,
        "programmes": {
            programme: {
                "people": total.people,
                "amount": total.amount,
                "groups": {
                    code: asdict(total.groups[code])
                    for code in sorted(total.groups, key=_group_order)
                },
            }
            for programme, total in summary.programmes.items()
        },
        "seconds": round(seconds, 3),
    }


def _dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, default=_json_value)


def _json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
