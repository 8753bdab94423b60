"""How report figures read: shares, counts and compact axis labels, written the Vietnamese way."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext

from registry.i18n import N_

#: Compact units for axis ticks and bar ends, largest first: (size, msgid).
_UNITS = (
    (10**9, N_("%(number)s bn")),
    (10**6, N_("%(number)s M")),
    (10**3, N_("%(number)s k")),
)
DASH = "—"


def percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator in %, one decimal, rounded half up as Indicator.share is."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def decimal_text(value: Decimal | int, places: int = 1, keep_zeros: bool = False) -> str:
    """1234.5 → '1.234,5': dots between thousands, a comma before decimals; '1.234' for a whole
    number unless ``keep_zeros`` ('1.234,0', so a column of shares lines up)."""
    value = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):f}".partition(".")
    text = f"{int(whole):,}".replace(",", ".")
    fraction = fraction if keep_zeros else fraction.rstrip("0")
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


def format_count(value: int | None) -> str:
    """A count of people or households: 12345 → '12.345'; None → '—'."""
    return DASH if value is None else decimal_text(value, 0)


def format_change(value: int | None) -> str:
    """A change from the year before, always signed: +12, -3, 0; None → '—'."""
    if value is None:
        return DASH
    return f"+{format_count(value)}" if value > 0 else format_count(value)


def format_share(share: Decimal | None) -> str:
    """A share in %: Decimal('66.7') → '66,7%'; None (nothing to count) → '—'."""
    return DASH if share is None else f"{decimal_text(share, keep_zeros=True)}%"


def share_value(share: Decimal | None) -> str:
    """The machine form of a share for data- attributes: '66.7' ('' when there is none)."""
    return "" if share is None else f"{share:.1f}"


def format_compact(value: int) -> str:
    """An axis tick or bar-end figure: 1_200_000_000 → '1,2 tỷ', 350_000_000 → '350 tr'."""
    for size, message in _UNITS:
        if abs(value) >= size:
            return gettext(message, number=decimal_text(Decimal(value) / size))
    return decimal_text(value, 0)
