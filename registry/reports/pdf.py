"""The dashboard or annual report as an A4 PDF: running header, charts with their tables, law.

ReportLab with the DejaVu Sans shipped in ``fonts/`` (the built-in Helvetica has no ơ, ư or
tone marks); ``invariant`` and the generation date as the file's date make the same report
give the same bytes.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from flask_babel import get_locale, gettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
)

from registry.reports import labels, layouts
from registry.reports.model import Report
from registry.reports.pdf_charts import scene_drawing
from registry.reports.pdf_tables import TableStyles, indicator_table, payment_tables, poverty_table
from registry.reports.scene import Label, Scene
from registry.reports.series import commune_totals, poverty_of_year, review_years

FONT, BOLD = "RegistryDejaVuSans", "RegistryDejaVuSans-Bold"
FONTS = Path(__file__).with_name("fonts")
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN, TOP, BOTTOM = 15 * mm, 30 * mm, 16 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN
FRAME_HEIGHT = PAGE_HEIGHT - TOP - BOTTOM
#: Communes per chart piece: a piece must fit one page, so long lists are drawn in several.
POVERTY_PIECE, AMOUNT_PIECE = 18, 30


@functools.cache
def register_fonts() -> None:
    """Register DejaVu Sans with ReportLab once per process (bold for <b> in paragraphs)."""
    pdfmetrics.registerFont(TTFont(FONT, str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def nfc(text: str) -> str:
    """Composed letters: the font has ễ as one glyph, but no shaping to stack e + ̂ + ̃."""
    return unicodedata.normalize("NFC", text)


class _Header:
    """The running header and footer, in the request's language, drawn on every page."""

    def __init__(self, report: Report) -> None:
        self.office = [nfc(line) for line in labels.office_lines(report)]
        self.title = nfc(labels.report_title(report))
        self.unit = nfc(
            gettext("Unit: %(name)s (%(code)s)", name=report.unit_name, code=report.unit_code)
        )
        self.period = nfc(gettext("Period: %(period)s", period=labels.period_text(report)))
        self.generated = nfc(labels.generated_text(report))
        self.page_message = gettext("Page %(page)s/%(pages)s")
        self.generated_on = report.generated_on

    def draw(self, canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        top = PAGE_HEIGHT - 10 * mm
        left_width, right_width = FRAME_WIDTH * 0.45, FRAME_WIDTH * 0.53
        y = top
        for line in self.office:
            for part in simpleSplit(line, BOLD, 8, left_width):
                canvas.setFont(BOLD, 8)
                canvas.drawString(MARGIN, y, part)
                y -= 10
        canvas.setFont(FONT, 8)
        canvas.drawString(MARGIN, y, self.unit)
        y = top
        right = PAGE_WIDTH - MARGIN
        for part in simpleSplit(self.title, BOLD, 8, right_width):
            canvas.setFont(BOLD, 8)
            canvas.drawRightString(right, y, part)
            y -= 10
        canvas.setFont(FONT, 8)
        canvas.drawRightString(right, y, self.period)
        canvas.setStrokeColor(colors.HexColor("#5b6472"))
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, PAGE_HEIGHT - TOP + 4 * mm, right, PAGE_HEIGHT - TOP + 4 * mm)
        canvas.setFont(FONT, 7.5)
        canvas.drawString(MARGIN, 9 * mm, self.generated)
        canvas.drawRightString(
            right, 9 * mm, nfc(self.page_message % {"page": page, "pages": pages})
        )
        canvas.restoreState()


