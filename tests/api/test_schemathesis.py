"""Schemathesis over /api/v1/openapi.json, in-process on the WSGI app, with a valid token:
no server error, and every answer conforms to the document (status, media type, schema).
"""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from registry.extensions import db
from registry.households.models import Area, PovertyStatus
from registry.households.services import set_poverty_status
from registry.people.circumstances import add_circumstance
from registry.people.models import CircumstanceKind
from tests import factories
from tests.conftest import WARD_A

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: Examples per operation and mode: 13 operations × 2 modes × 25 stays well under a minute.
MAX_EXAMPLES = 25


@pytest.fixture()
def records(session, actor, today, paid_run):
    """Something to list in every collection: households, people, circumstances, a decision,
    a payment run with a line (paid_run), so list answers are checked with real items."""
    officer = actor("commune_a")
    home = factories.household(WARD_A, actor=officer, today=today)
    set_poverty_status(
        home,
        review_year=2025,
        status=PovertyStatus.NEAR_POOR,
        area=Area.URBAN,
        actor=officer,
        today=today,
    )
    head = factories.person(actor=officer, today=today, household=home)
    add_circumstance(
        head, kind=CircumstanceKind.HIV, started_on=date(2020, 1, 1), actor=officer, today=today
    )
    db.session.commit()
    return {"household": home, "person": head, "run": paid_run}


@pytest.fixture()
def api_schema(app, records):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture()
def auth_headers(bearer):
    # The administrator reaches every operation (payment runs too); scoping is tested apart.
    return bearer("admin")


#: Every operation of the document; a test below fails when this list falls behind it.
OPERATIONS = [
    ("GET", "/api/v1/households"),
    ("GET", "/api/v1/households/{household_id}"),
    ("POST", "/api/v1/households/{household_id}/poverty-statuses"),
    ("GET", "/api/v1/people"),
    ("POST", "/api/v1/people/search-by-cccd"),
    ("GET", "/api/v1/people/{person_id}"),
    ("GET", "/api/v1/people/{person_id}/circumstances"),
    ("GET", "/api/v1/people/{person_id}/eligibility"),
    ("GET", "/api/v1/decisions"),
    ("GET", "/api/v1/decisions/{decision_id}"),
    ("GET", "/api/v1/payment-runs"),
    ("GET", "/api/v1/payment-runs/{run_id}"),
    ("GET", "/api/v1/payment-runs/{run_id}/lines"),
]


def test_the_fuzzed_operations_are_all_the_documented_ones(api_schema):
    documented = {
        (result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()
    }
    assert documented == set(OPERATIONS)


# Schemathesis' own pytest integration (from_fixture) does not run on pytest 9, so each
# operation drives Hypothesis directly with the operation's strategy.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_answers_as_documented(api_schema, auth_headers, method, path, mode):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=auth_headers, checks=CHECKS)

    run()


def test_known_records_answer_as_documented(api_schema, records, auth_headers):
    """The detail operations with ids that exist (random ids only ever find nothing)."""
    paths = {
        "/api/v1/households/{household_id}": {"household_id": str(records["household"].id)},
        "/api/v1/people/{person_id}": {"person_id": str(records["person"].id)},
        "/api/v1/people/{person_id}/circumstances": {"person_id": str(records["person"].id)},
        "/api/v1/people/{person_id}/eligibility": {"person_id": str(records["person"].id)},
        "/api/v1/payment-runs/{run_id}": {"run_id": str(records["run"].id)},
        "/api/v1/payment-runs/{run_id}/lines": {"run_id": str(records["run"].id)},
    }
    for path, parameters in paths.items():
        case = api_schema[path]["GET"].Case(path_parameters=parameters)
        response = case.call_and_validate(headers=auth_headers, checks=CHECKS)
        assert response.status_code == 200, path
