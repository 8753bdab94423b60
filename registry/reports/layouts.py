"""Where each chart's marks go: scenes built from the same series the tables print."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date

from flask_babel import gettext

from registry.eligibility.results import PROGRAMMES
from registry.reports import labels
from registry.reports.model import Indicator, MonthlyPaid, PovertyRow
from registry.reports.numbers import format_compact, format_count, format_share, share_value
from registry.reports.scene import (
    GRID,
    INK,
    LOWER,
    MUTED,
    NEAR_POOR,
    POOR,
    SERIES,
    TARGET,
    TRACK,
    Box,
    Datum,
    Dot,
    Label,
    Scene,
    Shape,
    Stroke,
    clip,
    nice_ticks,
    text_width,
    wrap,
)
from registry.reports.series import commune_totals, monthly_totals, poverty_of_year, review_years
from registry.web.formatting import format_money, format_month

WIDTH = 720
#: The monthly charts share their margins so their months stand one above the other.
MONTH_LEFT, MONTH_RIGHT = 70, 20


def programme_slot(code: str, codes: Sequence[str]) -> int:
    """A programme's place in the palette, the same in every chart and every piece of one:
    the known programmes first, in their fixed order, then the others as they come."""
    if code in PROGRAMMES:
        return PROGRAMMES.index(code)
    return len(PROGRAMMES) + [c for c in codes if c not in PROGRAMMES].index(code)


def _programme_series(codes: Sequence[str]) -> list[tuple[str, str, str]]:
    """(name, css, colour) of each programme, for the legend and the bars."""
    slots = [programme_slot(code, codes) for code in codes]
    return [
        (labels.programme_label(code), f"chart-series-{slot + 1}", SERIES[slot % len(SERIES)])
        for code, slot in zip(codes, slots, strict=True)
    ]


def empty_scene(kind: str, title: str, desc: str) -> Scene:
    text = gettext(labels.NO_DATA)
    shapes = (Label(WIDTH / 2, 46, text, "chart-empty", 13, "middle", MUTED),)
    return Scene(kind, WIDTH, 80, title, desc, shapes)


def _legend(entries: Sequence[tuple[str, str, str]], y: float) -> tuple[list[Shape], float]:
    """Swatches and names (text, css, colour) in rows from the left; returns the rows' height."""
    shapes: list[Shape] = []
    x, row_y = 12.0, y
    for text, css, colour in entries:
        advance = 10 + 5 + text_width(text, 11) + 18
        if x > 12 and x + advance > WIDTH - 12:
            x, row_y = 12.0, row_y + 18
        shapes.append(Box(x, row_y - 9, 10, 10, f"chart-swatch {css}", colour))
        shapes.append(Label(x + 15, row_y, text, "chart-legend", 11, "start", INK))
        x += advance
    return shapes, row_y - y + 18


def _value_axis(
    ticks: list[int], x0: float, x1: float, top: float, bottom: float, text
) -> list[Shape]:
    """Vertical grid lines and tick labels under a horizontal-bar plot."""
    shapes: list[Shape] = []
    for tick in ticks:
        x = x0 + (x1 - x0) * tick / ticks[-1]
        shapes.append(Stroke(((x, top), (x, bottom)), "chart-grid", GRID))
        shapes.append(Label(x, bottom + 14, text(tick), "chart-tick", 10, "middle", MUTED))
    return shapes