class _Canvas(Canvas):
    """Keeps every page until the end, then draws header and "Page n/N" once N is known."""

    def __init__(self, *args, header: _Header, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._header = header
        self._pages: list[dict] = []
        stamp = header.generated_on.strftime("D:%Y%m%d000000+07'00'")
        self.setDateFormatter(lambda *parts: stamp)

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._header.draw(self, number, total)
            super().showPage()
        super().save()


def _styles() -> TableStyles:
    base = ParagraphStyle("base", fontName=FONT, fontSize=8.5, leading=11)
    return TableStyles(
        base=base,
        small=ParagraphStyle("small", base, fontSize=7.5, leading=9.5, textColor="#5b6472"),
        number=ParagraphStyle("number", base, alignment=TA_RIGHT),
        head=ParagraphStyle("head", base, fontName=BOLD, fontSize=7.5, leading=9.5),
        heading=ParagraphStyle(
            "heading",
            base,
            fontName=BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=6,
            keepWithNext=1,
        ),
        title=ParagraphStyle(
            "title", base, fontName=BOLD, fontSize=14, leading=18, alignment=TA_CENTER
        ),
        centre=ParagraphStyle("centre", base, alignment=TA_CENTER),
        caption=ParagraphStyle(
            "caption", base, fontName=BOLD, fontSize=9, leading=12, spaceBefore=4, spaceAfter=2
        ),
        font=FONT,
        bold=BOLD,
        width=FRAME_WIDTH,
    )


def _chart(scene: Scene, styles: TableStyles) -> Flowable:
    """The chart under its caption (the SVG's title, which the web page shows as a heading)."""
    drawing = scene_drawing(_nfc_scene(scene), FRAME_WIDTH, FONT, BOLD)
    if drawing.height > FRAME_HEIGHT - 40:  # a safety net; pieces are sized to fit
        ratio = (FRAME_HEIGHT - 40) / drawing.height
        drawing = scene_drawing(_nfc_scene(scene), FRAME_WIDTH * ratio, FONT, BOLD)
    caption = Paragraph(_xml(nfc(scene.title)), styles.caption)
    return KeepTogether([caption, drawing, Spacer(1, 4)])


def _nfc_scene(scene: Scene) -> Scene:
    shapes = tuple(
        replace(s, text=nfc(s.text)) if isinstance(s, Label) else s for s in scene.shapes
    )
    return replace(scene, shapes=shapes)


def _pieces(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _story(report: Report, styles: TableStyles) -> list[Flowable]:
    def para(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(_xml(nfc(text)), style)

    no_data = para(gettext(labels.NO_DATA), styles.small)
    story: list[Flowable] = [para(labels.report_title(report), styles.title), Spacer(1, 4)]
    story += [para(line, styles.centre) for line in labels.heading_lines(report)]
    if report.legal_basis:
        story.append(para(gettext(labels.LEGAL_BASIS), styles.heading))
        story += [para(f"– {line}", styles.base) for line in labels.legal_basis_lines(report)]

    story.append(para(gettext(labels.INDICATORS), styles.heading))
    if report.indicators:
        story.append(_chart(layouts.indicator_scene(report.indicators), styles))
        story.append(indicator_table(report.indicators, styles))
    else:
        story.append(no_data)

    story.append(para(gettext(labels.POVERTY), styles.heading))
    years = review_years(report.poverty)
    if years:
        latest = poverty_of_year(report.poverty, years[-1])
        values = [r.poor for r in latest] + [r.near_poor for r in latest]
        values += [r.poor_before or 0 for r in latest] + [r.near_poor_before or 0 for r in latest]
        for piece in _pieces(latest, POVERTY_PIECE):
            scene = layouts.poverty_scene(piece, years[-1], max(values))
            story.append(_chart(scene, styles))
        story.append(poverty_table(report.poverty, styles))
    else:
        story.append(no_data)

    start, end = report.period_start, report.period_end
    story.append(para(gettext(labels.PAYMENTS), styles.heading))
    communes = commune_totals(report.payments, start, end)
    if communes:
        story.append(_chart(layouts.trend_scene(report.payments, start, end), styles))
        story.append(_chart(layouts.cashless_scene(report.payments, start, end), styles))
        monthly, by_commune = payment_tables(report.payments, start, end, styles)
        story += [monthly, Spacer(1, 8)]
        top = max(c.amount for c in communes)
        for piece in _pieces([c.commune_code for c in communes], AMOUNT_PIECE):
            rows = [p for p in report.payments if p.commune_code in set(piece)]
            story.append(_chart(layouts.commune_amount_scene(rows, start, end, top), styles))
        story.append(by_commune)
    else:
        story.append(no_data)
    story += [Spacer(1, 10), para(labels.generated_text(report), styles.base)]
    return story


def _xml(text: str) -> str:
    """Text for a Paragraph, which reads a little markup: escape it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_report_pdf(report: Report, out: BinaryIO) -> None:
    """Write the report as an A4 PDF into ``out``; texts in the current locale."""
    register_fonts()
    header = _Header(report)
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=header.title,
        author=", ".join(header.office),
        subject=header.unit,
        creator="registry",
        invariant=1,
        lang=str(get_locale() or "vi"),
        initialFontName=FONT,
    )
    frame = Frame(MARGIN, BOTTOM, FRAME_WIDTH, FRAME_HEIGHT, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)  # fmt: skip
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(_story(report, _styles()), canvasmaker=functools.partial(_Canvas, header=header))
