"""Pages for benefit decisions: worklists per role and the propose/appraise/approve forms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required

from registry.audit.labels import ACTION_LABELS
from registry.audit.queries import subject_events
from registry.auth.actors import Actor
from registry.auth.models import User
from registry.auth.permissions import Permission
from registry.decisions.events import DEATH, NOT_COLLECTED, NOT_ELIGIBLE, decision_events
from registry.decisions.labels import STATUS_LABELS
from registry.decisions.models import BenefitDecision, DecisionStatus
from registry.decisions.schemas import (
    AppraiseInputSchema,
    ApproveInputSchema,
    DecisionFilterInputSchema,
    EndInputSchema,
    Outcome,
    ProposeInputSchema,
    ResumeInputSchema,
    SuspendInputSchema,
)
from registry.decisions.services import (
    appraise_decision,
    approve_decision,
    decision_groups,
    end_decision,
    get_decision,
    propose_decision,
    resume_decision,
    search_decisions,
    status_counts,
    suspend_decision,
)
from registry.eligibility.engine import Law, load_law
from registry.eligibility.months import month_start
from registry.eligibility.parameters import ParameterError
from registry.entitlements.services import HIV_GROUPS, PROGRAMME_LABELS, local_policy_paths
from registry.errors import NotFoundError, Problem, RegistryError, ValidationError
from registry.extensions import db
from registry.households.queries import communes_covered
from registry.i18n import N_
from registry.people.queries import get_person
from registry.people.schemas import load_form
from registry.web.decorators import permission_required, render_rejected
from registry.web.formatting import format_money, format_month
from registry.web.setup import current_actor, today

bp = Blueprint("decisions", __name__, url_prefix="/decisions")
bp.before_request(login_required(lambda: None))

PER_PAGE = 50


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    statuses: tuple[DecisionStatus, ...] = ()
    oldest_first: bool = True


TABS = {
    "to_appraise": Tab("to_appraise", N_("Awaiting appraisal"), (DecisionStatus.PROPOSED,)),
    "to_approve": Tab("to_approve", N_("Awaiting approval"), (DecisionStatus.APPRAISED,)),
    "events": Tab("events", N_("Needing action")),
    "proposals": Tab(
        "proposals",
        N_("Proposals in progress"),
        (DecisionStatus.PROPOSED, DecisionStatus.APPRAISED),
    ),
    "rejected": Tab("rejected", N_("Refused"), (DecisionStatus.REJECTED,), oldest_first=False),
    "all": Tab("all", N_("All decisions"), oldest_first=False),
}

#: What each event calls for: the form of the decision page it links to.
EVENT_STEPS = {
    DEATH: ("end", N_("End the benefit")),
    NOT_ELIGIBLE: ("end", N_("End the benefit")),
    NOT_COLLECTED: ("suspend", N_("Suspend the benefit")),
}


@bp.app_context_processor
def decision_labels() -> dict:
    return {"DECISION_STATUS_LABELS": STATUS_LABELS, "PROGRAMME_LABELS": PROGRAMME_LABELS}


def _law() -> Law | None:
    paths = local_policy_paths(current_app.config.get("REGISTRY_LOCAL_POLICIES", ()))
    try:
        return load_law(paths)
    except (ParameterError, OSError):
        current_app.logger.exception("cannot load the law for the decision pages")
        return None


def hidden_groups(actor: Actor, law: Law | None = None) -> frozenset[str]:
    """Groups whose very name tells HIV status: out of sight of roles that may not know it
    (Decree 20/2021 art. 8(1)(b)), like the eligibility panel does."""
    if actor.can(Permission.SENSITIVE_READ):
        return frozenset()
    law = law or _law()
    local = {g.code for g in law.local_groups if "hiv" in g.when} if law else set()
    return frozenset(HIV_GROUPS | local)


def _visible_decision(decision_id, actor: Actor) -> BenefitDecision:
    decision = get_decision(decision_id, actor=actor)
    if decision.group_code in hidden_groups(actor):
        raise NotFoundError()
    return decision


# --- the worklist ------------------------------------------------------------------------


def _tabs_for(actor: Actor) -> list[str]:
    keys = []
    if actor.can(Permission.DECISION_APPRAISE):
        keys.append("to_appraise")
    if actor.can(Permission.DECISION_APPROVE):
        keys += ["to_approve", "events"]
    if actor.can(Permission.DECISION_PROPOSE) and not actor.can(Permission.DECISION_APPRAISE):
        keys += ["proposals", "rejected"]
    return [*keys, "all"]


@bp.get("/")
@permission_required(Permission.DECISION_READ)
def index():
    actor = current_actor()
    law = _law()
    hidden = hidden_groups(actor, law)
    try:
        filters = load_form(DecisionFilterInputSchema(), request.args)
        errors: Any = None
    except ValidationError as error:
        filters = {
            "tab": request.args.get("tab"),
            "status": None,
            "group": None,
            "commune": None,
            "q": "",
            "page": 1,
        }
        errors = error
    keys = _tabs_for(actor)
    tab = TABS[filters["tab"] if filters["tab"] in keys else keys[0]]
    counts = status_counts(actor=actor, hidden_groups=hidden)
    month = month_start(today())
    events, law_problem = [], None
    # The events need the law engine over every approved decision in scope: computed only
    # when their tab is open, not on every visit to the worklist.
    if tab.key == "events":
        if law is None:
            law_problem = gettext("The law parameters could not be loaded; ask the administrator.")
        else:
            events = [
                e
                for e in decision_events(actor=actor, month=month, law=law)
                if e.decision.group_code not in hidden
            ]
    tab_counts: dict[str, int | None] = {
        key: sum(counts[s] for s in TABS[key].statuses) for key in keys if key != "events"
    }
    tab_counts["events"] = len(events) if tab.key == "events" else None
    tab_counts["all"] = sum(counts.values())
    communes = communes_covered(actor)
    commune_id = filters["commune"] if filters["commune"] in {c.id for c in communes} else None
    result = None
    if tab.key != "events":
        full_list = tab.key == "all"
        result = search_decisions(
            actor=actor,
            statuses=tab.statuses or ([filters["status"]] if filters["status"] else []),
            group_code=filters["group"] if full_list else None,
            commune_id=commune_id if full_list else None,
            query=filters["q"] if full_list else "",
            hidden_groups=hidden,
            oldest_first=tab.oldest_first,
            page=filters["page"],
            per_page=PER_PAGE,
        )
    context = {
        "tabs": [TABS[k] for k in keys],
        "tab": tab,
        "tab_counts": tab_counts,
        "result": result,
        "events": events,
        "event_steps": EVENT_STEPS,
        "month": month,
        "law_problem": law_problem,
        "form": request.args,
        "status_options": [(s.value, gettext(label)) for s, label in STATUS_LABELS.items()],
        "group_options": [(g, g) for g in decision_groups(actor=actor, hidden_groups=hidden)],
        "commune_options": [(str(c.id), f"{c.name} ({c.code})") for c in communes],
    }
    if errors is not None:
        return render_rejected("decisions/index.html", errors, **context)
    return render_template("decisions/index.html", errors={}, **context)


# --- one decision ------------------------------------------------------------------------


def _user_name(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id is not None else None
    return user.full_name if user else "—"


def _steps(decision: BenefitDecision) -> list[dict]:
    """The decision's steps so far, from its own fields (the audit events give the detail)."""
    steps = [
        {"label": N_("Proposed"), "at": decision.proposed_at, "by": decision.proposed_by_id},
    ]
    if decision.appraised_at:
        label = (
            N_("Refused at appraisal")
            if decision.status is DecisionStatus.REJECTED
            else N_("Appraised: eligible")
        )
        steps.append({"label": label, "at": decision.appraised_at, "by": decision.appraised_by_id})
    if decision.approved_at:
        steps.append(
            {"label": N_("Approved"), "at": decision.approved_at, "by": decision.approved_by_id}
        )
    for step in steps:
        step["by"] = _user_name(step["by"])
    return steps


