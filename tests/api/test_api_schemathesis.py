"""Schemathesis against the app's own OpenAPI document: generated (and the documented example) requests for
every operation, with an admin key and an approved draft in place; no 5xx, and every response matches the
documented status codes, content types, headers and schemas. Bounded examples keep it fast."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from api_world import World, build_world, hand_report
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from build_world(tmp_path_factory.mktemp("fuzz"), max_upload_mb=1)


def test_api_conforms_to_its_schema(fuzz_world: World) -> None:
    draft = fuzz_world.save("analyst", hand_report("华东", marker="fuzz"))
    assert fuzz_world.decide("approver", draft["id"], "approve").status_code == 200
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_world.client.app)
    headers = fuzz_world.h("admin")
    failures: dict[str, str] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 19

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 — collect every operation's failure, then report them all
            failures[operation.label] = str(exc)[:2000]
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
