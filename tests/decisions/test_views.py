"""The decision pages: worklists per role, each step's form, scope, and the whole workflow."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.decisions.models import BenefitDecision, DecisionStatus
from registry.decisions.services import (
    appraise_decision,
    approve_decision,
    propose_decision,
)
from registry.eligibility.engine import load_law
from registry.extensions import db
from registry.people.circumstances import add_circumstance
from registry.people.models import CircumstanceKind
from registry.people.services import record_death
from tests import factories
from tests.conftest import WARD_A, WARD_B
from tests.web.conftest import fresh_g_per_request, office_clock  # noqa: F401 (autouse)

LAW = load_law()
NOV = date(2026, 11, 1)
ROLES = ["admin", "labour", "commune_a", "accountant", "auditor", "leader"]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def actions_about(decision) -> list[AuditAction]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_id == str(decision.id))
            .order_by(AuditEvent.id)
        )
    )


def tab_count(page: str, tab: str) -> int:
    found = re.search(rf'data-testid="tab-{tab}"[^>]*>[^<]*<span class="count">(\d+)</span>', page)
    assert found, f"no tab {tab}"
    return int(found[1])


@pytest.fixture()
def elder(session, actor, today):
    """A poor woman aged 76 with no one to support her in ward A: group 5(5)(a), 810.000 đ."""
    person = factories.poor_elder(actor=actor("commune_a"), today=today, commune_code=WARD_A)
    db.session.commit()
    return person


def propose(person, actor, today, who="commune_a", month=NOV, group="sa.5.5a"):
    decision = propose_decision(
        person, group_code=group, month=month, actor=actor(who), today=today, law=LAW
    )
    db.session.commit()
    return decision


@pytest.fixture()
def proposed(elder, actor, today):
    return propose(elder, actor, today)


@pytest.fixture()
def approved(proposed, actor, today):
    appraise_decision(proposed, eligible=True, note="", actor=actor("labour"))
    approve_decision(
        proposed,
        number="125/QĐ-UBND",
        decided_on=date(2026, 11, 20),
        signer="Chủ tịch UBND phường",
        actor=actor("labour"),
        today=today,
    )
    db.session.commit()
    return proposed


def url(decision, step: str = "") -> str:
    return f"/decisions/{decision.id}" + (f"/{step}" if step else "")


# --- who sees what ---------------------------------------------------------------------

TABS = {
    "admin": {"to_appraise", "to_approve", "events", "all"},
    "labour": {"to_appraise", "to_approve", "events", "all"},
    "commune_a": {"proposals", "rejected", "all"},
    "accountant": {"all"},
    "auditor": {"all"},
    "leader": {"all"},
}
ALL_TABS = {"to_appraise", "to_approve", "events", "proposals", "rejected", "all"}


@pytest.mark.parametrize("role", ROLES)
def test_the_worklist_shows_each_role_its_own_tabs(client, login, proposed, role):
    login(role)
    response = client.get("/decisions/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    shown = {t for t in ALL_TABS if f'data-testid="tab-{t}"' in page}
    assert shown == TABS[role]
    assert "Lê Thị Cúc" in page  # the first tab of every role lists the proposal


def test_the_labour_office_counts_what_waits_for_it(client, login, proposed, elder, actor, today):
    login("labour")
    page = client.get("/decisions/").get_data(as_text=True)
    assert (tab_count(page, "to_appraise"), tab_count(page, "to_approve")) == (1, 0)
    assert tab_count(page, "all") == 1
    assert (
        client.get("/decisions/?tab=to_approve")
        .get_data(as_text=True)
        .count('data-testid="decision-row"')
        == 0
    )


@pytest.mark.parametrize("role", ROLES)
def test_the_decision_page_renders_for_every_reader_in_scope(client, login, proposed, role):
    login(role)
    response = client.get(url(proposed))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Lê Thị Cúc" in page and "810.000 đ" in page
    assert "Decree 20/2021/NĐ-CP art. 6(1)(đ)" in page  # the legal reference
    assert ('data-testid="form-appraise"' in page) == (role in ("admin", "labour"))


def test_another_communes_decision_is_not_found(client, login, proposed, elder):
    login("commune_b")
    assert client.get(url(proposed)).status_code == 404
    before = count(BenefitDecision)
    response = client.post(
        "/decisions/propose",
        data={"person_id": str(elder.id), "group": "sa.5.5c", "month": "2026-11"},
    )
    assert response.status_code == 404 and count(BenefitDecision) == before
    assert client.get("/decisions/00000000-0000-0000-0000-000000000000").status_code == 404


@pytest.mark.parametrize(
    ("role", "step", "form"),
    [
        ("commune_a", "appraise", {"outcome": "eligible"}),
        ("accountant", "appraise", {"outcome": "eligible"}),
        ("commune_a", "approve", {"number": "1", "decided_on": "20/11/2026", "signer": "X"}),
        ("auditor", "suspend", {"suspend_from": "12/2026", "suspend_reason": "x"}),
        ("leader", "suspend", {"suspend_from": "12/2026", "suspend_reason": "x"}),
        ("accountant", "end", {"last_month": "12/2026", "end_reason": "x"}),
    ],
)
def test_steps_are_refused_to_roles_without_the_right(client, login, proposed, role, step, form):
    login(role)
    before = count(AuditEvent)
    assert client.post(url(proposed, step), data=form).status_code == 403
    assert count(AuditEvent) == before
    assert db.session.get(BenefitDecision, proposed.id).status is DecisionStatus.PROPOSED


@pytest.mark.parametrize("role", ["accountant", "auditor", "leader"])
def test_read_only_roles_cannot_propose(client, login, elder, role):
    login(role)
    page = client.get(f"/people/{elder.id}").get_data(as_text=True)
    assert "/decisions/propose" not in page
    response = client.post(
        "/decisions/propose",
        data={"person_id": str(elder.id), "group": "sa.5.5a", "month": "2026-11"},
    )
    assert response.status_code == 403 and count(BenefitDecision) == 0


# --- the whole workflow through the web ------------------------------------------------


def propose_form(page: str, group: str) -> dict:
    item = page.split(f'data-testid="propose-{group}"', 1)[1].split("</li>", 1)[0]
    assert 'action="/decisions/propose"' in item
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', item))


def test_the_whole_workflow_from_the_person_page_to_the_end(client, login, elder):
    login("commune_a")
    person_page = client.get(f"/people/{elder.id}").get_data(as_text=True)
    form = propose_form(person_page, "sa.5.5a")
    assert form.pop("csrf_token")
    assert form == {"person_id": str(elder.id), "group": "sa.5.5a", "month": "2026-11"}
    response = client.post("/decisions/propose", data=form)
    assert response.status_code == 302
    decision = db.session.scalar(select(BenefitDecision).where(BenefitDecision.person == elder))
    assert response.headers["Location"] == url(decision)
    assert decision.status is DecisionStatus.PROPOSED and decision.proposed_amount == 810_000
    person_page = client.get(f"/people/{elder.id}").get_data(as_text=True)
    assert 'data-testid="person-decisions"' in person_page and url(decision) in person_page
    assert 'data-testid="open-decision"' in person_page.split('data-testid="propose-sa.5.5a"')[1]

    client.post("/logout")
    login("labour")
    assert client.post(url(decision, "appraise"), data={"outcome": "eligible"}).status_code == 302
    assert decision.status is DecisionStatus.APPRAISED
    response = client.post(
        url(decision, "approve"),
        data={"number": "125/QĐ-UBND", "decided_on": "20/11/2026", "signer": "Chủ tịch UBND"},
    )
    assert response.status_code == 302
    db.session.refresh(decision)
    assert decision.status is DecisionStatus.APPROVED and decision.start_month == NOV
    page = client.get(url(decision)).get_data(as_text=True)
    assert re.search(r'data-testid="start-month">\s*11/2026', page)
    assert "125/QĐ-UBND" in page and "20/11/2026" in page
    for step in ("suspend", "end"):
        assert f'data-testid="form-{step}"' in page
    assert 'data-testid="form-resume"' not in page

    data = {"suspend_from": "12/2026", "suspend_reason": "Không nhận 3 tháng liên tiếp"}
    assert client.post(url(decision, "suspend"), data=data).status_code == 302
    db.session.refresh(decision)
    assert (decision.status, decision.suspended_from) == (
        DecisionStatus.SUSPENDED,
        date(2026, 12, 1),
    )
    data = {"resume_from": "01/2027", "resume_reason": "Đã đến nhận"}
    assert client.post(url(decision, "resume"), data=data).status_code == 302
    db.session.refresh(decision)
    assert decision.status is DecisionStatus.APPROVED
    data = {"last_month": "02/2027", "end_reason": "Chuyển đi nơi khác"}
    assert client.post(url(decision, "end"), data=data).status_code == 302
    db.session.refresh(decision)
    assert (decision.status, decision.end_month) == (DecisionStatus.ENDED, date(2027, 2, 1))

    assert actions_about(decision) == [
        AuditAction.DECISION_PROPOSE,
        AuditAction.DECISION_APPRAISE,
        AuditAction.DECISION_APPROVE,
        AuditAction.DECISION_SUSPEND,
        AuditAction.DECISION_RESUME,
        AuditAction.DECISION_END,
    ]
    page = client.get(url(decision)).get_data(as_text=True)
    history = page.split('data-testid="history"')[1].split("</table>")[0]
    assert history.count("<tr>") == 7  # the header and six steps
    assert "Chuyển đi nơi khác" in page  # the reason of the latest change
    assert "<form" not in page.split('data-testid="decision"')[1].split("<h2>")[0]
    # the group is free again: it may be proposed anew
    person_page = client.get(f"/people/{elder.id}").get_data(as_text=True)
    assert propose_form(person_page, "sa.5.5a")["group"] == "sa.5.5a"


def test_proposing_twice_is_refused_with_a_message(client, login, elder, proposed):
    login("commune_a")
    before = count(AuditEvent)
    response = client.post(
        "/decisions/propose",
        data={"person_id": str(elder.id), "group": "sa.5.5a", "month": "2026-11"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/people/{elder.id}")
    assert count(BenefitDecision) == 1 and count(AuditEvent) == before
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="flash"' in page and "sa.5.5a" in page


def test_a_group_the_law_does_not_give_is_not_proposed(client, login, elder):
    login("commune_a")
    response = client.post(
        "/decisions/propose",
        data={"person_id": str(elder.id), "group": "sa.5.6", "month": "2026-11"},
    )
    assert response.status_code == 302 and count(BenefitDecision) == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "không được hưởng chế độ thuộc diện sa.5.6" in page


# --- rejected input --------------------------------------------------------------------


def test_a_refusal_needs_a_reason_and_the_commune_sees_it(client, login, proposed):
    login("labour")
    before = count(AuditEvent)
    response = client.post(url(proposed, "appraise"), data={"outcome": "rejected", "note": " "})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="e-note"' in page and "Nhập lý do không đủ điều kiện." in page
    assert count(AuditEvent) == before
    assert db.session.get(BenefitDecision, proposed.id).status is DecisionStatus.PROPOSED

    response = client.post(url(proposed, "appraise"), data={"outcome": ""})
    assert response.status_code == 422 and 'id="e-outcome"' in response.get_data(as_text=True)

    reason = "Có con đang phụng dưỡng"
    data = {"outcome": "rejected", "note": reason}
    assert client.post(url(proposed, "appraise"), data=data).status_code == 302
    assert actions_about(proposed)[-1] is AuditAction.DECISION_REJECT
    client.post("/logout")
    login("commune_a")
    page = client.get("/decisions/?tab=rejected").get_data(as_text=True)
    assert tab_count(page, "rejected") == 1 and reason in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"number": ""}, "number", "Nhập số quyết định."),
        ({"decided_on": "05/12/2026"}, "decided_on", "Ngày ký quyết định ở tương lai."),
        ({"decided_on": "31/02/2026"}, "decided_on", "Ngày không hợp lệ"),
        ({"decided_on": ""}, "decided_on", "Mục này bắt buộc phải nhập."),
        ({"signer": "  "}, "signer", "Nhập người ký quyết định."),
    ],
)
def test_a_rejected_approval_names_the_field_and_writes_nothing(
    client, login, proposed, actor, overrides, field, message
):
    appraise_decision(proposed, eligible=True, note="", actor=actor("labour"))
    db.session.commit()
    login("labour")
    before = count(AuditEvent)
    form = {"number": "125/QĐ-UBND", "decided_on": "20/11/2026", "signer": "Chủ tịch UBND"}
    response = client.post(url(proposed, "approve"), data={**form, **overrides})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="e-{field}"' in page and message in page
    assert 'aria-invalid="true"' in page
    if field != "number":
        assert 'value="125/QĐ-UBND"' in page  # what was typed stays
    decision = db.session.get(BenefitDecision, proposed.id)
    assert decision.status is DecisionStatus.APPRAISED and decision.decision_number is None
    assert count(AuditEvent) == before


@pytest.mark.parametrize(
    ("step", "form", "field", "message"),
    [
        (
            "suspend",
            {"suspend_from": "10/2026", "suspend_reason": "x"},
            "suspend_from",
            "Tháng này trước tháng bắt đầu hưởng (11/2026).",
        ),
        ("suspend", {"suspend_from": "13/2026", "suspend_reason": "x"}, "suspend_from", None),
        (
            "suspend",
            {"suspend_from": "12/2026", "suspend_reason": ""},
            "suspend_reason",
            "Nhập lý do.",
        ),
        ("end", {"last_month": "12/2026", "end_reason": " "}, "end_reason", "Nhập lý do."),
        (
            "end",
            {"last_month": "09/2026", "end_reason": "Qua đời"},
            "last_month",
            "Tháng này trước tháng bắt đầu hưởng (11/2026).",
        ),
    ],
)
def test_a_rejected_suspension_or_end_names_the_field_and_writes_nothing(
    client, login, approved, step, form, field, message
):
    login("labour")
    before = count(AuditEvent)
    response = client.post(url(approved, step), data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="e-{field}"' in page
    if message:
        assert message in page
    decision = db.session.get(BenefitDecision, approved.id)
    assert decision.status is DecisionStatus.APPROVED and decision.suspended_from is None
    assert count(AuditEvent) == before


def test_a_step_out_of_order_is_a_conflict(client, login, proposed):
    login("labour")
    form = {"number": "1/QĐ", "decided_on": "20/11/2026", "signer": "X"}
    response = client.post(url(proposed, "approve"), data=form)
    assert response.status_code == 409
    assert 'data-testid="form-error"' in response.get_data(as_text=True)
    assert db.session.get(BenefitDecision, proposed.id).status is DecisionStatus.PROPOSED


# --- events, filters, sensitive groups, CSRF -------------------------------------------


def test_a_death_appears_among_the_events_with_a_link_to_end(client, login, elder, actor, today):
    decision = propose(elder, actor, today, month=date(2026, 9, 1))
    appraise_decision(decision, eligible=True, note="", actor=actor("labour"))
    approve_decision(
        decision,
        number="88/QĐ-UBND",
        decided_on=date(2026, 9, 10),
        signer="Chủ tịch UBND phường",
        actor=actor("labour"),
        today=today,
    )
    record_death(elder, died_on=date(2026, 10, 5), actor=actor("commune_a"), today=today)
    db.session.commit()
    login("labour")
    page = client.get("/decisions/?tab=events").get_data(as_text=True)
    assert tab_count(page, "events") == 1
    row = page.split('data-testid="event-death"')[1].split("</tr>")[0]
    assert "05/10/2026" in row and f'href="{url(decision)}#end"' in row
    show = client.get(url(decision)).get_data(as_text=True)
    assert 'name="last_month" value="10/2026"' in show  # the month of death is proposed


def test_the_full_list_filters_by_name_status_and_commune(
    client, login, elder, actor, today, monkeypatch
):
    other = factories.poor_elder(
        actor=actor("commune_b"), today=today, commune_code=WARD_B, full_name="Trần Văn Tư"
    )
    db.session.commit()
    propose(elder, actor, today)
    propose(other, actor, today, who="commune_b")
    login("labour")
    page = client.get("/decisions/?tab=all").get_data(as_text=True)
    assert "Lê Thị Cúc" in page and "Trần Văn Tư" in page and tab_count(page, "all") == 2
    page = client.get("/decisions/?tab=all&q=tu+tran").get_data(as_text=True)
    assert "Lê Thị Cúc" not in page and "Trần Văn Tư" in page
    ward_b = factories.unit(WARD_B).id
    page = client.get(f"/decisions/?tab=all&commune={ward_b}").get_data(as_text=True)
    assert "Lê Thị Cúc" not in page and "Trần Văn Tư" in page
    page = client.get("/decisions/?tab=all&status=approved").get_data(as_text=True)
    assert page.count('data-testid="decision-row"') == 0
    monkeypatch.setattr("registry.decisions.views.PER_PAGE", 1)
    page = client.get("/decisions/?tab=all").get_data(as_text=True)
    assert page.count('data-testid="decision-row"') == 1 and 'rel="next"' in page
    page = client.get("/decisions/?tab=all&page=x").get_data(as_text=True)
    assert 'data-testid="form-errors"' in page
    client.post("/logout")
    login("commune_a")
    page = client.get("/decisions/?tab=all").get_data(as_text=True)
    assert "Lê Thị Cúc" in page and "Trần Văn Tư" not in page


def test_a_decision_naming_hiv_status_is_hidden_from_roles_that_may_not_know_it(
    client, login, elder, actor, today
):
    officer = actor("commune_a")
    person = factories.person(
        actor=officer,
        today=today,
        household=elder.household,
        full_name="Mai Văn Hùng",
        birth_date=date(1984, 1, 1),
    )
    add_circumstance(
        person, kind=CircumstanceKind.HIV, started_on=date(2020, 1, 1), actor=officer, today=today
    )
    db.session.commit()
    decision = propose(person, actor, today, group="sa.5.8")
    login("commune_a")
    assert "Mai Văn Hùng" in client.get("/decisions/?tab=all").get_data(as_text=True)
    assert client.get(url(decision)).status_code == 200
    client.post("/logout")
    login("auditor")
    assert "Mai Văn Hùng" not in client.get("/decisions/?tab=all&group=sa.5.8").get_data(
        as_text=True
    )
    page = client.get("/decisions/?tab=all").get_data(as_text=True)
    assert "Mai Văn Hùng" not in page and "sa.5.8" not in page and tab_count(page, "all") == 0
    assert client.get(url(decision)).status_code == 404
    assert "sa.5.8" not in client.get(f"/people/{person.id}").get_data(as_text=True)


def test_steps_need_the_csrf_token_when_it_is_enabled(app, client, login, proposed):
    login("labour")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get(url(proposed)).get_data(as_text=True)
        refused = client.post(url(proposed, "appraise"), data={"outcome": "eligible"})
        assert refused.status_code == 302
        assert db.session.get(BenefitDecision, proposed.id).status is DecisionStatus.PROPOSED
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        accepted = client.post(
            url(proposed, "appraise"), data={"outcome": "eligible", "csrf_token": token}
        )
        assert accepted.status_code == 302
        db.session.refresh(proposed)
        assert proposed.status is DecisionStatus.APPRAISED
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