def indicator_scene(indicators: Sequence[Indicator]) -> Scene:
    """One horizontal bar per indicator on a 0–100 % track, the target marked at 100 % (or 0 %
    where fewer is better)."""
    title = gettext(labels.INDICATOR_SHARES)
    desc = gettext("Share of each indicator in per cent, with its numerator and denominator.")
    if not indicators:
        return empty_scene("indicators", title, desc)
    x0, x1 = 12.0, WIDTH - 170.0
    back: list[Shape] = []
    front: list[Shape] = []
    y = 8.0
    for item in indicators:
        name = gettext(item.title)
        for line in wrap(name, WIDTH - 24, 12):
            y += 15
            front.append(Label(x0, y, line, "chart-label", 12))
        y += 6
        back.append(Box(x0, y, x1 - x0, 16, "chart-track", TRACK))
        share = item.share
        counts = f"({format_count(item.numerator)}/{format_count(item.denominator)})"
        if share is None:
            text = gettext(labels.NO_DATA)
            front.append(Label(x0 + 6, y + 12, text, "chart-empty", 11, "start", MUTED))
        else:
            width = (x1 - x0) * min(max(float(share), 0.0), 100.0) / 100
            datum = Datum("share", item.code, share_value(share), f"{name}: {format_share(share)}")
            if item.lower_is_better:
                front.append(Box(x0, y, width, 16, "chart-bar chart-lower", LOWER, datum))
            else:
                front.append(Box(x0, y, width, 16, "chart-bar", SERIES[0], datum))
            front.append(Label(x1 + 8, y + 12, f"{format_share(share)} {counts}", "chart-value"))
        if item.target:
            hint = gettext("Target: %(target)s", target=gettext(item.target))
            at = x0 if item.lower_is_better else x1
            front.append(Box(at - 1.5, y - 4, 3, 24, "chart-target", TARGET, hint=hint))
        y += 16 + 10
    grid = _value_axis(nice_ticks(100), x0, x1, 8, y, lambda t: f"{t}%")
    return Scene("indicators", WIDTH, y + 24, title, desc, tuple(back + grid + front))


def _month_axis(months: list[date], x0: float, band: float, y: float) -> list[Shape]:
    every = max(1, math.ceil(len(months) / 12))  # at most 12 month labels fit under the bars
    return [
        Label(x0 + band * (i + 0.5), y, format_month(m), "chart-label", 10, "middle")
        for i, m in enumerate(months)
        if i % every == 0
    ]


def trend_scene(payments: Iterable[MonthlyPaid], start: date, end: date) -> Scene:
    """Amount paid per month, stacked by programme, with each month's total above its bar."""
    totals = monthly_totals(payments, start, end)
    title = gettext("Amount paid per month")
    desc = gettext(
        "Amount paid per month by programme, %(start)s to %(end)s.",
        start=format_month(start),
        end=format_month(end),
    )
    if not any(t.amount > 0 for t in totals):
        return empty_scene("trend", title, desc)
    codes = list(totals[0].by_programme)
    entries = _programme_series(codes)
    legend, legend_height = _legend(entries, 16)
    x0, x1 = MONTH_LEFT, WIDTH - MONTH_RIGHT
    top, bottom = 16 + legend_height + 8, 16 + legend_height + 8 + 230
    ticks = nice_ticks(max(t.amount for t in totals))
    scale = (bottom - top) / ticks[-1]
    shapes: list[Shape] = list(legend)
    for tick in ticks:
        y = bottom - tick * scale
        shapes.append(Stroke(((x0, y), (x1, y)), "chart-grid", GRID))
        shapes.append(Label(x0 - 6, y + 4, format_compact(tick), "chart-tick", 10, "end", MUTED))
    band = (x1 - x0) / len(totals)
    bar = min(band * 0.64, 48)
    for i, total in enumerate(totals):
        centre, base = x0 + band * (i + 0.5), bottom
        key, month = total.month.strftime("%Y-%m"), format_month(total.month)
        for code, (name, css, colour) in zip(codes, entries, strict=True):
            amount = total.by_programme[code]
            if amount <= 0:  # a month of corrections only cannot be stacked; the table shows it
                continue
            datum = Datum(code, key, str(amount), f"{name}, {month}: {format_money(amount)}")
            height = amount * scale
            shapes.append(
                Box(centre - bar / 2, base - height, bar, height, f"chart-bar {css}", colour, datum)
            )
            base -= height
        if total.amount > 0 and band >= 40:
            text = format_compact(total.amount)
            shapes.append(Label(centre, base - 4, text, "chart-value", 9, "middle", MUTED))
    shapes.append(Stroke(((x0, bottom), (x1, bottom)), "chart-axis", MUTED))
    shapes += _month_axis([t.month for t in totals], x0, band, bottom + 16)
    return Scene("trend", WIDTH, bottom + 26, title, desc, tuple(shapes))


