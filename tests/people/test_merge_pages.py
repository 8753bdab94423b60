"""The merge pages: choose the other record, compare both, confirm once; a merged page redirects."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from registry.audit.actions import AuditAction
from registry.audit.models import AuditEvent
from registry.extensions import db
from registry.people.models import Person, Sex
from tests import factories
from tests.conftest import TODAY, WARD_A

# The web tests' clock and per-request ``g``, shared rather than copied.
from tests.web.conftest import fresh_g_per_request, office_clock  # noqa: F401


@pytest.fixture()
def pair(actor):
    """Two records of one woman: the registered one, and one typed again without CCCD."""
    officer = actor("commune_a")
    home = factories.household(WARD_A, actor=officer, today=TODAY, code="WEB-GOP")
    keep = factories.person(
        actor=officer, today=TODAY, household=home, full_name="Phan Thị Hạnh", sex=Sex.FEMALE,
        birth_date=date(1948, 2, 2),
    )  # fmt: skip
    duplicate = factories.person(
        actor=officer, today=TODAY, commune_code=WARD_A, full_name="Phan Thi Hanh",
        sex=Sex.FEMALE, birth_date=None, birth_year=1948, with_cccd=False,
    )  # fmt: skip
    db.session.commit()
    return keep, duplicate


def test_the_person_page_links_to_the_merge_page_which_lists_the_suspect(client, login, pair):
    keep, duplicate = pair
    login("commune_a")
    page = client.get(f"/people/{keep.id}").get_data(as_text=True)
    assert f"/people/{keep.id}/merge" in page
    choose = client.get(f"/people/{keep.id}/merge").get_data(as_text=True)
    assert f"/people/{keep.id}/merge/{duplicate.id}" in choose
    found = client.get(f"/people/{keep.id}/merge?q=hanh").get_data(as_text=True)
    assert 'data-testid="merge-results"' in found and "Phan Thi Hanh" in found


def test_read_only_roles_cannot_open_the_merge_pages(client, login, pair):
    keep, duplicate = pair
    login("auditor")
    assert client.get(f"/people/{keep.id}/merge").status_code == 403
    assert client.post(f"/people/{keep.id}/merge/{duplicate.id}").status_code == 403


def test_the_comparison_shows_both_records_and_needs_the_box_ticked(client, login, pair):
    keep, duplicate = pair
    login("commune_a")
    page = client.get(f"/people/{keep.id}/merge/{duplicate.id}").get_data(as_text=True)
    assert "Phan Thị Hạnh" in page and "Phan Thi Hanh" in page
    assert "WEB-GOP" in page and 'data-testid="merge-submit"' in page
    refused = client.post(f"/people/{keep.id}/merge/{duplicate.id}", data={})
    assert refused.status_code == 422
    db.session.expire_all()
    assert db.session.get(Person, duplicate.id).merged_into_id is None


def test_confirming_merges_once_and_the_duplicate_page_leads_to_the_kept_record(
    client, login, pair
):
    keep, duplicate = pair
    login("commune_a")
    done = client.post(f"/people/{keep.id}/merge/{duplicate.id}", data={"confirm": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/people/{keep.id}")
    db.session.expire_all()
    assert db.session.get(Person, duplicate.id).merged_into_id == keep.id
    trails = db.session.scalars(
        select(AuditEvent.subject_id).where(AuditEvent.action == AuditAction.PEOPLE_MERGE)
    ).all()
    assert sorted(trails) == sorted([str(keep.id), str(duplicate.id)])
    followed = client.get(f"/people/{duplicate.id}")
    assert followed.status_code == 302 and followed.headers["Location"].endswith(
        f"/people/{keep.id}"
    )
    kept_page = client.get(followed.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="flash"' in kept_page
    assert f"/people/{duplicate.id}/merged" in kept_page
    history = client.get(f"/people/{duplicate.id}/merged").get_data(as_text=True)
    assert 'data-testid="merged-notice"' in history
    # Any form of the merged record leads away too: nothing is written to it any more.
    assert client.get(f"/people/{duplicate.id}/edit").status_code == 302
    again = client.post(f"/people/{keep.id}/merge/{duplicate.id}", data={"confirm": "y"})
    assert again.status_code == 422


def test_records_that_cannot_be_merged_say_why_and_offer_no_form(client, login, actor, pair):
    keep, _ = pair
    other = factories.person(
        actor=actor("commune_a"), today=TODAY, commune_code=WARD_A, full_name="Phan Thị Hạnh",
        sex=Sex.FEMALE, birth_date=date(1960, 1, 1),
    )  # fmt: skip
    db.session.commit()
    login("commune_a")
    page = client.get(f"/people/{keep.id}/merge/{other.id}").get_data(as_text=True)
    assert 'data-testid="merge-refusals"' in page and 'data-testid="merge-submit"' not in page
    forced = client.post(f"/people/{keep.id}/merge/{other.id}", data={"confirm": "y"})
    assert forced.status_code == 422
