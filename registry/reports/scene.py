"""What a chart is made of, before it is SVG or PDF: boxes, dots, strokes, labels, nice ticks."""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Colours the SVG carries as presentation attributes (the stylesheet may override them through
#: the classes) and the PDF uses as they are. Series colours are told apart by lightness too.
INK, MUTED, GRID = "#1d2430", "#5b6472", "#d5dae1"
TRACK = "#eef1f4"
SERIES = ("#1f4e79", "#5b9bd5", "#c9822b", "#6b8e23", "#8e5ea2", "#7f7f7f")
LOWER = "#c9822b"
POOR, NEAR_POOR = "#a4262c", "#e0a458"
TARGET = "#1e6b3a"
#: Average advance of a DejaVu Sans / system-ui glyph, in font sizes: text is measured by
#: counting, the same on the server and in the PDF, so no font file is read to lay out a chart.
GLYPH = 0.56


@dataclass(frozen=True)
class Datum:
    """What a value element stands for: read by screen readers (title) and tests (the rest)."""

    series: str
    label: str
    value: str  # exact: integer đồng or count, or a share like "66.7"
    title: str


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    css: str
    fill: str
    datum: Datum | None = None
    hint: str | None = None  # a title for a mark that is no value (a target)


@dataclass(frozen=True)
class Dot:
    cx: float
    cy: float
    r: float
    css: str
    fill: str
    datum: Datum


@dataclass(frozen=True)
class Stroke:
    points: tuple[tuple[float, float], ...]
    css: str
    colour: str
    width: float = 1.0


@dataclass(frozen=True)
class Label:
    x: float
    y: float  # the baseline
    text: str
    css: str
    size: float = 11
    anchor: str = "start"  # start | middle | end
    colour: str = INK
    bold: bool = False


Shape = Box | Dot | Stroke | Label


@dataclass(frozen=True)
class Scene:
    kind: str  # the chart's name, also its CSS class: "indicators", "trend" …
    width: float
    height: float
    title: str
    desc: str
    shapes: tuple[Shape, ...]


def nice_ticks(maximum: float, count: int = 5) -> list[int]:
    """0 and round ticks (1-2-5 × 10ⁿ steps) up to the first one at or above ``maximum``."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(1, int(step))
    top = math.ceil(maximum / step) * step
    return list(range(0, top + 1, step))


def text_width(text: str, size: float) -> float:
    return len(text) * size * GLYPH


def clip(text: str, width: float, size: float) -> str:
    """The text, cut with '…' where it would pass ``width``."""
    fits = max(1, int(width / (size * GLYPH)))
    return text if len(text) <= fits else text[: fits - 1].rstrip() + "…"


def wrap(text: str, width: float, size: float, lines: int = 2) -> list[str]:
    """Break at spaces into at most ``lines`` lines of ``width``; the last one clipped."""
    fits = max(1, int(width / (size * GLYPH)))
    result: list[str] = []
    rest = text.split()
    while rest and len(result) < lines - 1:
        line = rest.pop(0)
        while rest and len(line) + 1 + len(rest[0]) <= fits:
            line += " " + rest.pop(0)
        result.append(line)
    if rest:
        result.append(clip(" ".join(rest), width, size))
    return result