#: Event details shown on the decision page, and how (the person and group are on the page).
def _iso_month(value: str) -> str:
    return f"{value[5:7]}/{value[:4]}"


_DETAILS: dict[str, tuple[str, Callable[[Any], str]]] = {
    "amount": (N_("Amount proposed"), format_money),
    "month": (N_("Month proposed"), _iso_month),
    "number": (N_("Decision number"), str),
    "start_month": (N_("Start month"), _iso_month),
    "from_month": (N_("From month"), _iso_month),
    "suspended_from": (N_("Suspended from"), _iso_month),
    "last_month": (N_("Last month paid"), _iso_month),
}


def _history(decision: BenefitDecision, actor: Actor) -> list[dict]:
    events = subject_events(
        actor=actor, subject_type="benefit_decisions", subject_id=str(decision.id)
    )
    return [
        {
            "at": e.occurred_at,
            "actor": e.actor_name,
            "action": ACTION_LABELS.get(e.action, str(e.action)),
            "details": [
                (label, show(e.details[key]))
                for key, (label, show) in _DETAILS.items()
                if (e.details or {}).get(key) is not None
            ],
        }
        for e in events
    ]


def _defaults(decision: BenefitDecision) -> dict[str, str]:
    this_month = format_month(month_start(today()))
    death = decision.person.death_on
    return {
        "outcome": "",
        "suspend_from": this_month,
        "resume_from": this_month,
        "last_month": format_month(death) if death else this_month,
    }


