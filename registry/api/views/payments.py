"""Payment runs (read only): list, one run with its count and sum, and its lines."""

from __future__ import annotations

from typing import Any

from registry.api.auth import api_actor
from registry.api.blueprint import api_blueprint
from registry.api.fields import NoQuery
from registry.api.queries import line_page, run_page
from registry.api.schemas import (
    PaymentLineListArgs,
    PaymentLinePageSchema,
    PaymentRunListArgs,
    PaymentRunPageSchema,
    PaymentRunSchema,
)
from registry.eligibility.months import parse_month
from registry.extensions import db
from registry.payments.models import PaymentRun
from registry.payments.services import get_run, run_totals
from registry.units.models import AdminUnit

bp = api_blueprint("api_payments", "/payment-runs", "Monthly payment runs (danh sách chi trả).")


def _run(run: PaymentRun) -> dict[str, Any]:
    count, total = (run.line_count, run.total) if run.line_count is not None else run_totals(run)
    return {
        "id": run.id,
        "month": run.month,
        "unit": db.session.get(AdminUnit, run.unit_id),
        "status": run.status,
        "line_count": count,
        "total": total if total is not None else 0,
        "built_at": run.built_at,
        "locked_at": run.locked_at,
    }


@bp.get("")
@bp.arguments(PaymentRunListArgs, location="query", as_kwargs=True)
@bp.response(200, PaymentRunPageSchema)
@bp.problems(403, 422)
def list_runs(month: str | None, **args: Any):
    """Payment runs in your area, newest month first, a page at a time."""
    page = run_page(actor=api_actor(), month=parse_month(month) if month else None, **args)
    body = {"items": [_run(r) for r in page.items], "next": page.next}
    db.session.commit()
    return body


@bp.get("/<uuid:run_id>")
@bp.arguments(NoQuery, location="query")
@bp.response(200, PaymentRunSchema)
@bp.problems(403, 404, 422)
def get(_: dict, run_id):
    """One payment run: month, area, status, count and sum."""
    body = _run(get_run(run_id, actor=api_actor()))
    db.session.commit()
    return body


@bp.get("/<uuid:run_id>/lines")
@bp.arguments(PaymentLineListArgs, location="query", as_kwargs=True)
@bp.response(200, PaymentLinePageSchema)
@bp.problems(403, 404, 422)
def lines(run_id, **args: Any):
    """The run's payment lines by end-to-end id, a page at a time."""
    page = line_page(run_id, actor=api_actor(), **args)
    db.session.commit()
    return {"items": page.items, "next": page.next}
