"""`renewals serve --workers 2`: whichever worker answers /metrics, it answers for both."""

import re
import time

import httpx

from tests.helpers import token
from tests.ops.helpers import value
from tests.scale import servers
from tests.scale.servers import TIMEOUT, serve

REQUESTS = 24


def test_every_scrape_counts_every_workers_requests(database_url, tmp_path, monkeypatch):
    monkeypatch.setattr(servers, "TIMEOUT", 90)  # two workers start slowly on a busy machine
    shared = tmp_path / "metrics"
    shared.mkdir()
    (shared / "counter_1.db").write_bytes(b"stale")  # from an earlier run: removed at start

    def pids() -> set[str]:
        return {m.group(1) for f in shared.iterdir() if (m := re.search(r"_(\d+)\.db$", f.name))}

    started = serve(database_url, "--workers", "2", RENEWALS_METRICS_DIR=str(shared))
    base = started.__enter__()
    try:
        deadline = time.monotonic() + 90
        while len(pids()) < 2 and time.monotonic() < deadline:  # both workers up
            time.sleep(0.2)
        assert len(pids()) >= 2 and "1" not in pids()
        for _ in range(REQUESTS):  # a new connection each: both workers take some
            with httpx.Client(timeout=TIMEOUT) as client:
                response = client.post(
                    f"{base}/graphql",
                    json={"query": "query Counted { __typename }"},
                    headers={"Authorization": f"Bearer {token()}"},
                )
                assert response.status_code == 200
        for _ in range(6):
            with httpx.Client(timeout=TIMEOUT) as client:
                text = client.get(f"{base}/metrics").text
            counted = value(
                text,
                "renewals_graphql_operations_total",
                operation="Counted",
                type="query",
                outcome="ok",
            )
            assert counted == REQUESTS
            assert value(text, "renewals_outbox_depth", outbox="jobs") == 0
    finally:
        started.__exit__(None, None, None)
