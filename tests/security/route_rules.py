"""Who may reach each route of the app, which record its URL names, and what it then answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from registry.auth.permissions import ROLE_PERMISSIONS, Permission, Role

#: Anyone, logged in or not.
PUBLIC = "public"
#: Any logged-in user, whatever the role.
LOGIN = "login"

Access = str | Permission | tuple[Permission, ...]


class Scope(StrEnum):
    """The record a route's URL (or body) names, so the test can name one inside the user's
    area ("own") and one outside it ("foreign")."""

    NONE = "none"
    PERSON = "person"
    #: Two people: own = two of commune A; foreign = one of A, the other of commune B.
    PERSON_PAIR = "person_pair"
    #: A person and one of their circumstances (<int:cid>).
    CIRCUMSTANCE = "circumstance"
    HOUSEHOLD = "household"
    DECISION = "decision"
    #: A payment run still in draft (it can be locked or rebuilt).
    DRAFT_RUN = "draft_run"
    #: A locked run and one of its exported files.
    RUN_FILE = "run_file"
    #: Person id in the posted form (decisions.propose), not in the URL.
    PERSON_IN_FORM = "person_in_form"
    #: A CCCD in the JSON body (the API's search by CCCD).
    CCCD_IN_BODY = "cccd_in_body"
    #: A unit in the query string (``?unit=<code>``, as the reports take it).
    UNIT = "unit"
    #: Records owned by a user rather than an area: own = the requester's; foreign = another
    #: user's (of commune B).
    JOB = "job"
    UPLOAD = "upload"
    TOKEN = "token"

    @property
    def by_area(self) -> bool:
        """Whether the record belongs to an area (so a province-level user sees commune B's)."""
        return self not in (Scope.NONE, Scope.JOB, Scope.UPLOAD, Scope.TOKEN)


@dataclass(frozen=True)
class Rule:
    """What one method of one endpoint answers.

    ``allowed``: the statuses a user whose role grants ``access`` gets for an own-scope
    record (GET: the page; POST: the body below, empty by default, so nothing is changed).
    A role without ``access`` gets 403; a record outside the user's area 404; an anonymous
    visitor a redirect to the log-in page (web) or 401 (API), unless ``access`` is PUBLIC,
    when ``anonymous`` (default: ``allowed``) applies.
    """

    access: Access
    allowed: tuple[int, ...]
    scope: Scope = Scope.NONE
    #: The form (web) or JSON body (API) sent; values "$cccd" are replaced by the record's.
    body: Mapping[str, Any] = field(default_factory=dict)
    #: Fixed values of the URL's other parts (``{"fmt": "xlsx"}`` for ``/annual.<fmt>``).
    url: Mapping[str, Any] = field(default_factory=dict)
    #: Fixed query-string values (Scope.UNIT adds ``unit``).
    query: Mapping[str, Any] = field(default_factory=dict)
    #: What an anonymous visitor gets on a PUBLIC route, when it differs from ``allowed``.
    anonymous: tuple[int, ...] | None = None
    #: The request logs the user out, so the test uses a client of its own.
    ends_session: bool = False

    def grants(self, role: Role) -> bool:
        if self.access in (PUBLIC, LOGIN):
            return True
        needed = (self.access,) if isinstance(self.access, Permission) else self.access
        return all(p in ROLE_PERMISSIONS[role] for p in needed)


def _statuses(status: int | tuple[int, ...]) -> tuple[int, ...]:
    return status if isinstance(status, tuple) else (status,)


def page(
    access: Access,
    scope: Scope = Scope.NONE,
    status: int | tuple[int, ...] = 200,
    **options: Any,
) -> Rule:
    """A GET that shows a page (or sends a file); ``options``: Rule's url=, query=."""
    return Rule(access, _statuses(status), scope, **options)


def post(
    access: Access,
    scope: Scope = Scope.NONE,
    status: int | tuple[int, ...] = 422,
    **options: Any,
) -> Rule:
    """A POST sent with an empty form (or ``body=``): by default refused as incomplete (422)."""
    return Rule(access, _statuses(status), scope, **options)


P = Permission
PERSON_PAGE = page(P.PERSON_WRITE, Scope.PERSON)
PERSON_FORM = post(P.PERSON_WRITE, Scope.PERSON)
HOUSEHOLD_PAGE = page(P.PERSON_WRITE, Scope.HOUSEHOLD)
HOUSEHOLD_FORM = post(P.PERSON_WRITE, Scope.HOUSEHOLD)
IMPORTS = (P.PERSON_WRITE,)

#: The web pages, by endpoint then method. Every route of the URL map must appear here (or
#: in API_RULES); tests/security/test_route_matrix.py fails naming any that does not.
WEB_RULES: dict[str, dict[str, Rule]] = {
    # log-in, log-out, language
    "auth.login": {
        # Logged in already: straight to the home page.
        "GET": Rule(PUBLIC, (302,), anonymous=(200,)),
        "POST": post(PUBLIC),
    },
    "auth.logout": {"POST": post(LOGIN, status=302, ends_session=True)},
    "auth.set_locale": {"POST": post(PUBLIC, status=302)},
    "home.index": {"GET": page(LOGIN)},
    "tokens.index": {"GET": page(LOGIN)},
    "tokens.create": {"POST": post(LOGIN)},
    # Revoking one's own token twice is refused with a message on the list: 302 both times.
    "tokens.revoke": {"POST": post(LOGIN, Scope.TOKEN, status=302)},
    "audit.index": {"GET": page(P.AUDIT_READ)},
    # households
    "households.index": {"GET": page(P.HOUSEHOLD_READ)},
    "households.new": {"GET": page(P.HOUSEHOLD_WRITE), "POST": post(P.HOUSEHOLD_WRITE)},
    "households.show": {"GET": page(P.HOUSEHOLD_READ, Scope.HOUSEHOLD)},
    "households.edit": {
        "GET": page(P.HOUSEHOLD_WRITE, Scope.HOUSEHOLD),
        "POST": post(P.HOUSEHOLD_WRITE, Scope.HOUSEHOLD),
    },
    "households.change_head": {"POST": post(P.HOUSEHOLD_WRITE, Scope.HOUSEHOLD)},
    "households.new_member": {"GET": HOUSEHOLD_PAGE, "POST": HOUSEHOLD_FORM},
    "households.new_birth": {"GET": HOUSEHOLD_PAGE, "POST": HOUSEHOLD_FORM},
    "households.new_poverty": {
        "GET": page(P.POVERTY_WRITE, Scope.HOUSEHOLD),
        "POST": post(P.POVERTY_WRITE, Scope.HOUSEHOLD),
    },
    # people
    # The search box posts (a CCCD stays out of URLs); an empty search shows the form.
    "people.search": {"GET": page(P.PERSON_READ), "POST": post(P.PERSON_READ, status=200)},
    "people.show": {"GET": page(P.PERSON_READ, Scope.PERSON)},
    "people.reveal": {"POST": post(P.CCCD_REVEAL, Scope.PERSON, status=200)},
    "people.account": {"GET": PERSON_PAGE, "POST": PERSON_FORM},
    "people.edit": {"GET": PERSON_PAGE, "POST": PERSON_FORM},
    "people.death": {"GET": PERSON_PAGE, "POST": PERSON_FORM},
    "people.move": {"GET": PERSON_PAGE, "POST": PERSON_FORM},
    "people.depart": {"GET": PERSON_PAGE, "POST": PERSON_FORM},
    "people.disability": {"GET": PERSON_PAGE, "POST": PERSON_FORM},
    "people.pension": {"GET": PERSON_PAGE, "POST": PERSON_FORM},
    "people.new_circumstance": {"GET": PERSON_PAGE, "POST": PERSON_FORM},
    "people.new_merit": {"GET": PERSON_PAGE, "POST": PERSON_FORM},
    "people.end": {"POST": post(P.PERSON_WRITE, Scope.CIRCUMSTANCE)},
    "people.merge_choose": {"GET": PERSON_PAGE},
    "people.merge_compare": {"GET": page(P.PERSON_WRITE, Scope.PERSON_PAIR)},
    "people.merge_confirm": {"POST": post(P.PERSON_WRITE, Scope.PERSON_PAIR)},
    # A record that was not merged: on to its page.
    "people.merged_record": {"GET": page(P.PERSON_READ, Scope.PERSON, status=302)},
    # decisions
    "decisions.index": {"GET": page(P.DECISION_READ)},
    "decisions.show": {"GET": page(P.DECISION_READ, Scope.DECISION)},
    # An incomplete proposal goes back to the person page with the reason.
    "decisions.propose": {"POST": post(P.DECISION_PROPOSE, Scope.PERSON_IN_FORM, status=302)},
    "decisions.appraise": {"POST": post(P.DECISION_APPRAISE, Scope.DECISION)},
    "decisions.approve": {"POST": post(P.DECISION_APPROVE, Scope.DECISION)},
    "decisions.suspend": {"POST": post(P.DECISION_APPROVE, Scope.DECISION)},
    "decisions.resume": {"POST": post(P.DECISION_APPROVE, Scope.DECISION)},
    "decisions.end": {"POST": post(P.DECISION_APPROVE, Scope.DECISION)},
    # payment lists
    "payments.index": {"GET": page(P.PAYMENT_READ)},
    "payments.build": {"POST": post(P.PAYMENT_BUILD)},
    "payments.show": {"GET": page(P.PAYMENT_READ, Scope.DRAFT_RUN)},
    # Rebuilding a draft is harmless to repeat: it redirects to the run.
    "payments.rebuild": {"POST": post(P.PAYMENT_BUILD, Scope.DRAFT_RUN, status=302)},
    "payments.lock": {
        "GET": page(P.PAYMENT_LOCK, Scope.DRAFT_RUN),
        "POST": post(P.PAYMENT_LOCK, Scope.DRAFT_RUN),
    },
    "payments.export": {"POST": post(P.PAYMENT_LOCK, Scope.RUN_FILE)},
    "payments.download": {"GET": page(P.PAYMENT_LOCK, Scope.RUN_FILE)},
    "payments.reconcile": {"POST": post(P.PAYMENT_LOCK, Scope.RUN_FILE)},
    # imports (each kind of list also needs its own permission: the people list's is the same)
    "imports.index": {"GET": page(IMPORTS)},
    "imports.template": {"GET": page(IMPORTS)},
    "imports.upload": {"POST": post(IMPORTS)},
    # Not mapped yet: the check and the preview send back to the mapping page.
    "imports.mapping": {"GET": page(IMPORTS, Scope.UPLOAD), "POST": post(IMPORTS, Scope.UPLOAD)},
    "imports.preview_rows": {"GET": page(IMPORTS, Scope.UPLOAD, status=302)},
    "imports.check": {"POST": post(IMPORTS, Scope.UPLOAD, status=302)},
    "imports.job": {"GET": page(IMPORTS, Scope.JOB)},
    # The job's file is gone from the server: import and retry are refused as conflicts.
    "imports.import_rows": {"POST": post(IMPORTS, Scope.JOB, status=409)},
    "imports.retry": {"POST": post(IMPORTS, Scope.JOB, status=409)},
    # No workbook of rejected rows: back to the job page with a message.
    "imports.errors_workbook": {"GET": page(IMPORTS, Scope.JOB, status=302)},
    # Reports: a unit outside the officer's area is 404, like a record.
    "reports.dashboard": {"GET": page(P.REPORT_READ, Scope.UNIT)},
    "reports.annual": {"GET": page(P.REPORT_READ, Scope.UNIT)},
    "reports.dashboard_file": {"GET": page(P.REPORT_READ, Scope.UNIT, url={"fmt": "xlsx"})},
    "reports.annual_file": {"GET": page(P.REPORT_READ, Scope.UNIT, url={"fmt": "pdf"})},
    "reports.drill": {
        "GET": page(
            P.REPORT_READ,
            Scope.UNIT,
            query={"indicator": "children_u36_poor", "part": "numerator"},
        )
    },
    "reports.poverty_households": {
        "GET": page(
            P.REPORT_READ, Scope.UNIT, query={"commune": "19789", "year": 2025, "status": "poor"}
        )
    },
}

#: A poverty review result the API accepts, so the matrix reaches the permission check.
POVERTY_BODY = {"review_year": 2024, "status": "near_poor", "area": "urban"}

#: The JSON API under /api/v1, authenticated by bearer tokens only.
API_RULES: dict[str, dict[str, Rule]] = {
    "api.openapi_json": {"GET": page(PUBLIC)},
    "api.docs": {"GET": page(PUBLIC)},
    "api_people.search": {"GET": page(P.PERSON_READ)},
    "api_people.get": {"GET": page(P.PERSON_READ, Scope.PERSON)},
    "api_people.circumstances": {"GET": page(P.PERSON_READ, Scope.PERSON)},
    "api_people.eligibility": {"GET": page(P.PERSON_READ, Scope.PERSON)},
    "api_people.search_by_cccd": {
        "POST": post(P.PERSON_READ, Scope.CCCD_IN_BODY, status=200, body={"cccd": "$cccd"})
    },
    "api_households.list_households": {"GET": page(P.HOUSEHOLD_READ)},
    "api_households.get": {"GET": page(P.HOUSEHOLD_READ, Scope.HOUSEHOLD)},
    "api_households.record_poverty": {
        "POST": post(P.POVERTY_WRITE, Scope.HOUSEHOLD, status=201, body=POVERTY_BODY)
    },
    "api_decisions.list_decisions": {"GET": page(P.DECISION_READ)},
    "api_decisions.get": {"GET": page(P.DECISION_READ, Scope.DECISION)},
    "api_payments.list_runs": {"GET": page(P.PAYMENT_READ)},
    "api_payments.get": {"GET": page(P.PAYMENT_READ, Scope.DRAFT_RUN)},
    "api_payments.lines": {"GET": page(P.PAYMENT_READ, Scope.DRAFT_RUN)},
}

#: Endpoints the matrix leaves out, and why.
NOT_ROUTES = {"static": "files of static/, the same for everyone"}


def declared(endpoint: str) -> dict[str, Rule] | None:
    return WEB_RULES.get(endpoint) or API_RULES.get(endpoint)


def expected(rule: Rule, *, role: Role | None, side: str, api: bool) -> tuple[int, ...]:
    """The statuses ``role`` (None: anonymous) gets on an ``own`` or ``foreign`` record."""
    if role is None:
        if rule.access == PUBLIC:
            return rule.anonymous or rule.allowed
        return (401,) if api else (302,)
    if not rule.grants(role):
        return (403,)
    if side == "foreign" and rule.scope is not Scope.NONE:
        return (404,)
    return rule.allowed
