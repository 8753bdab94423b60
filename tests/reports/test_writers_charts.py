"""The SVG charts: every drawn value equals the series the tables print; empty data; same bytes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import pytest
from flask import Flask
from flask_babel import gettext

from registry.reports import charts, labels
from registry.reports.numbers import share_value
from registry.reports.series import commune_totals, monthly_totals, poverty_of_year
from tests.reports import report_factory

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture()
def ctx(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def values(svg: ET.Element) -> dict[tuple[str, str], str]:
    """(data-series, data-label) → data-value of every value mark; no pair twice."""
    marks = [e for e in svg.iter() if "data-value" in e.attrib]
    found = {(e.get("data-series"), e.get("data-label")): e.get("data-value") for e in marks}
    assert len(found) == len(marks)
    return found


def all_charts(report):
    start, end = report.period_start, report.period_end
    return [
        charts.indicator_bars(report.indicators),
        charts.trend_chart(report.payments, start, end),
        charts.cashless_trend(report.payments, start, end),
        charts.commune_comparison(report.poverty),
        charts.commune_amounts(report.payments, start, end),
    ]


def test_trend_bars_carry_each_programme_month_amount_of_monthly_totals(ctx):
    report = report_factory.report()
    svg = parse(charts.trend_chart(report.payments, report.period_start, report.period_end))
    expected = {
        (code, total.month.strftime("%Y-%m")): str(amount)
        for total in monthly_totals(report.payments, report.period_start, report.period_end)
        for code, amount in total.by_programme.items()
        if amount
    }
    assert values(svg) == expected
    assert ("merit", "2026-01") in expected and not any(k[1] == "2026-03" for k in expected)


def test_cashless_points_carry_the_share_with_one_decimal_and_skip_months_without_payments(ctx):
    report = report_factory.report()
    svg = parse(charts.cashless_trend(report.payments, report.period_start, report.period_end))
    assert values(svg) == {
        ("cashless_share", "2026-01"): "72.9",
        ("cashless_share", "2026-02"): "72.9",
        ("cashless_share", "2026-04"): "72.9",
    }
    assert [e.tag for e in svg.iter() if e.get("data-value")] == [f"{SVG}circle"] * 3


def test_indicator_bars_carry_each_share_and_colour_those_where_fewer_is_better(ctx):
    indicators = report_factory.indicators()
    svg = parse(charts.indicator_bars(indicators))
    assert values(svg) == {
        ("share", "children_u36_assisted"): share_value(indicators[0].share),
        ("share", "merit_families_poor"): "2.5",
    }  # the indicator with nothing to count draws no bar
    assert share_value(indicators[0].share) == "66.7"
    lower = [e for e in svg.iter() if "chart-lower" in e.get("class", "").split()]
    assert [e.get("data-label") for e in lower] == ["merit_families_poor"]
    targets = [e for e in svg.iter() if e.get("class") == "chart-target"]
    assert len(targets) == 2  # the third indicator has no target
    assert float(targets[0].get("x")) > float(targets[1].get("x"))  # 100 % and 0 %
    assert targets[0].find(f"{SVG}title").text == gettext(
        "Target: %(target)s", target="Tất cả vào năm 2030"
    )
    texts = [e.text for e in svg.iter(f"{SVG}text")]
    assert "66,7% (2/3)" in texts and gettext(labels.NO_DATA) in texts


def test_bar_widths_are_proportional_to_the_shares(ctx):
    svg = parse(charts.indicator_bars(report_factory.indicators()))
    bars = {e.get("data-label"): float(e.get("width")) for e in svg.iter() if e.get("data-value")}
    track = next(e for e in svg.iter() if e.get("class") == "chart-track")
    assert bars["children_u36_assisted"] == pytest.approx(float(track.get("width")) * 2 / 3, 0.01)
    assert bars["merit_families_poor"] == pytest.approx(float(track.get("width")) / 40, 0.01)


def test_commune_comparison_shows_the_latest_review_with_marks_for_the_year_before(ctx):
    rows = report_factory.poverty()
    assert values(parse(charts.commune_comparison(rows))) == {
        ("poor", "19789"): "32",
        ("poor_before", "19789"): "40",
        ("near_poor", "19789"): "64",
        ("near_poor_before", "19789"): "70",
        ("poor", "19753"): "27",
        ("poor_before", "19753"): "25",
        ("near_poor", "19753"): "29",
        ("near_poor_before", "19753"): "30",
    }
    earlier = values(parse(charts.commune_comparison(rows, year=2025)))
    assert ("poor", "19789") in earlier and ("poor_before", "19789") not in earlier
    assert len(poverty_of_year(rows, 2025)) * 2 + 2 == len(earlier)


def test_commune_amounts_carry_commune_totals_by_programme(ctx):
    report = report_factory.report()
    svg = parse(charts.commune_amounts(report.payments, report.period_start, report.period_end))
    expected = {
        (code, total.commune_code): str(amount)
        for total in commune_totals(report.payments, report.period_start, report.period_end)
        for code, amount in total.by_programme.items()
        if amount
    }
    assert values(svg) == expected


def test_every_value_mark_is_titled_and_every_chart_is_labelled_for_screen_readers(ctx):
    for markup in all_charts(report_factory.report()):
        svg = parse(markup)
        assert svg.get("role") == "img"
        ids = svg.get("aria-labelledby").split()
        assert [svg.find(f"{SVG}title").get("id"), svg.find(f"{SVG}desc").get("id")] == ids
        for mark in (e for e in svg.iter() if "data-value" in e.attrib):
            title = mark.find(f"{SVG}title")
            assert title is not None and title.text
            assert mark.get("data-series") and mark.get("data-label")


def test_titles_print_money_with_dots_and_the_dong_sign(ctx):
    report = report_factory.report()
    svg = parse(charts.trend_chart(report.payments, report.period_start, report.period_end))
    mark = next(e for e in svg.iter() if e.get("data-label") == "2026-01")
    assert mark.find(f"{SVG}title").text.endswith(": 120.002.000 đ")


def test_charts_have_no_script_and_no_inline_style(ctx):
    for markup in all_charts(report_factory.report()):
        svg = parse(markup)
        tags = {e.tag for e in svg.iter()}
        assert f"{SVG}script" not in tags and f"{SVG}style" not in tags
        assert not any("style" in e.attrib for e in svg.iter())
        assert not any(name.startswith("on") for e in svg.iter() for name in e.attrib)


def test_empty_data_draws_a_no_data_chart(ctx):
    for markup in all_charts(report_factory.empty_report()):
        svg = parse(markup)
        assert values(svg) == {}
        assert [e.text for e in svg.iter(f"{SVG}text")] == [gettext(labels.NO_DATA)]


def test_an_indicator_with_nothing_counted_and_months_of_zero_do_not_divide_by_zero(ctx):
    report = report_factory.report()
    zero = [replace(p, amount=0, cashless_amount=0) for p in report.payments]
    assert values(parse(charts.trend_chart(zero, report.period_start, report.period_end))) == {}
    assert values(parse(charts.cashless_trend(zero, report.period_start, report.period_end))) == {}
    only_empty = [report.indicators[2]]
    assert only_empty[0].share is None
    assert values(parse(charts.indicator_bars(only_empty))) == {}


def test_the_same_figures_in_any_order_draw_the_same_bytes(ctx):
    report = report_factory.report()
    shuffled = report_factory.report(
        payments=list(reversed(report.payments)), poverty=list(reversed(report.poverty))
    )
    assert [str(m) for m in all_charts(report)] == [str(m) for m in all_charts(shuffled)]


def test_chart_ids_let_two_charts_share_a_page(ctx):
    svg = parse(charts.indicator_bars(report_factory.indicators(), chart_id="annual-indicators"))
    assert svg.get("aria-labelledby") == "annual-indicators-title annual-indicators-desc"


def test_texts_are_escaped(ctx):
    indicators = report_factory.indicators()
    odd = [replace(indicators[0], title='A < B & "C"')]
    svg = parse(charts.indicator_bars(odd))  # would not parse unescaped
    assert any(e.text == 'A < B & "C"' for e in svg.iter(f"{SVG}text"))
    assert Decimal(values(svg)[("share", "children_u36_assisted")]) == Decimal("66.7")
