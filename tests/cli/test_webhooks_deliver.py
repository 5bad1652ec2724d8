"""`renewals webhooks deliver`: sends what is due to a real receiver, then exits."""

import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from renewals.domain.webhooks import verify
from tests.services.webhooks.receiver import Receiver


def run(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "renewals.cli", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def test_due_deliveries_are_sent_once_then_the_command_exits(tmp_path, env):
    receiver = Receiver(secret="whsec_cli").start()
    try:
        assert run(tmp_path, env, "db", "upgrade").returncode == 0
        now = datetime.utcnow().isoformat(sep=" ")  # noqa: DTZ003 - naive UTC, as stored
        with sqlite3.connect(tmp_path / "cli.db") as conn:
            conn.execute(
                "INSERT INTO webhook_endpoints (id, url, events, active, secret, created_at,"
                " updated_at) VALUES (1, ?, '[\"*\"]', 1, 'whsec_cli', ?, ?)",
                (receiver.url, now, now),
            )
            conn.execute(
                "INSERT INTO webhook_deliveries (uid, endpoint_id, event_type, body, status,"
                " attempts, window_started_at, window_attempts, next_attempt_at, created_at)"
                " VALUES ('whd_1', 1, 'quote.quoted', '{\"id\":\"whd_1\"}', 'PENDING', 0, ?, 0,"
                " ?, ?)",
                (now, now, now),
            )
        private = {**env, "RENEWALS_WEBHOOKS_ALLOW_PRIVATE": "true"}
        done = run(tmp_path, private, "webhooks", "deliver")
        assert (done.returncode, done.stdout) == (0, "webhooks delivered: 1\n"), done.stderr
        assert run(tmp_path, private, "webhooks", "deliver").stdout == "webhooks delivered: 0\n"
        (got,) = receiver.requests
        assert got.delivery_id == "whd_1" and got.body == b'{"id":"whd_1"}' and got.verified
        assert verify(got.signature, "whsec_cli", got.body, int(got.signature[2:12]))

    finally:
        receiver.stop()
