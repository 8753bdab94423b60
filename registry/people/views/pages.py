"""Finding a person by name (accents optional) or by CCCD; the person page and its audited reads."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext

from registry.audit.queries import subject_events
from registry.auth.actors import Actor
from registry.auth.permissions import Permission
from registry.decisions.services import open_groups, person_decisions
from registry.decisions.views import hidden_groups
from registry.eligibility.engine import load_law
from registry.eligibility.months import month_start, parse_month
from registry.eligibility.parameters import ParameterError
from registry.eligibility.results import PROGRAMMES
from registry.entitlements.services import PROGRAMME_LABELS, explain_person, local_policy_paths
from registry.errors import ValidationError
from registry.extensions import db, keys
from registry.people.circumstances import visible_circumstances
from registry.people.identity import read_cccd, read_cmnd_masked
from registry.people.models import Person
from registry.people.queries import find_by_cccd, get_person, looks_like_cccd, search_people
from registry.people.schemas import SearchInputSchema, load_form
from registry.people.views import bp
from registry.people.views.accounts import account_context
from registry.web.decorators import permission_required, render_rejected
from registry.web.setup import current_actor, today

PER_PAGE = 50


@bp.route("/", methods=["GET", "POST"])
def search():
    """The search box posts, so a CCCD typed into it never lands in a URL, the browser's
    history or a server's access log; a name is sent on to the GET page (bookmarks, pages)."""
    actor = current_actor()
    try:
        data = load_form(
            SearchInputSchema(), request.form if request.method == "POST" else request.args
        )
    except ValidationError as error:
        return render_rejected("people/search.html", error, q="", results=None)
    q = data["q"] or ""
    if not q:
        return render_template("people/search.html", q="", results=None)
    if request.method == "POST" and not looks_like_cccd(q):
        return redirect(url_for(".search", q=q))
    if looks_like_cccd(q):
        try:
            person = find_by_cccd(q, actor=actor, cipher=keys.cipher)
        except ValidationError as error:
            return render_rejected("people/search.html", error, q=q, results=None)
        db.session.commit()  # the look-up is audited, found or not
        if person is not None:
            return redirect(url_for(".show", person_id=person.id))
        return render_template("people/search.html", q=q, results=None, not_found=True)
    results = search_people(actor=actor, query=q, page=data["page"], per_page=PER_PAGE)
    return render_template("people/search.html", q=q, results=results)


def _person_page(person: Person, actor: Actor, *, revealed: str | None = None) -> str:
    """Render the person page. Reading the CCCD writes audit events; the caller commits."""
    context = {
        "person": person,
        "revealed_cccd": revealed,
        "cccd_masked": None,
        "cmnd_masked": None,
        "today": today(),
    }
    if actor.can(Permission.CCCD_VIEW_MASKED):
        if revealed is None:
            context["cccd_masked"] = read_cccd(
                person, actor=actor, cipher=keys.cipher, purpose="display_masked"
            )
        context["cmnd_masked"] = read_cmnd_masked(person, actor=actor, cipher=keys.cipher)
    context["circumstances"] = visible_circumstances(person, actor=actor)
    context["merits"] = person.merit_records
    context["events"] = subject_events(
        actor=actor, subject_type="people", subject_id=str(person.id)
    )
    context["eligibility"] = _eligibility_panel(person, actor)
    context["decisions"] = person_decisions(person, actor=actor, hidden_groups=hidden_groups(actor))
    context.update(account_context(person, actor))
    return render_template("people/show.html", **context)


def _eligibility_panel(person: Person, actor: Actor) -> dict:
    """The panel "Eligibility for MM/YYYY": the month of ``?month=YYYY-MM`` (the current month
    when absent or malformed) and what the law gives the person then, every group explained.
    """
    month, problem = month_start(today()), None
    asked = request.args.get("month", "").strip()
    if asked:
        try:
            chosen = parse_month(asked)
        except ValueError:
            chosen = None
        if chosen is not None and 1900 <= chosen.year <= 2200:
            month = chosen
        else:
            problem = gettext("%(value)s is not a month; showing the current month.", value=asked)
    panel = {
        "month": month,
        "value": month.strftime("%Y-%m"),
        "problem": problem,
        "result": None,
        "sensitive_left_out": not actor.can(Permission.SENSITIVE_READ),
    }
    paths = local_policy_paths(current_app.config.get("REGISTRY_LOCAL_POLICIES", ()))
    try:
        law = load_law(paths)
    except (ParameterError, OSError):
        current_app.logger.exception("cannot load the law for the eligibility panel")
        panel["problem"] = gettext("The law parameters could not be loaded; ask the administrator.")
        return panel
    _, _, result = explain_person(person.id, month, actor=actor, law=law)
    panel["result"] = result
    panel["programmes"] = [
        {
            "code": code,
            "label": PROGRAMME_LABELS[code],
            "amount": result.amounts.get(code, 0),
            "paid": [c for c in result.considerations if c.programme == code and c.paid],
            "considered": [c for c in result.considerations if c.programme == code],
        }
        for code in PROGRAMMES
    ]
    if actor.can(Permission.DECISION_PROPOSE):
        # The groups met this month may be proposed (đề nghị hưởng), unless one is open already.
        panel["proposable"] = [c for c in result.considerations if c.met]
        panel["open_groups"] = open_groups(person)
    return panel


@bp.get("/<uuid:person_id>")
def show(person_id):
    actor = current_actor()
    page = _person_page(get_person(person_id, actor=actor), actor)
    db.session.commit()  # the decryption for display is audited
    return page


@bp.post("/<uuid:person_id>/reveal")
@permission_required(Permission.CCCD_REVEAL)
def reveal(person_id):
    """Show the full CCCD once, on this response only (never stored in the session or flashed)."""
    actor = current_actor()
    person = get_person(person_id, actor=actor)
    number = read_cccd(person, actor=actor, cipher=keys.cipher, purpose="display_full")
    page = _person_page(person, actor, revealed=number or "")
    db.session.commit()
    return page
