"""The `renewals` command as users and the acceptance suite drive it: real processes, real ports."""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.factories import customer, document, subscription

GROUPS = "{ eligibleRenewalGroups { key subscriptions { number } } }"


def run(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "renewals.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_import_of_a_bad_file_prints_each_problem_and_writes_nothing(tmp_path, env):
    bad = document(
        [subscription("SUB-1", seats=-2), subscription("SUB-1", customer_csn="5199999999")]
    )
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    assert run(tmp_path, "db", "upgrade", env=env).returncode == 0

    result = run(tmp_path, "import", "bad.json", env=env)

    assert result.returncode == 1
    assert "$.subscriptions[0].seats" in result.stderr
    assert "$.subscriptions[1].number" in result.stderr
    assert "nothing was imported" in result.stderr
    assert "subscriptions: 0 created" not in result.stdout


def test_import_twice_changes_nothing_the_second_time(tmp_path, env):
    (tmp_path / "good.json").write_text(json.dumps(document([subscription("SUB-1")])))
    first = run(tmp_path, "import", "good.json", env=env)
    second = run(tmp_path, "import", "good.json", env=env)
    assert first.returncode == 0, first.stderr
    assert "subscriptions: 1 created" in first.stdout
    assert "subscriptions: 0 created, 0 updated, 1 unchanged" in second.stdout


def test_token_prints_one_token_alone_on_stdout(tmp_path, env):
    result = run(tmp_path, "token", "--role", "buyer", "--customer", "5100000001", env=env)
    assert result.returncode == 0
    assert result.stdout.count("\n") == 1 and result.stdout.count(".") == 2


def test_token_for_a_buyer_without_customer_is_refused(tmp_path, env):
    result = run(tmp_path, "token", "--role", "buyer", env=env)
    assert result.returncode != 0 and "--customer" in result.stderr and result.stdout == ""


def test_export_schema_matches_the_committed_sdl(tmp_path, env):
    result = run(tmp_path, "export-schema", env=env)
    committed = (Path(__file__).parents[2] / "schema.graphql").read_text()
    assert result.stdout == committed


def test_serve_refuses_to_start_without_a_secret(tmp_path, env):
    env = {k: v for k, v in env.items() if k != "RENEWALS_SECRET_KEY"}
    result = run(tmp_path, "serve", "--port", str(free_port()), env=env)
    assert result.returncode == 2
    assert "RENEWALS_SECRET_KEY" in result.stderr


def test_serve_refuses_several_workers_on_sqlite(tmp_path, env):
    result = run(tmp_path, "serve", "--workers", "2", env=env)
    assert result.returncode == 2 and "PostgreSQL" in result.stderr


def test_served_api_shows_the_demo_customer_groups_to_a_token_from_the_cli(tmp_path, env):
    """The README walk: demo data, a token from `renewals token`, a query over real HTTP."""
    assert run(tmp_path, "demo", env=env).returncode == 0
    token = run(
        tmp_path, "token", "--role", "buyer", "--customer", "5100000001", env=env
    ).stdout.strip()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "renewals.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}, timeout=5)
        body = httpx.post(
            f"{base}/graphql",
            json={"query": GROUPS},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        ).json()
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "graphiql" in page.text.lower()
    groups = body["data"]["eligibleRenewalGroups"]
    assert len(groups) >= 3
    assert all(g["key"].startswith("5100000001:") for g in groups)


def test_customers_without_buyer_lists_csn_and_name_and_jobs_run_counts_them(tmp_path, env):
    nobody = customer("5100000002", "Ohne Einkauf GmbH")
    nobody["contacts"] = [c for c in nobody["contacts"] if c["role"] != "BUYER"]
    bare = {**customer("5100000003", "Leer AG"), "contacts": []}
    data = document(
        [
            subscription("SUB-1", ends_in_days=20),
            subscription("SUB-2", customer_csn="5100000002", ends_in_days=20),
        ],
        customers=[customer(), nobody, bare],
    )
    (tmp_path / "data.json").write_text(json.dumps(data))
    assert run(tmp_path, "import", "data.json", env=env).returncode == 0

    listed = run(tmp_path, "customers", "--without-buyer", env=env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == ["5100000002 Ohne Einkauf GmbH", "5100000003 Leer AG"]

    jobs = run(tmp_path, "jobs", "run", env=env)
    assert jobs.returncode == 0, jobs.stderr
    assert "automatic quotes: 1" in jobs.stdout
    assert "skipped for having no buyer: 1" in jobs.stdout


def test_jobs_run_renews_as_orders_and_the_simulated_gateway_declines_whom_it_is_told(
    tmp_path, env
):
    data = document(
        [
            subscription("SUB-1", ends_in_days=0, auto_renew=True),
            subscription("SUB-2", customer_csn="5100000002", ends_in_days=0, auto_renew=True),
        ],
        customers=[customer(), customer("5100000002", "Bolt GmbH", buyer="b@bolt.example")],
    )
    (tmp_path / "data.json").write_text(json.dumps(data))
    assert run(tmp_path, "import", "data.json", env=env).returncode == 0

    jobs = run(tmp_path, "jobs", "run", env={**env, "RENEWALS_SIMULATED_DECLINES": "5100000002"})
    assert jobs.returncode == 0, jobs.stderr
    assert "subscriptions auto-renewed: 1" in jobs.stdout
    assert "auto-renewal charges declined: 1" in jobs.stdout

    emails = run(tmp_path, "emails", env=env).stdout
    assert "renewed automatically" in emails and "could not be charged" in emails
    # Declines no more: the next run charges the declined renewal again, then nothing is left.
    again = run(tmp_path, "jobs", "run", env=env)
    assert "subscriptions auto-renewed: 1; auto-renewal charges declined: 0" in again.stdout
    last = run(tmp_path, "jobs", "run", env=env)
    assert "subscriptions auto-renewed: 0; auto-renewal charges declined: 0" in last.stdout


def test_rendering_quote_pdfs_does_not_flood_the_log(tmp_path, env):
    """`jobs run` finalizes the demo's automatic quotes (a PDF each): fpdf2's font subsetting
    must not log its INFO lines (some 75 per PDF)."""
    assert run(tmp_path, "demo", env=env).returncode == 0
    jobs = run(tmp_path, "jobs", "run", env=env)
    assert jobs.returncode == 0, jobs.stderr
    assert "automatic quotes: 0" not in jobs.stdout  # PDFs were rendered
    assert "fontTools" not in jobs.stderr
