"""The API answers as its OpenAPI schema says, for whatever the schema allows a client to send.

Schemathesis generates requests for every operation from the live schema (valid ones and, where
the schema constrains a value, invalid ones) and sends them to the WSGI application in-process,
on the test database, with a staff token. Every answer must be documented, match its schema,
and never be a server error.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from expedite.accounts.services import api_token_create
from expedite.api.routes import api

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


@pytest.fixture
def in_process_app():
    """The WSGI application, sharing the test's transaction: Django closes the connection at
    the end of each request (`close_old_connections`), which would end the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def token(world):
    # The liaison opens clients and cases: most operations have something to do.
    return api_token_create(user=world.zhang, name="schemathesis")[1]


# The schema as the API serves it at /api/v1/openapi.json (built by the same code, without a
# request, so that collecting the tests needs no database).
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_documented(case, token, in_process_app):
    case.call_and_validate(
        app=in_process_app, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS
    )