def cashless_scene(payments: Iterable[MonthlyPaid], start: date, end: date) -> Scene:
    """The cashless share of each month's amount, 0–100 %, as a line with labelled points."""
    totals = monthly_totals(payments, start, end)
    title = gettext("Cashless share per month")
    desc = gettext(
        "Share of the amount paid by bank transfer or e-wallet, %(start)s to %(end)s.",
        start=format_month(start),
        end=format_month(end),
    )
    if not any(t.amount > 0 for t in totals):
        return empty_scene("cashless", title, desc)
    x0, x1, top, bottom = MONTH_LEFT, WIDTH - MONTH_RIGHT, 20.0, 170.0
    shapes: list[Shape] = []
    for tick in nice_ticks(100):
        y = bottom - (bottom - top) * tick / 100
        shapes.append(Stroke(((x0, y), (x1, y)), "chart-grid", GRID))
        shapes.append(Label(x0 - 6, y + 4, f"{tick}%", "chart-tick", 10, "end", MUTED))
    band = (x1 - x0) / len(totals)
    name = gettext(labels.CASHLESS_SHARE)
    runs: list[list[tuple[float, float]]] = [[]]
    dots: list[Shape] = []
    for i, total in enumerate(totals):
        share = total.cashless_share
        if share is None:  # nothing paid that month: the line breaks there
            runs.append([])
            continue
        x = x0 + band * (i + 0.5)
        y = bottom - (bottom - top) * min(max(float(share), 0.0), 100.0) / 100
        runs[-1].append((x, y))
        text = f"{name}, {format_month(total.month)}: {format_share(share)}"
        datum = Datum("cashless_share", total.month.strftime("%Y-%m"), share_value(share), text)
        dots.append(Dot(x, y, 3.5, "chart-point", SERIES[0], datum))
        if band >= 40:
            dots.append(Label(x, y - 8, format_share(share), "chart-value", 9, "middle", MUTED))
    for run in runs:
        if len(run) > 1:
            shapes.append(Stroke(tuple(run), "chart-line", SERIES[0], 2))
    shapes += dots
    shapes.append(Stroke(((x0, bottom), (x1, bottom)), "chart-axis", MUTED))
    shapes += _month_axis([t.month for t in totals], x0, band, bottom + 16)
    return Scene("cashless", WIDTH, bottom + 26, title, desc, tuple(shapes))


def _label_column(names: Sequence[str]) -> float:
    return min(max(max(text_width(n, 11) for n in names) + 12, 90.0), 220.0)


