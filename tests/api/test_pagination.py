"""Keyset pagination: every row once, in order, whatever the page size; a bad cursor is a 422."""

from __future__ import annotations

import pytest

from registry.extensions import db
from tests import factories
from tests.conftest import WARD_A, WARD_B

NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Văn An",
    "Phạm Thị Cúc",
    "Đỗ Văn Dũng",
    "Nguyễn Thị An",
    "Võ Văn Bình",
    "Hồ Thị Đào",
    "Lý Văn An",
    "Bùi Thị Hoa",
    "Ngô Văn An",
]


@pytest.fixture()
def crowd(session, actor, today):
    """Eleven people (several share a given name) in households of wards A and B."""
    for i, name in enumerate(NAMES):
        ward, officer = (WARD_A, "commune_a") if i % 2 else (WARD_B, "commune_b")
        home = factories.household(ward, actor=actor(officer), today=today)
        factories.person(actor=actor(officer), today=today, household=home, full_name=name)
    db.session.commit()


def _walk(client, headers, path: str, limit: int) -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        url = f"{path}{'&' if '?' in path else '?'}limit={limit}" + (
            f"&after={cursor}" if cursor else ""
        )
        body = client.get(url, headers=headers).get_json()
        items.extend(body["items"])
        pages += 1
        cursor = body["next"]
        if cursor is None:
            return items
        assert pages < 50


@pytest.mark.parametrize("limit", [1, 2, 3, 200])
def test_people_pages_hold_every_person_once_in_the_offices_order(client, bearer, crowd, limit):
    headers = bearer("labour")
    everyone = client.get("/api/v1/people?limit=200", headers=headers).get_json()["items"]
    assert len(everyone) == len(NAMES)
    walked = _walk(client, headers, "/api/v1/people", limit)
    assert [p["id"] for p in walked] == [p["id"] for p in everyone]
    given = [p["full_name"].split()[-1] for p in walked]
    assert given[:5] == ["An"] * 5  # "An" people first: sorted by given name


@pytest.mark.parametrize("limit", [1, 4])
def test_household_pages_hold_every_household_once(client, bearer, crowd, limit):
    headers = bearer("admin")
    walked = _walk(client, headers, "/api/v1/households", limit)
    codes = [h["code"] for h in walked]
    assert len(codes) == len(set(codes)) == len(NAMES) and codes == sorted(codes)


def test_a_page_filtered_by_name_goes_on_with_the_same_filter(client, bearer, crowd):
    walked = _walk(client, bearer("labour"), "/api/v1/people?q=an", 2)
    assert sorted(p["full_name"] for p in walked) == sorted(n for n in NAMES if n.endswith(" An"))


def test_a_commune_officer_pages_through_their_ward_only(client, bearer, crowd):
    walked = _walk(client, bearer("commune_a"), "/api/v1/people", 2)
    assert {p["commune"]["code"] for p in walked} == {WARD_A}
    assert len(walked) == len(NAMES) // 2


@pytest.mark.parametrize("cursor", ["!!!", "e30", "WyJhIl0", "WzFd", "W251bGwsIG51bGwsICJ4Il0"])
def test_a_malformed_cursor_is_a_422_naming_the_parameter(client, bearer, crowd, cursor):
    response = client.get(f"/api/v1/people?after={cursor}", headers=bearer("labour"))
    assert response.status_code == 422
    body = response.get_json()
    assert [(e["location"], e["field"]) for e in body["errors"]] == [("query", "after")]


def test_walking_decisions_and_runs_works_on_an_empty_list(client, bearer, session):
    assert client.get("/api/v1/decisions?limit=1", headers=bearer("admin")).get_json() == {
        "items": [],
        "next": None,
    }
    assert _walk(client, bearer("accountant"), "/api/v1/payment-runs", 1) == []
