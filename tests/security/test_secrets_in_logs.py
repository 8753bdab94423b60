"""No CCCD, account number, password or API token in any log line, URL or error page of a run."""

from __future__ import annotations

import io
import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest
from flask import Flask, request, request_finished, request_started
from sqlalchemy import select

from registry.auth.models import User
from registry.auth.tokens import create_token
from registry.decisions.services import appraise_decision, approve_decision, propose_decision
from registry.eligibility.engine import load_law
from registry.extensions import db
from registry.households.models import Area, PovertyStatus
from registry.households.services import set_poverty_status
from registry.jobs import services as job_services
from registry.logging import redact
from registry.people.circumstances import add_circumstance
from registry.people.models import CircumstanceKind, Person, Sex
from tests import factories
from tests.conftest import PASSWORD, TODAY, WARD_A
from tests.imports.helpers import plain_xlsx
from tests.security.world import csrf_token

ACCOUNT = "0071000698765"
WRONG_PASSWORD = "Sai-Mat-Khau-Bi-Mat-7"
HEADER = ["Mã HGĐ", "Họ và tên", "QH với CH", "Ngày sinh", "Giới tính", "Số định danh", "Địa chỉ"]
MAPPED = {f"col-{i}": key for i, key in enumerate(
    ["household_code", "full_name", "relation_to_head", "birth_date", "sex", "cccd", "address"]
)}  # fmt: skip


@dataclass
class Run:
    """What a server would have written or shown while the scenario ran."""

    #: The request lines an access log would hold (method, path and query string).
    access: list[str] = field(default_factory=list)
    #: Bodies of error answers: error pages, problem details (not forms shown again).
    errors: list[str] = field(default_factory=list)


@pytest.fixture()
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger at DEBUG, SQLAlchemy's statements, parameters and rows included. Asked
    for before ``session``, so the test's database connection logs too."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")  # SQLAlchemy's own is WARN
    return caplog


@pytest.fixture()
def served(app: Flask) -> Iterator[Run]:
    run = Run()

    def started(sender, **extra):
        run.access.append(f"{request.method} {request.full_path}")

    def finished(sender, response, **extra):
        if response.status_code >= 400 and response.status_code not in (409, 422):
            run.errors.append(response.get_data(as_text=True))

    request_started.connect(started, app)
    request_finished.connect(finished, app)
    yield run
    request_started.disconnect(started, app)
    request_finished.disconnect(finished, app)


