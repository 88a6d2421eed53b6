"""Schemathesis sends every operation of the published schemas valid and invalid requests; none may end in a 500.

Each answer must match the schema (status, content type, body), and every refusal must be JSON with `error` and
`detail`. Three callers: a token with every scope, no token, and a token that is not one. `make test` runs a few
examples per operation with a fixed seed; `make fuzz` runs many (STANDWITH_FUZZ_EXAMPLES).
"""

import importlib.util
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from standwith.api import services
from standwith.api.models import Scope
from standwith.signing import counting
from standwith.signing.emails import parse_address
from standwith.signing.services import Signer, sign
from standwith.wsgi import application

EXAMPLES = int(os.environ.get("STANDWITH_FUZZ_EXAMPLES", "8"))

SCHEMAS = ["/api/v1/openapi.json"]
# The OSDI API joins the run as soon as it exists.
if importlib.util.find_spec("standwith.api.osdi") is not None:
    SCHEMAS.append("/api/osdi/v1/openapi.json")

GARBAGE = "sw_" + "x" * 43

pytestmark = pytest.mark.django_db


def refusals_are_json_errors(ctx, response, case):
    """A 4xx a client can act on: JSON naming what went wrong, never an HTML page or an empty body."""
    if 400 <= response.status_code < 500 and case.method.upper() != "HEAD":
        body = json.loads(response.content)
        assert isinstance(body, dict), f"{response.status_code} body is not a JSON object: {response.content!r}"
        assert isinstance(body.get("error"), str), f"{response.status_code} has no error: {body}"
        assert isinstance(body.get("detail"), str), f"{response.status_code} has no detail: {body}"


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    refusals_are_json_errors,
]


@dataclass(frozen=True)
class World:
    secret: str
    slug: str
    signature_id: int


@pytest.fixture
def test_transaction_kept() -> Iterator[None]:
    """Keep the test's transaction open across the WSGI app's requests, as Django's test client does.

    The real handler drops the connection after each request when it is inside a transaction; here that transaction
    is the test's own, which holds the data the requests read.
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def world(petition, instant_petition, django_user_model, settings, test_transaction_kept):
    """An organisation with an open petition and some signers, and a token with every scope."""
    settings.API_TOKEN_LIMIT = None  # the run is many requests a second from one token
    ids = []
    for number in range(3):
        signer = Signer(name=f"Signer {number}", email=parse_address(f"signer{number}@example.org"), country="GB")
        ids.append(sign(petition, signer))
        sign(instant_petition, signer)
    counting.add(petition.pk, 3)
    staff = django_user_model.objects.create_user("staff", is_staff=True)
    _, secret = services.create_token(staff, petition.organization, "fuzz", list(Scope.values), client_ip=None)
    return World(secret=secret, slug=petition.slug, signature_id=ids[0])


def credentials(secret: str | None) -> dict[str, str]:
    # Both headers a client may send its token in: the OSDI API reads either, /api/v1/ the Authorization one.
    return {} if secret is None else {"Authorization": f"Bearer {secret}", "OSDI-API-Token": secret}


def fixed_path_parameters(operation, world: World) -> dict[str, object]:
    """Real values for the path's parameters, so that generated queries and bodies reach past the 404."""
    real = {"slug": world.slug, "signature_id": world.signature_id, "person_id": world.signature_id}
    return {name: value for name, value in real.items() if f"{{{name}}}" in operation.path}


def checks_for(case):
    """Unknown query parameters are ignored by design (a cache buster or a campaign's tag must not break a link,
    see public.py), so a request whose fault may be only one of those is not expected to be refused."""
    declared = {parameter.name for parameter in case.operation.query}
    if set(case.query or {}) - declared:
        return [check for check in CHECKS if check is not negative_data_rejection]
    return CHECKS


def has_inputs(operation) -> bool:
    return any(
        len(parameters) for parameters in (operation.path_parameters, operation.query, operation.headers)
    ) or bool(operation.body)


@pytest.mark.parametrize("caller", ["token", "no token", "garbage token"])
@pytest.mark.parametrize("schema_url", SCHEMAS)
def test_it_answers_any_request_without_a_server_error_and_as_documented(world, schema_url, caller):
    schema = schemathesis.openapi.from_wsgi(schema_url, application)
    schema.config.generation.update(max_examples=EXAMPLES, deterministic=True, database="none")
    headers = credentials({"token": world.secret, "no token": None, "garbage token": GARBAGE}[caller])
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {"GET", "POST"} <= {operation.method.upper() for operation in operations}
    answered: dict[str, set[int]] = {}
    for operation in operations:
        fixed = fixed_path_parameters(operation, world)
        for mode in GenerationMode:
            if mode == GenerationMode.NEGATIVE and not has_inputs(operation):
                continue  # nothing to get wrong
            # The token is fixed, not generated: a request that lost it is refused for that, which proves nothing.
            strategy = operation.as_strategy(generation_mode=mode, headers=headers if caller == "token" else None)
            if fixed:
                strategy |= operation.as_strategy(
                    generation_mode=mode, path_parameters=fixed, headers=headers if caller == "token" else None
                )

            @given(case=strategy)
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def answers(case):
                response = case.call(headers=headers)
                answered.setdefault(case.operation.label, set()).add(response.status_code)
                case.validate_response(response, checks=checks_for(case), headers=headers)

            answers()
    for operation in operations:
        statuses = answered[operation.label]
        if caller == "token" and operation.method.upper() == "GET":
            assert 200 in statuses, f"{operation.label} never got past its checks: {statuses}"
        if caller != "token" and operation.definition.raw.get("security"):
            assert statuses == {401}, f"{operation.label} answered {statuses} without a valid token"


@pytest.mark.parametrize("schema_url", SCHEMAS)
def test_it_refuses_a_method_an_address_does_not_take_with_a_json_405(world, client, schema_url):
    paths = client.get(schema_url).json()["paths"]
    real = {"{slug}": world.slug, "{signature_id}": str(world.signature_id), "{person_id}": str(world.signature_id)}
    for template, item in paths.items():
        path = template
        for name, value in real.items():
            path = path.replace(name, value)
        for method in {"get", "post", "put", "patch", "delete"} - set(item):
            response = client.generic(method.upper(), path, headers=credentials(world.secret))

            assert response.status_code == 405, (method, path, response.status_code)
            assert response["Content-Type"].startswith("application/json")
            assert {"error", "detail"} <= set(response.json())
