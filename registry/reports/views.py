"""The report pages: a unit's dashboard, the annual report, their XLSX/PDF and drill-down lists."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, BinaryIO

from flask import Blueprint, Response, current_app, render_template, request
from sqlalchemy import func, select

from registry.auth.permissions import Permission
from registry.errors import NotFoundError, RegistryError
from registry.extensions import db
from registry.households.models import PovertyStatus
from registry.i18n import N_
from registry.payments.queries import buildable_units
from registry.payments.views.forms import FormMonth
from registry.people.schemas import FormInteger, FormSchema, Text, load_form
from registry.reports import charts, labels, numbers, series
from registry.reports.drilldown import SUBJECTS, households_behind, people_behind
from registry.reports.indicators import (
    build_annual_report,
    build_report,
    unit_for_report,
)
from registry.reports.measures import MEASURES, PARTS
from registry.reports.model import Report
from registry.reports.pdf import write_report_pdf
from registry.reports.xlsx import write_report_xlsx
from registry.units.models import AdminUnit
from registry.web.decorators import permission_required, render_rejected
from registry.web.setup import current_actor, today

bp = Blueprint("reports", __name__, url_prefix="/reports")

#: Rows per page of a drill-down list.
PER_PAGE = 50

_WRITERS: dict[str, tuple[Callable[[Report, BinaryIO], None], str]] = {
    "xlsx": (
        write_report_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pdf": (write_report_pdf, "application/pdf"),
}


class DashboardQuerySchema(FormSchema):
    unit = Text(load_default=None, max_length=10)
    month = FormMonth(load_default=None)


class AnnualQuerySchema(FormSchema):
    unit = Text(load_default=None, max_length=10)
    year = FormInteger(load_default=None, maximum=2200)


class DrillQuerySchema(DashboardQuerySchema):
    indicator = Text(required=True, max_length=60)
    part = Text(required=True, max_length=20)
    page = FormInteger(load_default=1, maximum=100_000)


class PovertyQuerySchema(FormSchema):
    unit = Text(load_default=None, max_length=10)
    commune = Text(required=True, max_length=10)
    year = FormInteger(required=True, maximum=2200)
    status = Text(required=True, max_length=20)
    page = FormInteger(load_default=1, maximum=100_000)


def _office_name(unit: AdminUnit) -> str:
    return current_app.config.get("REGISTRY_OFFICE_NAME") or unit.name.upper()


def _unit_options() -> list[tuple[str, str]]:
    """The units the officer may report on: their own (or the province) and its communes."""
    return [(u.code, f"{u.name} ({u.code})") for u in buildable_units(current_actor(), today())]


def _dashboard(args: Any) -> tuple[Report, dict[str, Any]]:
    data = load_form(DashboardQuerySchema(), args)
    month = data["month"] or today().replace(day=1)
    unit = unit_for_report(
        db.session, actor=current_actor(), today=today(), code=data["unit"], month=month
    )
    report = build_report(
        db.session, unit=unit, month=month, today=today(), office_name=_office_name(unit)
    )
    return report, {"unit": unit.code, "month": month.strftime("%Y-%m")}


def _annual(args: Any) -> tuple[Report, dict[str, Any]]:
    data = load_form(AnnualQuerySchema(), args)
    year = data["year"] or today().year
    unit = unit_for_report(db.session, actor=current_actor(), today=today(), code=data["unit"])
    report = build_annual_report(
        db.session, unit=unit, year=year, today=today(), office_name=_office_name(unit)
    )
    return report, {"unit": unit.code, "year": year}


def _page_context(report: Report) -> dict[str, Any]:
    """What the template draws: the charts and, beside each, the same numbers as a table
    (series.py aggregates once for both)."""
    start, end = report.period_start, report.period_end
    years = series.review_years(report.poverty)
    year = years[-1] if years else None
    return {
        "report": report,
        "title": labels.report_title(report),
        "heading": labels.heading_lines(report),
        "office": labels.office_lines(report),
        "legal_basis": labels.legal_basis_lines(report),
        "subjects": SUBJECTS,
        "numbers": numbers,
        "programme_label": labels.programme_label,
        "programmes": series.programmes(report.payments),
        "monthly": series.monthly_totals(report.payments, start, end),
        "communes": series.commune_totals(report.payments, start, end),
        "paid_total": series.period_total(report.payments, start, end),
        "review_year": year,
        "poverty": series.poverty_of_year(report.poverty, year) if year else [],
        "poverty_total": series.poverty_total(report.poverty, year) if year else None,
        "charts": {
            "indicators": charts.indicator_bars(report.indicators),
            "trend": charts.trend_chart(report.payments, start, end),
            "cashless": charts.cashless_trend(report.payments, start, end),
            "poverty": charts.commune_comparison(report.poverty, year=year),
            "communes": charts.commune_amounts(report.payments, start, end),
        },
    }


def _rejected(template: str, error: RegistryError, **context: Any):
    if isinstance(error, NotFoundError):
        raise error
    return render_rejected(template, error, form=request.args, unit_options=_unit_options(),
                           report=None, **context)  # fmt: skip


@bp.get("/")
@permission_required(Permission.REPORT_READ)
def dashboard():
    """The dashboard of a unit for a month: Resolution 42 indicators, poverty, payments."""
    try:
        report, query = _dashboard(request.args)
    except RegistryError as error:
        return _rejected("reports/dashboard.html", error, query={}, annual=False)
    return render_template(
        "reports/dashboard.html",
        form=query,
        query=query,
        annual=False,
        errors={},
        unit_options=_unit_options(),
        **_page_context(report),
    )


@bp.get("/annual")
@permission_required(Permission.REPORT_READ)
def annual():
    """The yearly report on the plan implementing Resolution 42-NQ/TW."""
    try:
        report, query = _annual(request.args)
    except RegistryError as error:
        return _rejected("reports/dashboard.html", error, query={}, annual=True)
    return render_template(
        "reports/dashboard.html",
        form=query,
        query=query,
        annual=True,
        errors={},
        unit_options=_unit_options(),
        **_page_context(report),
    )


@bp.get("/dashboard.<fmt>")
@permission_required(Permission.REPORT_READ)
def dashboard_file(fmt: str):
    report, query = _dashboard(request.args)
    return _send(report, fmt, f"bao-cao-{query['unit']}-{query['month']}")


@bp.get("/annual.<fmt>")
@permission_required(Permission.REPORT_READ)
def annual_file(fmt: str):
    report, query = _annual(request.args)
    return _send(report, fmt, f"bao-cao-nam-{query['year']}-{query['unit']}")


def _send(report: Report, fmt: str, stem: str) -> Response:
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise NotFoundError()
    write, mimetype = writer
    out = io.BytesIO()
    write(report, out)
    response = Response(out.getvalue(), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/people")
@permission_required(Permission.REPORT_READ)
def drill():
    """The people (or merit families) behind one number of the dashboard."""
    data = load_form(DrillQuerySchema(), request.args)
    if data["indicator"] not in MEASURES or data["part"] not in PARTS:
        raise NotFoundError()
    month = data["month"] or today().replace(day=1)
    unit = unit_for_report(
        db.session, actor=current_actor(), today=today(), code=data["unit"], month=month
    )
    query = people_behind(
        db.session, code=data["indicator"], part=data["part"], unit=unit, month=month
    )
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = max(1, data["page"] or 1)
    rows = db.session.scalars(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template(
        "reports/drill.html",
        measure=MEASURES[data["indicator"]],
        part=data["part"],
        unit=unit,
        month=month,
        subject=SUBJECTS[data["indicator"]],
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
    )


@bp.get("/households")
@permission_required(Permission.REPORT_READ)
def poverty_households():
    """The households behind one cell of the poverty table."""
    data = load_form(PovertyQuerySchema(), request.args)
    unit = unit_for_report(db.session, actor=current_actor(), today=today(), code=data["unit"])
    status = next((s for s in POVERTY_LABELS if s.value == data["status"]), None)
    if status is None:
        raise NotFoundError()
    query = households_behind(
        db.session,
        unit=unit,
        commune_code=data["commune"],
        review_year=data["year"],
        status=status,
    )
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = max(1, data["page"] or 1)
    rows = db.session.scalars(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return render_template(
        "reports/households.html",
        unit=unit,
        commune=data["commune"],
        year=data["year"],
        status=status,
        status_label=POVERTY_LABELS[status],
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
    )


POVERTY_LABELS = {
    PovertyStatus.POOR: N_("Poor households"),
    PovertyStatus.NEAR_POOR: N_("Near-poor households"),
}
