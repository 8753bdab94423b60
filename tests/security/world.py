"""The records the security matrices ask for: two wards of Huế, a user per role, their files."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import scoped_session, sessionmaker

from registry.auth.actors import Actor
from registry.auth.models import User
from registry.auth.permissions import Role
from registry.auth.tokens import create_token
from registry.decisions.services import appraise_decision, approve_decision, propose_decision
from registry.eligibility.engine import load_law
from registry.extensions import db, keys
from registry.households.models import Area, PovertyStatus
from registry.households.services import set_poverty_status
from registry.imports.uploads import store_upload
from registry.jobs.models import Job, JobStatus
from registry.payments.exporting import Payer, export_run
from registry.payments.services import build_run, lock_run
from registry.people.circumstances import add_circumstance
from registry.people.models import CircumstanceKind, Sex
from tests import factories
from tests.conftest import PASSWORD, TODAY, WARD_A, WARD_B
from tests.imports.helpers import person_row, template_xlsx
from tests.security.route_rules import Scope

NOV, OCT = date(2026, 11, 1), date(2026, 10, 1)
#: Where each user sits: a commune officer's ward, or the whole province (Huế, 46).
LEVELS = {"commune": WARD_A, "province": "46"}
#: The owner of commune B's uploads, jobs and tokens: "another user" for everyone.
OTHER = "sec-other-b"
PAYER = Payer("PHONG VAN HOA XA HOI", "1234567890", "970405")


@dataclass
class Ward:
    """One ward's records, named by the scopes of route_rules."""

    person: str
    other_person: str
    cccd: str
    circumstance: int
    household: str
    decision: str
    draft_run: str
    locked_run: str
    file: str
    unit_code: str


@dataclass
class World:
    """Ward A's records ("own" to its users), ward B's ("foreign"), and the users' own files."""

    own: Ward
    foreign: Ward
    #: username → user id; the matrix users are "sec-<role>-<level>".
    user_ids: dict[str, int] = field(default_factory=dict)
    uploads: dict[str, str] = field(default_factory=dict)
    jobs: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)
    #: username → a raw API token of that user.
    api_tokens: dict[str, str] = field(default_factory=dict)

    def values(self, scope: Scope, side: str, username: str) -> dict[str, Any]:
        """URL values (and form fields) naming a record of ``scope``: the user's own, or
        one outside their area or belonging to someone else (``side == "foreign"``)."""
        area = self.own if side == "own" else self.foreign
        owner = username if side == "own" else OTHER
        match scope:
            case Scope.NONE | Scope.CCCD_IN_BODY | Scope.PERSON_IN_FORM | Scope.UNIT:
                return {}
            case Scope.PERSON:
                return {"person_id": area.person}
            case Scope.PERSON_PAIR:
                return {"person_id": self.own.person, "other_id": area.other_person}
            case Scope.CIRCUMSTANCE:
                return {"person_id": area.person, "cid": area.circumstance}
            case Scope.HOUSEHOLD:
                return {"household_id": area.household}
            case Scope.DECISION:
                return {"decision_id": area.decision}
            case Scope.DRAFT_RUN:
                return {"run_id": area.draft_run}
            case Scope.RUN_FILE:
                return {"run_id": area.locked_run, "file_id": area.file}
            case Scope.JOB:
                return {"job_id": self.jobs[owner]}
            case Scope.UPLOAD:
                return {"token": self.uploads[owner]}
            case Scope.TOKEN:
                return {"token_id": self.tokens[owner]}
        raise AssertionError(f"no records for scope {scope}")

    def query(self, scope: Scope, side: str, query: dict[str, Any]) -> dict[str, Any]:
        """The query string, with the unit it names filled in."""
        if scope is Scope.UNIT:
            return {**query, "unit": (self.own if side == "own" else self.foreign).unit_code}
        return query

    def body(self, scope: Scope, side: str, body: dict[str, Any]) -> dict[str, Any]:
        """The form or JSON body, with the record it names filled in."""
        area = self.own if side == "own" else self.foreign
        filled = {k: (area.cccd if v == "$cccd" else v) for k, v in body.items()}
        if scope is Scope.PERSON_IN_FORM:
            filled["person_id"] = area.person
        return filled


def username(role: Role, level: str) -> str:
    return f"sec-{role.value}-{level}"