def _context(decision: BenefitDecision, actor: Actor, form: Any = None) -> dict:
    status = decision.status
    approver = actor.can(Permission.DECISION_APPROVE)
    return {
        "decision": decision,
        "person": decision.person,
        "steps": _steps(decision),
        "history": _history(decision, actor),
        "arrears": decision.status is DecisionStatus.APPROVED
        and decision.start_month < month_start(today()),
        "show_start": status
        in (DecisionStatus.APPROVED, DecisionStatus.SUSPENDED, DecisionStatus.ENDED),
        "can_appraise": status is DecisionStatus.PROPOSED
        and actor.can(Permission.DECISION_APPRAISE),
        "can_approve": status is DecisionStatus.APPRAISED and approver,
        "can_suspend": status is DecisionStatus.APPROVED and approver,
        "can_resume": status is DecisionStatus.SUSPENDED and approver,
        "can_end": status in (DecisionStatus.APPROVED, DecisionStatus.SUSPENDED) and approver,
        "form": {**_defaults(decision), **(form or {})},
    }


@bp.get("/<uuid:decision_id>")
@permission_required(Permission.DECISION_READ)
def show(decision_id):
    actor = current_actor()
    decision = _visible_decision(decision_id, actor)
    return render_template("decisions/show.html", errors={}, **_context(decision, actor))


def _renamed(error: RegistryError, names: dict[str, str]) -> RegistryError:
    """A service's problems named after this form's fields, so each shows next to its box."""
    if not isinstance(error, ValidationError) or not names:
        return error
    return ValidationError(
        [Problem(names.get(p.field or "", p.field), p.message, p.params) for p in error.problems]
    )


def _step(decision_id, schema, apply, names=None):
    """Run one step posted from the decision page: load the form, call the service, commit
    once; a rejected form re-renders the page with each problem next to its field."""
    actor = current_actor()
    decision = _visible_decision(decision_id, actor)
    try:
        data = load_form(schema, request.form)
        message = apply(decision, data, actor)
        db.session.commit()
    except RegistryError as error:
        db.session.rollback()  # the page below shows the decision as it was
        decision = _visible_decision(decision_id, actor)
        return render_rejected(
            "decisions/show.html",
            _renamed(error, names or {}),
            **_context(decision, actor, form=request.form),
        )
    flash(message, "success")
    return redirect(url_for(".show", decision_id=decision.id))


