"""The chart scenes as ReportLab drawings, so the PDF shows the very charts of the web page."""

from __future__ import annotations

from reportlab.graphics.shapes import Circle, Drawing, Group, PolyLine, Rect, String
from reportlab.lib.colors import HexColor

from registry.reports.scene import Box, Dot, Label, Scene, Shape, Stroke

_ANCHORS = {"start": "start", "middle": "middle", "end": "end"}


def _shape(shape: Shape, height: float, font: str, bold_font: str):
    """One mark, y flipped: SVG counts from the top, PDF from the bottom."""
    if isinstance(shape, Box):
        return Rect(
            shape.x, height - shape.y - shape.h, shape.w, shape.h,
            fillColor=HexColor(shape.fill), strokeColor=None,
        )  # fmt: skip
    if isinstance(shape, Dot):
        return Circle(
            shape.cx, height - shape.cy, shape.r, fillColor=HexColor(shape.fill), strokeColor=None
        )
    if isinstance(shape, Stroke):
        points = [v for x, y in shape.points for v in (x, height - y)]
        return PolyLine(points, strokeColor=HexColor(shape.colour), strokeWidth=shape.width)
    assert isinstance(shape, Label)
    return String(
        shape.x, height - shape.y, shape.text,
        fontName=bold_font if shape.bold else font, fontSize=shape.size,
        fillColor=HexColor(shape.colour), textAnchor=_ANCHORS[shape.anchor],
    )  # fmt: skip


def scene_drawing(scene: Scene, width: float, font: str, bold_font: str) -> Drawing:
    """The scene scaled to ``width`` points (its proportions kept)."""
    scale = width / scene.width
    group = Group(*(_shape(s, scene.height, font, bold_font) for s in scene.shapes))
    group.scale(scale, scale)
    drawing = Drawing(width, scene.height * scale)
    drawing.initialFontName = font  # else the renderer opens with Helvetica, unused but listed
    drawing.add(group)
    return drawing
