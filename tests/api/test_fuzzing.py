"""Issue 11, part 7: operations generated from the schema, valid and invalid (hypothesis-graphql),
and malformed requests, sent over real HTTP to `renewals serve --demo`: never a 5xx, every error
has `extensions.code`, and no traceback, SQL or Python exception text in any answer."""

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, nodes, queries

from tests.dbs import ON_POSTGRES, _admin, _pg_url
from tests.factories import SECRET, TODAY
from tests.helpers import token

SCHEMA = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text()
SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat() + "Z")),
    "Decimal": st.decimals(allow_nan=False, allow_infinity=False, places=2).map(
        lambda d: nodes.String(str(d))
    ),
}
TOKENS = [token("sales", None), token("buyer"), token("partner", "P000000001"), None]
LEAKS = re.compile(
    r"Traceback|File \"|sqlalchemy|asyncpg|aiosqlite|\bSELECT\b|\bINSERT\b|\bUPDATE\b .* SET|"
    r"Exception|Error\(|psycopg|OperationalError|IntegrityError",
)
FUZZ = settings(
    max_examples=int(os.environ.get("RENEWALS_FUZZ_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,  # the same operations every run: CI stays reproducible
)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`renewals serve --demo` on this run's database backend, as the acceptance suite runs it."""
    folder = tmp_path_factory.mktemp("fuzz")
    database = None
    if ON_POSTGRES:
        database = f"rt_fuzz_{uuid.uuid4().hex[:12]}"
        _admin(f'CREATE DATABASE "{database}"')
        url = _pg_url(database)
    else:
        url = f"sqlite+aiosqlite:///{folder}/fuzz.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENEWALS_")}
    env.update(
        RENEWALS_DATABASE_URL=url,
        RENEWALS_SECRET_KEY=SECRET,
        RENEWALS_TODAY=TODAY.isoformat(),
        RENEWALS_COST_BUDGET="0",  # thousands of requests from one token; the maximum stays
        RENEWALS_LOG_LEVEL="WARNING",
        RENEWALS_ACCESS_LOG="false",
    )
    port = free_port()
    log = (folder / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "renewals.cli", "serve", "--demo", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            raise AssertionError((folder / "serve.log").read_text())
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
        if database:
            _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def check(response: httpx.Response) -> None:
    """What every answer must be: no 5xx, JSON with coded errors, nothing leaked."""
    assert response.status_code < 500, response.text
    assert not LEAKS.search(response.text), response.text
    body = response.json()
    assert isinstance(body, dict), response.text
    for error in body.get("errors") or []:
        assert (error.get("extensions") or {}).get("code"), response.text


def post(base: str, payload: object, auth: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {auth}"} if auth else {}
    return httpx.post(f"{base}/graphql", json=payload, headers=headers, timeout=30)


@FUZZ
@given(query=queries(SCHEMA, custom_scalars=SCALARS), auth=st.sampled_from(TOKENS))
def test_generated_queries(base, query, auth):
    check(post(base, {"query": query}, auth))


@FUZZ
@given(query=mutations(SCHEMA, custom_scalars=SCALARS), auth=st.sampled_from(TOKENS))
def test_generated_mutations(base, query, auth):
    check(post(base, {"query": query}, auth))


@FUZZ
@given(
    query=queries(SCHEMA, custom_scalars=SCALARS, mode=Mode.NEGATIVE)
    | mutations(SCHEMA, custom_scalars=SCALARS, mode=Mode.NEGATIVE),
    auth=st.sampled_from(TOKENS),
)
def test_generated_invalid_operations(base, query, auth):
    check(post(base, {"query": query}, auth))


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@FUZZ
@given(
    payload=st.fixed_dictionaries(
        {},
        optional={
            "query": st.text(max_size=200) | JSON,
            "variables": JSON,
            "operationName": st.text(max_size=20) | JSON,
            "extensions": JSON,
        },
    )
    | JSON,
    auth=st.sampled_from(TOKENS),
)
def test_malformed_requests(base, payload, auth):
    check(post(base, payload, auth))


@FUZZ
@given(body=st.binary(max_size=300), kind=st.sampled_from(["application/json", "text/plain"]))
def test_bytes_that_are_not_a_request(base, body, kind):
    response = httpx.post(
        f"{base}/graphql", content=body, headers={"Content-Type": kind}, timeout=30
    )
    assert response.status_code < 500, response.text
    assert not LEAKS.search(response.text), response.text
    if response.headers.get("content-type", "").startswith("application/json"):
        json.loads(response.text)