@bp.post("/propose")
@permission_required(Permission.DECISION_PROPOSE)
def propose():
    """The "Propose" button of the person page's eligibility panel (đề nghị hưởng)."""
    actor = current_actor()
    person = get_person(request.form.get("person_id", ""), actor=actor)
    back = url_for("people.show", person_id=person.id, month=request.form.get("month") or None)
    law = _law()
    try:
        if law is None:
            raise RegistryError(
                N_("The law parameters could not be loaded; ask the administrator.")
            )
        data = load_form(ProposeInputSchema(), request.form)
        decision = propose_decision(
            person,
            group_code=data["group"],
            month=data["month"],
            actor=actor,
            today=today(),
            law=law,
        )
        db.session.commit()
    except RegistryError as error:
        db.session.rollback()
        flash(error.render(gettext), "error")
        return redirect(back)
    flash(
        gettext(
            "The benefit of group %(group)s was proposed; it awaits the labour office's appraisal.",
            group=decision.group_code,
        ),
        "success",
    )
    return redirect(url_for(".show", decision_id=decision.id))


@bp.post("/<uuid:decision_id>/appraise")
@permission_required(Permission.DECISION_APPRAISE)
def appraise(decision_id):
    def apply(decision, data, actor):
        eligible = data["outcome"] is Outcome.ELIGIBLE
        appraise_decision(decision, eligible=eligible, note=data["note"], actor=actor)
        if eligible:
            return gettext("Appraised as eligible; the decision awaits approval.")
        return gettext("The proposal was refused; the commune can see the reason.")

    return _step(decision_id, AppraiseInputSchema(), apply)


@bp.post("/<uuid:decision_id>/approve")
@permission_required(Permission.DECISION_APPROVE)
def approve(decision_id):
    def apply(decision, data, actor):
        approve_decision(decision, **data, actor=actor, today=today())
        message = gettext(
            "Decision %(number)s recorded; the benefit starts from %(month)s.",
            number=decision.decision_number,
            month=format_month(decision.start_month),
        )
        if decision.start_month < month_start(today()):
            message += " " + gettext("The months before this one are paid as arrears.")
        return message

    return _step(decision_id, ApproveInputSchema(), apply)


@bp.post("/<uuid:decision_id>/suspend")
@permission_required(Permission.DECISION_APPROVE)
def suspend(decision_id):
    def apply(decision, data, actor):
        suspend_decision(
            decision, from_month=data["suspend_from"], reason=data["suspend_reason"], actor=actor
        )
        return gettext(
            "Payment is suspended from %(month)s.", month=format_month(data["suspend_from"])
        )

    names = {"from_month": "suspend_from", "reason": "suspend_reason"}
    return _step(decision_id, SuspendInputSchema(), apply, names)


@bp.post("/<uuid:decision_id>/resume")
@permission_required(Permission.DECISION_APPROVE)
def resume(decision_id):
    def apply(decision, data, actor):
        resume_decision(
            decision, from_month=data["resume_from"], reason=data["resume_reason"], actor=actor
        )
        return gettext("Payment resumes from %(month)s.", month=format_month(data["resume_from"]))

    names = {"from_month": "resume_from", "reason": "resume_reason"}
    return _step(decision_id, ResumeInputSchema(), apply, names)


@bp.post("/<uuid:decision_id>/end")
@permission_required(Permission.DECISION_APPROVE)
def end(decision_id):
    def apply(decision, data, actor):
        end_decision(
            decision, last_month=data["last_month"], reason=data["end_reason"], actor=actor
        )
        return gettext(
            "The benefit ends; %(month)s is the last month paid.",
            month=format_month(data["last_month"]),
        )

    names = {"last_month": "last_month", "reason": "end_reason"}
    return _step(decision_id, EndInputSchema(), apply, names)
