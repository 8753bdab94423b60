"""The OpenAPI document and its readable page: public, generated from the same schemas."""

from __future__ import annotations

import re


def test_the_openapi_document_describes_every_resource_with_bearer_auth(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "/api/v1/people/search-by-cccd" in document["paths"]
    schemas = document["components"]["schemas"]
    person = schemas["PersonDetail"]["properties"]
    assert "cccd_masked" in person
    assert not [
        name
        for s in schemas.values()
        for name in s.get("properties", {})
        if "cipher" in name or name.endswith("_index")
    ]
    problem = document["components"]["responses"]["NOT_FOUND"]["content"]
    assert "application/problem+json" in problem


def test_the_cccd_is_never_a_url_parameter(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, entry in document["paths"].items():
        assert "cccd" not in re.sub("search-by-cccd", "", path)
        for method in ("get", "post"):
            operation = entry.get(method, {})
            names = [p["name"] for p in operation.get("parameters", [])]
            assert "cccd" not in names, path


def test_the_reference_page_is_html_from_the_same_document_without_any_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "GET /api/v1/people/{person_id}/eligibility" in html
    assert 'id="schema-Problem"' in html
    assert "<script" not in html
    assert not re.search(r'(src|href)="https?://', html)
