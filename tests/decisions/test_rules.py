"""When a benefit starts (Decree 20/2021/NĐ-CP art. 8(1)), as a table."""

from datetime import date

import pytest

from registry.decisions.rules import start_month


@pytest.mark.parametrize(
    ("group", "signed_on", "birth", "certificate", "expected"),
    [
        ("sa.5.5a", date(2026, 3, 18), date(1950, 6, 2), None, date(2026, 3, 1)),
        ("sp.75plus", date(2026, 3, 18), date(1940, 6, 2), None, date(2026, 3, 1)),
        ("sa.5.5c", date(2026, 3, 18), date(1945, 11, 20), None, date(2025, 11, 1)),
        ("sa.5.5b", date(2026, 3, 18), date(1950, 2, 20), None, date(2025, 2, 1)),
        ("sa.5.5c", date(2026, 3, 18), date(1930, 5, 5), None, date(2021, 7, 1)),
        ("sa.5.6", date(2026, 3, 18), date(1980, 1, 1), date(2025, 12, 30), date(2025, 12, 1)),
        ("sa.5.6", date(2026, 3, 18), date(1980, 1, 1), None, date(2026, 3, 1)),
    ],
    ids=[
        "signing month",
        "social pension: signing month",
        "5c: the 80th-birthday month",
        "5b: the 75th-birthday month",
        "5c: not before Decree 20/2021",
        "disability: certificate month",
        "disability without certificate date: signing month",
    ],
)
def test_the_start_month_follows_the_law(group, signed_on, birth, certificate, expected):
    assert (
        start_month(
            group, signed_on=signed_on, birth_date=birth, disability_certified_on=certificate
        )
        == expected
    )
