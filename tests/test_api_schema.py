"""schemathesis against the API's own OpenAPI description: every operation, generated
requests (valid and invalid), zero server errors and zero answers that break the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode

# Checks that need rules a schema cannot state: that a filter value is one some published
# resource has, that a year is not after this one, that year_to is not before year_from. The
# API answers those with 422 and a message per problem (documented, and checked for shape
# by the other checks); everything else, server errors included, is checked.
NOT_EXPRESSIBLE = [
    schemathesis.checks.positive_data_acceptance,
    schemathesis.checks.negative_data_rejection,
]


@pytest.fixture
def app_in_this_transaction():
    """The WSGI app, kept from closing the test's database connection after each request (as
    Django's test client keeps it): the test's data lives in that connection's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_api_keeps_to_its_schema(demo, app_in_this_transaction):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app_in_this_transaction)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} == {
        "GET /api/v1/resources",
        "GET /api/v1/resources/{resource_id}",
    }
    for operation in operations:
        # Any text is a possible resource id, so only the search has requests the schema
        # calls invalid.
        modes = [GenerationMode.POSITIVE]
        if operation.label == "GET /api/v1/resources":
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=60,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case):
                # The WSGI transport does not undo gzip, as an HTTP client would.
                case.call_and_validate(
                    headers={"Accept-Encoding": "identity"}, excluded_checks=NOT_EXPRESSIBLE
                )

            check()
