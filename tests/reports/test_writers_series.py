"""The series the charts and tables share, the number formats and the axis ticks (no app)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from registry.reports.numbers import decimal_text, format_change, format_share, share_value
from registry.reports.scene import clip, nice_ticks, wrap
from registry.reports.series import (
    commune_totals,
    monthly_totals,
    months,
    period_total,
    poverty_total,
    programmes,
)
from tests.reports import report_factory

START, END = date(2026, 1, 1), date(2026, 4, 1)


def test_monthly_totals_cover_every_month_of_the_period_and_nothing_outside():
    totals = monthly_totals(report_factory.payments(), START, END)
    assert (
        [t.month for t in totals] == months(START, END) == [date(2026, m, 1) for m in (1, 2, 3, 4)]
    )
    january, _, march, _ = totals
    assert january.by_programme == {
        "social_assistance": 2 * 60_001_000,
        "social_pension": 80_000_000,
        "merit": 33_333_333,
    }
    assert january.amount == 120_002_000 + 80_000_000 + 33_333_333
    assert january.cashless_amount == 2 * 45_000_000 + 2 * 40_000_000
    assert january.beneficiaries == 2 * 120 + 2 * 80 + 15
    assert january.cashless_share == Decimal("72.9")
    assert march.amount == 0 and march.cashless_share is None
    assert set(march.by_programme.values()) == {0}


def test_months_run_across_the_new_year():
    assert months(date(2025, 11, 15), date(2026, 2, 1)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]


def test_programmes_come_in_the_order_officers_read_them_unknown_ones_last():
    rows = report_factory.payments()
    assert programmes(reversed(rows)) == ["social_assistance", "social_pension", "merit"]


def test_commune_totals_sum_the_period_and_count_people_of_its_last_month():
    totals = commune_totals(report_factory.payments(), START, END)
    assert [t.commune_code for t in totals] == ["19753", "19789"]  # official order: by code
    phu_xuan, thuan_hoa = totals
    assert phu_xuan.by_programme == {
        "social_assistance": 60_001_000 + 60_002_000 + 60_004_000,
        "social_pension": 120_000_000,
        "merit": 0,  # the December 2025 line lies outside the period
    }
    assert thuan_hoa.by_programme["merit"] == 3 * 33_333_333
    assert phu_xuan.beneficiaries == 120 + 80  # April only
    assert thuan_hoa.beneficiaries == 120 + 80 + 15


def test_the_period_total_is_the_sum_of_its_months_and_of_its_communes():
    payments = report_factory.payments()
    total = period_total(payments, START, END)
    by_month = monthly_totals(payments, START, END)
    by_commune = commune_totals(payments, START, END)
    assert total.amount == sum(t.amount for t in by_month) == sum(t.amount for t in by_commune)
    assert total.cashless_amount == sum(t.cashless_amount for t in by_commune)
    assert total.beneficiaries == sum(t.beneficiaries for t in by_commune)


def test_a_poverty_total_has_no_year_before_when_a_commune_lacks_it():
    rows = report_factory.poverty()
    first = poverty_total(rows, 2025)
    assert (first.poor, first.near_poor) == (65, 100)
    assert first.poor_before is None and first.poor_change is None
    second = poverty_total(rows, 2026)
    assert (second.poor, second.poor_before, second.poor_change) == (59, 65, -6)
    assert (second.near_poor, second.near_poor_before, second.near_poor_change) == (93, 100, -7)
    assert poverty_total(rows, 2024).poor_before is None


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (Decimal("1234.5"), 1, "1.234,5"),
        (Decimal("85.0"), 1, "85"),
        (1_234_567, 0, "1.234.567"),
        (Decimal("-0.25"), 1, "-0,3"),
        (Decimal("1.25"), 1, "1,3"),
    ],
)
def test_decimal_text_puts_dots_between_thousands_and_a_comma_before_decimals(value, places, text):
    assert decimal_text(value, places) == text


def test_shares_keep_their_decimal_and_changes_their_sign():
    assert format_share(Decimal("85.0")) == "85,0%"
    assert format_share(None) == "—"
    assert share_value(Decimal("66.7")) == "66.7" and share_value(Decimal("100.0")) == "100.0"
    assert [format_change(v) for v in (12, 0, -3, None)] == ["+12", "0", "-3", "—"]


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (0, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (100, [0, 20, 40, 60, 80, 100]),
        (233_341_333, [0, 50_000_000, 100_000_000, 150_000_000, 200_000_000, 250_000_000]),
        (1_234_567_890, [0, 500_000_000, 1_000_000_000, 1_500_000_000]),
    ],
)
def test_axis_ticks_are_round_steps_of_one_two_or_five(maximum, ticks):
    assert nice_ticks(maximum) == ticks


def test_long_labels_wrap_at_spaces_and_clip_with_an_ellipsis():
    text = "Người cao tuổi hưởng trợ cấp hưu trí xã hội không có lương hưu"
    lines = wrap(text, 120, 12, lines=2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert clip("Phường Thuận Hóa", 1000, 11) == "Phường Thuận Hóa"
    assert clip("Phường Thuận Hóa", 40, 11) == "Phườn…"  # 40 / (11 × 0.56) = 6 characters
