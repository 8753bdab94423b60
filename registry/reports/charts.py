"""Server-drawn SVG charts for the report pages: no script, no inline style, values in data-*.

Each value mark (bar, point) carries ``data-series``, ``data-label`` (an indicator code, a
month as YYYY-MM or a commune code) and ``data-value`` (the exact integer, or a share like
"66.7"), and a <title> with the formatted figure, so screen readers and tests read what the
table beside it prints. Colours are presentation attributes the stylesheet can override.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from markupsafe import Markup, escape

from registry.reports import layouts
from registry.reports.model import Indicator, MonthlyPaid, PovertyRow
from registry.reports.scene import Box, Dot, Label, Scene, Shape, Stroke


def _n(value: float) -> str:
    """Coordinates with at most two decimals and no trailing zeros: stable bytes."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _attrs(**values: object) -> str:
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(str(value))}"'
        for name, value in values.items()
        if value is not None
    )


def _shape(shape: Shape) -> str:
    if isinstance(shape, Box | Dot):
        datum = shape.datum
        data = (
            _attrs(data_series=datum.series, data_label=datum.label, data_value=datum.value)
            if datum
            else ""
        )
        title = datum.title if datum else shape.hint
        inner = f"<title>{escape(title)}</title>" if title else ""
        if isinstance(shape, Box):
            geometry = _attrs(x=_n(shape.x), y=_n(shape.y), width=_n(shape.w), height=_n(shape.h))
            tag = "rect"
        else:
            geometry = _attrs(cx=_n(shape.cx), cy=_n(shape.cy), r=_n(shape.r))
            tag = "circle"
        head = f"<{tag}{_attrs(class_=shape.css)}{geometry}{_attrs(fill=shape.fill)}{data}"
        return f"{head}>{inner}</{tag}>" if inner else f"{head}/>"
    if isinstance(shape, Stroke):
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in shape.points)
        return (
            f"<polyline{_attrs(class_=shape.css, points=points, fill='none')}"
            f"{_attrs(stroke=shape.colour, stroke_width=_n(shape.width))}/>"
        )
    assert isinstance(shape, Label)
    anchor = None if shape.anchor == "start" else shape.anchor
    weight = "bold" if shape.bold else None
    attrs = _attrs(
        class_=shape.css,
        x=_n(shape.x),
        y=_n(shape.y),
        font_size=_n(shape.size),
        text_anchor=anchor,
        font_weight=weight,
        fill=shape.colour,
    )
    return f"<text{attrs}>{escape(shape.text)}</text>"


def render_svg(scene: Scene, chart_id: str) -> Markup:
    """The scene as inline SVG; ``chart_id`` prefixes the ids of its <title> and <desc>."""
    size = _attrs(
        viewBox=f"0 0 {_n(scene.width)} {_n(scene.height)}",
        width=_n(scene.width),
        height=_n(scene.height),
    )
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg"{_attrs(class_=f"chart chart-{scene.kind}")}'
        f'{size} role="img"{_attrs(aria_labelledby=f"{chart_id}-title {chart_id}-desc")}>'
        f'<title id="{escape(chart_id)}-title">{escape(scene.title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(scene.desc)}</desc>'
    )
    return Markup(head + "".join(_shape(s) for s in scene.shapes) + "</svg>")


def indicator_bars(
    indicators: Sequence[Indicator], *, chart_id: str = "chart-indicators"
) -> Markup:
    """One bar per indicator (share in %), target marked; data-series="share", label = code."""
    return render_svg(layouts.indicator_scene(indicators), chart_id)


def trend_chart(
    payments: Iterable[MonthlyPaid],
    period_start: date,
    period_end: date,
    *,
    chart_id: str = "chart-trend",
) -> Markup:
    """Amount paid per month stacked by programme (series = programme code, label = YYYY-MM);
    the numbers are ``series.monthly_totals``."""
    return render_svg(layouts.trend_scene(payments, period_start, period_end), chart_id)


def cashless_trend(
    payments: Iterable[MonthlyPaid],
    period_start: date,
    period_end: date,
    *,
    chart_id: str = "chart-cashless",
) -> Markup:
    """Cashless share per month (series = "cashless_share", label = YYYY-MM)."""
    return render_svg(layouts.cashless_scene(payments, period_start, period_end), chart_id)


def commune_comparison(
    rows: Sequence[PovertyRow], *, year: int | None = None, chart_id: str = "chart-poverty"
) -> Markup:
    """Poor and near-poor households per commune in ``year`` (default: the latest review);
    series poor / near_poor / poor_before / near_poor_before, label = commune code."""
    return render_svg(layouts.poverty_scene(rows, year), chart_id)


def commune_amounts(
    payments: Iterable[MonthlyPaid],
    period_start: date,
    period_end: date,
    *,
    chart_id: str = "chart-communes",
) -> Markup:
    """Amount paid per commune over the period, stacked by programme (label = commune code);
    the numbers are ``series.commune_totals``."""
    return render_svg(layouts.commune_amount_scene(payments, period_start, period_end), chart_id)
