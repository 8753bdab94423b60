"""Errors as RFC 9457 problem details, in Vietnamese and English; strict types; unknown input."""

from __future__ import annotations

import uuid

import pytest

from registry.api.problems import problem_response
from registry.errors import ConflictError
from registry.extensions import db
from tests import factories
from tests.conftest import WARD_A

KEYS = {"type", "status", "title", "detail", "code", "message_vi", "message_en"}


def _problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert set(body) >= KEYS and body["status"] == status
    return body


def test_a_404_says_not_found_in_both_languages(client, bearer):
    body = _problem(client.get(f"/api/v1/people/{uuid.uuid4()}", headers=bearer("admin")), 404)
    assert body["message_vi"] == "Không tìm thấy."
    assert body["message_en"] == "Not found."
    assert body["detail"] == body["message_vi"]  # Vietnamese unless the client asks otherwise
    english = client.get(
        f"/api/v1/people/{uuid.uuid4()}",
        headers={**bearer("admin"), "Accept-Language": "en-GB,en;q=0.9"},
    )
    assert english.get_json()["detail"] == "Not found."
    assert english.headers["Content-Language"] == "en"


def test_an_unknown_api_path_is_a_problem_not_an_html_page(client):
    _problem(client.get("/api/v1/nothing-here"), 404)


def test_a_wrong_method_is_a_405_with_allow(client, bearer):
    response = client.delete("/api/v1/households", headers=bearer("admin"))
    body = _problem(response, 405)
    assert "GET" in response.headers["Allow"]
    assert body["code"] == "method_not_allowed"


def test_the_web_pages_keep_their_html_errors(client, login):
    login("admin")
    response = client.get("/households/not-a-page/at-all")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_a_role_lacking_a_permission_gets_403(client, bearer):
    body = _problem(client.get("/api/v1/payment-runs", headers=bearer("labour")), 403)
    assert body["message_vi"] == "Bạn không có quyền thực hiện thao tác này."
    assert body["message_en"] == "You are not allowed to do this."


def test_a_conflict_is_a_409_problem(app):
    with app.test_request_context("/api/v1/households"):
        from registry.api.problems import _registry_error

        response = _registry_error(ConflictError())
    assert response.status_code == 409
    assert response.get_json()["message_en"] == "This conflicts with data already recorded."


@pytest.mark.parametrize("year", [2025.5, "2025", True, None])
def test_an_integer_field_refuses_anything_but_a_json_integer(
    client, bearer, session, actor, today, year
):
    home = factories.household(WARD_A, actor=actor("commune_a"), today=today)
    db.session.commit()
    response = client.post(
        f"/api/v1/households/{home.id}/poverty-statuses",
        json={"review_year": year, "status": "poor", "area": "rural"},
        headers=bearer("commune_a"),
    )
    body = _problem(response, 422)
    assert [(e["location"], e["field"]) for e in body["errors"]] == [("json", "review_year")]
    assert all(e["message_vi"] and e["message_en"] for e in body["errors"])
    assert body["message_vi"] == "Thông tin nhập có lỗi."


def test_an_unknown_body_field_is_refused(client, bearer):
    response = client.post(
        "/api/v1/people/search-by-cccd",
        json={"cccd": "046090123456", "name": "x"},
        headers=bearer("admin"),
    )
    body = _problem(response, 422)
    assert [(e["location"], e["field"]) for e in body["errors"]] == [("json", "name")]
    assert body["errors"][0]["message_en"] == "Unknown field."


@pytest.mark.parametrize(
    "query", ["?page=2", "?limit=1.5", "?limit=0", "?limit=abc", "?poverty=rich", "?commune=x1"]
)
def test_an_unknown_or_malformed_query_parameter_is_refused(client, bearer, query):
    body = _problem(client.get(f"/api/v1/households{query}", headers=bearer("admin")), 422)
    assert body["errors"][0]["location"] == "query"


def test_a_query_parameter_on_an_operation_without_any_is_refused(client, bearer):
    response = client.get(f"/api/v1/people/{uuid.uuid4()}?x=1", headers=bearer("admin"))
    _problem(response, 422)


def test_a_body_that_is_not_json_is_a_problem(client, bearer):
    headers = {**bearer("admin"), "Content-Type": "application/json"}
    response = client.post("/api/v1/people/search-by-cccd", data="{not json", headers=headers)
    assert response.status_code in (400, 422)
    assert response.mimetype == "application/problem+json"


def test_control_characters_are_refused_before_reaching_the_database(client, bearer):
    response = client.get("/api/v1/people?q=an%00", headers=bearer("admin"))
    _problem(response, 422)


def test_problem_response_fills_in_a_message_per_status(app):
    with app.test_request_context("/api/v1/x"):
        response = problem_response(401)
    assert response.get_json()["code"] == "unauthenticated"