def _area(code: str, system: Actor, folder: Path, name: str) -> Ward:
    law = load_law()
    home = factories.household(code, actor=system, today=TODAY)
    set_poverty_status(
        home,
        review_year=2025,
        status=PovertyStatus.POOR,
        area=Area.URBAN,
        actor=system,
        today=TODAY,
    )
    cccd = factories.cccd(Sex.FEMALE, 1950)
    elder = factories.person(
        actor=system,
        today=TODAY,
        household=home,
        sex=Sex.FEMALE,
        full_name=name,
        birth_date=date(1950, 4, 2),
        cccd_number=cccd,
    )
    circumstance = add_circumstance(
        elder,
        kind=CircumstanceKind.NO_SUPPORTER,
        started_on=date(2020, 1, 1),
        actor=system,
        today=TODAY,
    )
    other = factories.person(
        actor=system,
        today=TODAY,
        commune_code=code,
        full_name="Trần Văn Tâm",
        birth_date=date(1979, 2, 3),
    )
    decision = propose_decision(
        elder, group_code="sa.5.5a", month=NOV, actor=system, today=TODAY, law=law
    )
    appraise_decision(decision, eligible=True, note="", actor=system)
    approve_decision(
        decision,
        number="9/QĐ",
        decided_on=date(2026, 11, 20),
        signer="Chủ tịch",
        actor=system,
        today=TODAY,
    )
    unit = factories.unit(code)
    locked = build_run(NOV, unit=unit, actor=system, today=TODAY, law=law)
    lock_run(locked, actor=system)
    stored, _ = export_run(
        locked,
        fmt="post-xlsx",
        out_dir=folder / str(locked.id),
        payer=PAYER,
        actor=system,
        cipher=keys.cipher,
    )
    draft = build_run(OCT, unit=unit, actor=system, today=TODAY, law=law)
    return Ward(
        person=str(elder.id),
        other_person=str(other.id),
        cccd=cccd,
        circumstance=circumstance.id,
        household=str(home.id),
        decision=str(decision.id),
        draft_run=str(draft.id),
        locked_run=str(locked.id),
        file=str(stored.id),
        unit_code=code,
    )


def _owned(world: World, name: str, unit_code: str, imports: Path) -> None:
    """An upload, a finished check whose file is gone, and an API token of user ``name``."""
    user = db.session.get(User, world.user_ids[name])
    unit = factories.unit(unit_code)
    content = template_xlsx([person_row("HB-1", "Ngô Thị Lan", commune=unit_code)])
    upload = store_upload(
        imports,
        "danh-sach.xlsx",
        lambda path: path.write_bytes(content),
        user_id=user.id,
        commune_id=unit.id,
        on_duplicate="update",
    )
    world.uploads[name] = upload.token
    job = Job(
        id=uuid.uuid4(),
        kind="people_import",
        status=JobStatus.DONE,
        created_by_id=user.id,
        unit_id=unit.id,
        params={"mode": "check", "filename": "danh-sach.xlsx", "commune_code": unit_code},
        result={"rows": 1, "problems": [], "problems_total": 0},
        input_path=None,
    )
    db.session.add(job)
    world.jobs[name] = str(job.id)
    token, raw = create_token(
        user, name="matrix", expires_on=None, actor=user.as_actor(), today=TODAY
    )
    world.tokens[name] = token.id
    world.api_tokens[name] = raw


def build_world(exports: Path, imports: Path) -> World:
    """Wards A and B with a person, household, decision, runs and an exported file each; a
    user per role at ward A and at the province; each user's upload, job and token."""
    system = Actor.system("security tests")
    world = World(
        own=_area(WARD_A, system, exports, "Lê Thị Cúc"),
        foreign=_area(WARD_B, system, exports, "Phan Thị Mai"),
    )
    people = [(username(r, level), r, code) for r in Role for level, code in LEVELS.items()]
    for name, role, code in [*people, (OTHER, Role.COMMUNE_OFFICER, WARD_B)]:
        user = factories.user(name, role=role, unit_code=code, password=PASSWORD)
        world.user_ids[name] = user.id
    db.session.flush()
    for name, _, _ in people:
        _owned(world, name, WARD_A, imports)
    _owned(world, OTHER, WARD_B, imports)
    db.session.flush()
    return world


@contextmanager
def world_in_transaction(app: Flask, folder: Path) -> Iterator[World]:
    """Build the world inside one transaction rolled back at the end, as tests/conftest.py's
    ``session`` does per test; the app's settings point at ``folder`` meanwhile.

    No app context stays open: each request pushes its own, so ``g`` (Flask-Login's user)
    never leaks from one request into the next.
    """
    exports, imports = folder / "exports", folder / "imports"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("registry.web.setup.office_today", lambda: TODAY)
        for key, value in {
            "REGISTRY_EXPORT_DIR": str(exports),
            "REGISTRY_IMPORT_DIR": str(imports),
            "REGISTRY_JOBS_INLINE": True,
            "REGISTRY_PAYER_NAME": PAYER.name,
            "REGISTRY_PAYER_ACCOUNT": PAYER.account,
            "REGISTRY_PAYER_BIN": PAYER.bank_bin,
        }.items():
            patch.setitem(app.config, key, value)
        with app.app_context():
            connection = db.engine.connect()
            outer = connection.begin()
        original = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
        )
        try:
            with app.app_context():
                world = build_world(exports, imports)
                db.session.commit()
            yield world
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the first form on the page at ``path``."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class Clients:
    """One logged-in test client per user, made on first use and kept for the module."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._clients: dict[str, FlaskClient] = {}

    def fresh(self, name: str) -> FlaskClient:
        """A new client logged in as ``name`` through the log-in form (with its CSRF token)."""
        client = self.app.test_client()
        form = {"username": name, "password": PASSWORD, "csrf_token": csrf_token(client, "/login")}
        response = client.post("/login", data=form)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return client

    def __call__(self, name: str) -> FlaskClient:
        if name not in self._clients:
            self._clients[name] = self.fresh(name)
        return self._clients[name]