def poverty_scene(rows: Sequence[PovertyRow], year: int | None = None, scale_max: int = 0) -> Scene:
    """Poor and near-poor households per commune in one review year (the latest by default),
    each bar with a thin mark at the year before. ``scale_max`` keeps one scale over the
    pieces of a long list drawn apart (the PDF's pages)."""
    years = review_years(rows)
    year = year if year is not None else (years[-1] if years else None)
    chosen = poverty_of_year(rows, year) if year is not None else []
    title = gettext("Poor and near-poor households by commune")
    desc = gettext(
        "Poor and near-poor households of each commune in the review of %(year)s, "
        "marked with the year before.",
        year=year or "",
    )
    if not chosen:
        return empty_scene("poverty", title, desc)
    names = [r.commune_name for r in chosen]
    x0 = 12 + _label_column(names)
    x1 = WIDTH - 60.0
    series = (
        (labels.POOR, "poor", POOR, "chart-poor"),
        (labels.NEAR_POOR, "near_poor", NEAR_POOR, "chart-near-poor"),
    )
    before_name = gettext(labels.YEAR_BEFORE) + f" ({year - 1})"
    entries = [(gettext(m) + f" ({year})", f"chart-bar {c}", col) for m, _, col, c in series]
    legend, height = _legend([*entries, (before_name, "chart-before", INK)], 16)
    top = 16 + height
    values = [
        v or 0 for r in chosen for v in (r.poor, r.near_poor, r.poor_before, r.near_poor_before)
    ]
    ticks = nice_ticks(max([*values, scale_max]))
    scale = (x1 - x0) / ticks[-1]
    front: list[Shape] = []
    y = top
    for row in chosen:
        name = clip(row.commune_name, x0 - 24, 11)
        front.append(Label(x0 - 8, y + 17, name, "chart-label", 11, "end"))
        for message, key, colour, css in series:
            value, before = getattr(row, key), getattr(row, f"{key}_before")
            series_name = gettext(message)
            text = f"{row.commune_name}, {series_name} {year}: {format_count(value)}"
            datum = Datum(key, row.commune_code, str(value), text)
            front.append(Box(x0, y, value * scale, 11, f"chart-bar {css}", colour, datum))
            end = x0 + value * scale
            if before is not None:
                text = f"{row.commune_name}, {series_name} {year - 1}: {format_count(before)}"
                datum = Datum(f"{key}_before", row.commune_code, str(before), text)
                at = x0 + before * scale
                front.append(Box(at - 1.5, y - 2, 3, 15, "chart-before", INK, datum))
                end = max(end, at + 1.5)
            front.append(
                Label(end + 4, y + 9, format_count(value), "chart-value", 9, "start", MUTED)
            )
            y += 14
        y += 12
    grid = _value_axis(ticks, x0, x1, top - 4, y, format_count)
    return Scene("poverty", WIDTH, y + 24, title, desc, tuple(legend + grid + front))


def commune_amount_scene(
    payments: Iterable[MonthlyPaid], start: date, end: date, scale_max: int = 0
) -> Scene:
    """Amount paid per commune over the period, stacked by programme (``scale_max`` as in
    poverty_scene)."""
    totals = commune_totals(payments, start, end)
    title = gettext("Amount paid by commune")
    desc = gettext(
        "Amount paid in each commune by programme, %(start)s to %(end)s.",
        start=format_month(start),
        end=format_month(end),
    )
    if not any(t.amount > 0 for t in totals):
        return empty_scene("communes", title, desc)
    codes = list(totals[0].by_programme)
    entries = _programme_series(codes)
    legend, height = _legend(entries, 16)
    x0 = 12 + _label_column([t.commune_name for t in totals])
    x1 = WIDTH - 70.0
    ticks = nice_ticks(max([*(t.amount for t in totals), scale_max]))
    scale = (x1 - x0) / ticks[-1]
    top = 16 + height
    front: list[Shape] = []
    y = top
    for total in totals:
        name = clip(total.commune_name, x0 - 24, 11)
        front.append(Label(x0 - 8, y + 11, name, "chart-label", 11, "end"))
        x = x0
        for code, (series_name, css, colour) in zip(codes, entries, strict=True):
            amount = total.by_programme[code]
            if amount <= 0:
                continue
            text = f"{total.commune_name}, {series_name}: {format_money(amount)}"
            datum = Datum(code, total.commune_code, str(amount), text)
            front.append(Box(x, y, amount * scale, 14, f"chart-bar {css}", colour, datum))
            x += amount * scale
        text = format_compact(total.amount)
        front.append(Label(x + 4, y + 11, text, "chart-value", 9, "start", MUTED))
        y += 22
    grid = _value_axis(ticks, x0, x1, top - 4, y, format_compact)
    return Scene("communes", WIDTH, y + 24, title, desc, tuple(legend + grid + front))