@pytest.fixture()
def installation(app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setattr("registry.web.setup.office_today", lambda: TODAY)
    for key, value in {
        "REGISTRY_JOBS_INLINE": True,
        "REGISTRY_IMPORT_DIR": str(tmp_path / "imports"),
        "REGISTRY_EXPORT_DIR": str(tmp_path / "exports"),
        "REGISTRY_PAYER_NAME": "PHONG VAN HOA XA HOI",
        "REGISTRY_PAYER_ACCOUNT": "1234567890",
        "REGISTRY_PAYER_BIN": "970405",
        # As served: an exception becomes the 500 page and a log record, not a test error.
        "PROPAGATE_EXCEPTIONS": False,
    }.items():
        monkeypatch.setitem(app.config, key, value)


def log_in(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def enrol(client, cccd: str) -> Person:
    """A household and its head registered from the page, with a known CCCD."""
    form = {
        "commune_id": str(factories.unit(WARD_A).id),
        "address": "Tổ 9, Thuận Hóa",
        "full_name": "Hoàng Thị Nga",
        "sex": "female",
        "birth_date": "02/04/1950",
        "cccd": cccd,
    }
    assert client.post("/households/new", data=form).status_code == 302
    return db.session.scalar(select(Person).where(Person.full_name == "Hoàng Thị Nga"))


def search_form_method(client) -> str:
    page = client.get("/people/").get_data(as_text=True)
    match = re.search(r'<form method="(\w+)"[^>]*role="search"', page)
    assert match, page[:500]
    return match.group(1).lower()


def approve_benefit(person: Person, actor, today: date) -> None:
    """Poor, with no one to support her: group 5(5)(a), proposed, appraised and approved."""
    officer, labour = actor("commune_a"), actor("labour")
    law = load_law()
    set_poverty_status(
        person.household, review_year=2025, status=PovertyStatus.POOR, area=Area.URBAN,
        actor=officer, today=today,
    )  # fmt: skip
    add_circumstance(
        person, kind=CircumstanceKind.NO_SUPPORTER, started_on=date(2020, 1, 1), actor=officer,
        today=today,
    )  # fmt: skip
    decision = propose_decision(
        person, group_code="sa.5.5a", month=date(2026, 11, 1), actor=officer, today=today, law=law
    )
    appraise_decision(decision, eligible=True, note="", actor=labour)
    approve_decision(
        decision, number="77/QĐ", decided_on=date(2026, 11, 20), signer="Chủ tịch", actor=labour,
        today=today,
    )  # fmt: skip
    db.session.commit()


def pay(client) -> None:
    """Build, lock and export November's list from the pages, and download the files."""
    province = factories.unit("46")
    built = client.post("/payments/build", data={"month": "2026-11", "unit_id": province.id})
    assert built.status_code == 302, built.get_data(as_text=True)[:800]
    run = built.headers["Location"]
    page = client.get(f"{run}/lock").get_data(as_text=True)
    lines = re.search(r'name="lines" value="(\d+)"', page).group(1)
    total = re.search(r'name="total" value="(\d+)"', page).group(1)
    locked = client.post(f"{run}/lock", data={"confirm": "y", "lines": lines, "total": total})
    assert locked.status_code == 302
    for fmt in ("bank-csv", "pain001"):
        assert client.post(f"{run}/export", data={"format": fmt}).status_code == 302, fmt
    page = client.get(run).get_data(as_text=True)
    files = re.findall(r'href="(/payments/[0-9a-f-]+/files/[0-9a-f-]+)"', page)
    assert len(files) == 2
    for path in files:
        assert client.get(path).status_code == 200


def import_rows(client, rows: list[list]) -> str:
    """Upload a commune's list, confirm the columns, check it; the job page's text."""
    sent = client.post(
        "/imports/upload",
        data={
            "commune_id": str(factories.unit(WARD_A).id),
            "on_duplicate": "update",
            "file": (io.BytesIO(plain_xlsx(HEADER, rows)), "ds.xlsx"),
        },
        content_type="multipart/form-data",
    )
    token = re.search(r"/imports/uploads/([\w-]+)/mapping", sent.headers["Location"]).group(1)
    assert client.post(f"/imports/uploads/{token}/mapping", data=MAPPED).status_code == 302
    checked = client.post(f"/imports/uploads/{token}/check")
    return client.get(checked.headers["Location"]).get_data(as_text=True)


def test_a_full_run_leaves_no_secret_in_logs_urls_or_error_pages(
    logs, app, installation, served, session, client, actor, today, monkeypatch, capsys
):
    cccd = factories.cccd(Sex.FEMALE, 1950)
    wrong_province = "999" + cccd[3:]  # a real-looking number the check refuses
    wrong_year = cccd[:4] + "88" + cccd[6:]
    with_letter = cccd[:11] + "X"

    # Log in (a wrong password first), enrol, find by CCCD, reveal, add a bank account.
    assert log_in(client, "commune_a", WRONG_PASSWORD).status_code == 401
    assert log_in(client, "commune_a").status_code == 302
    person = enrol(client, cccd)
    typed = {"q": cccd, "csrf_token": csrf_token(client, "/people/")}
    if search_form_method(client) == "get":
        found = client.get("/people/", query_string=typed)
    else:
        found = client.post("/people/", data=typed)
    assert found.status_code == 302 and found.headers["Location"] == f"/people/{person.id}"
    assert cccd in client.post(f"/people/{person.id}/reveal").get_data(as_text=True)
    account = {"channel": "bank", "bank_bin": "970436", "account_number": ACCOUNT}
    assert client.post(f"/people/{person.id}/account", data=account).status_code == 302

    # A benefit, then the payment list built, locked, exported and downloaded.
    approve_benefit(person, actor, today)
    client.post("/logout")
    log_in(client, "accountant")
    pay(client)
    client.post("/logout")

    # A list with broken CCCDs: the report names row and column, never the whole number.
    log_in(client, "commune_a")
    report = import_rows(
        client,
        [
            ["HB-LOG", "Đặng Văn Lộc", "Chủ hộ", "01/01/1960", "Nam", wrong_province, "Tổ 1"],
            ["HB-LOG", "Đặng Thị Mơ", "Vợ", "01/01/1962", "Nữ", wrong_year, None],
            ["HB-LOG", "Đặng Văn Nam", "Con", "01/01/1990", "Nam", with_letter, None],
        ],
    )
    assert 'data-row="' in report
    for number in (wrong_province, wrong_year, with_letter):
        assert number not in report

    # Unexpected failures whose messages hold the secrets: a page, and an import job.
    leak = f"decryption failed for {cccd}, account {ACCOUNT}, password={PASSWORD}"

    def broken(*args, **kwargs):
        raise RuntimeError(leak)

    monkeypatch.setattr("registry.people.views.pages.subject_events", broken)
    failed = client.get(f"/people/{person.id}")
    assert failed.status_code == 500
    monkeypatch.setitem(job_services.HANDLERS, "people_import", broken)
    job_page = import_rows(client, [["HB-X", "Lò Văn Pá", "Chủ hộ", "1970", "Nam", cccd, None]])
    assert cccd not in job_page

    # The API: a look-up by CCCD, found, refused and unknown.
    user = db.session.scalar(select(User).where(User.username == "commune_a"))
    _, raw = create_token(user, name="logs", expires_on=None, actor=user.as_actor(), today=today)
    db.session.commit()
    bearer = {"Authorization": f"Bearer {raw}"}
    for number, status in ((cccd, 200), (wrong_province, 422), (factories.cccd("male", 1980), 404)):
        answer = client.post("/api/v1/people/search-by-cccd", json={"cccd": number}, headers=bearer)
        assert answer.status_code == status, answer.get_data(as_text=True)

    printed = capsys.readouterr()
    text = "\n".join([logs.text, printed.out, printed.err])
    secrets = {
        "CCCD": cccd,
        "refused CCCD": wrong_province,
        "CCCD with a wrong year": wrong_year,
        "CCCD with a letter": with_letter,
        "account number": ACCOUNT,
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "API token": raw,
    }
    places = {"log": text, "URL": "\n".join(served.access), "error page": "\n".join(served.errors)}
    leaks = [
        f"{what} in a {where}"
        for what, value in secrets.items()
        for where, haystack in places.items()
        if value in haystack
    ]
    assert not leaks, leaks
    # The checks above looked at something: SQL was logged, both failures were reported
    # (with the numbers masked), and the 500 page was collected.
    assert "SELECT" in text and "INSERT INTO audit_events" in text
    assert "Exception on /people/" in text and "job " in text and "failed" in text
    assert redact(leak) in text and "*" * 10 + cccd[-2:] in text
    assert any("500" in body or "lỗi" in body.lower() for body in served.errors)


@pytest.mark.parametrize(
    ("line", "kept", "gone"),
    [
        ("lookup 046150123456 failed", "**********56", "046150123456"),
        ("CCCD 046 150 123 456", "**********56", "150 123"),
        ("CMND 123456789", "*******89", "123456789"),
        ("account 9704360071000612", "**************12", "9704360071000612"),
        ("form {'username': 'a', 'password': 'p@ss w0rd'}", "'username': 'a'", "p@ss"),
        ("password=hunter22&next=/", "&next=/", "hunter22"),
        ("Authorization: Bearer rgt_Q1PR7sSwE3InoZQb7RrL", "rgt_[redacted]", "Q1PR7sSw"),
        ("run 2026-11-29 10:00:00 for 1.500.000 đ", "2026-11-29 10:00:00 for 1.500.000", ""),
        (f"job {uuid.UUID(int=7)}", str(uuid.UUID(int=7))[:24], "never-there"),
    ],
)
def test_the_log_filter_masks_numbers_passwords_and_tokens(line, kept, gone):
    redacted = redact(line)
    assert kept in redacted
    assert not gone or gone not in redacted
