"""`renewals emails`: FAILED rows listed with their reason; `--requeue ID` puts a SENDING row a
person checked (or a FAILED one) back to PENDING, and refuses any other."""

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.factories import TODAY


def run(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "renewals.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def outbox(db: Path, *rows: tuple[str, str, str | None]) -> None:
    """(to, status, last_error) rows, as the sender leaves them."""
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO emails (to_address, subject, body, status, attempts, next_attempt_at,"
            " created_at, last_error) VALUES (?, 'Quote', 'Body', ?, 1, ?, ?, ?)",
            [(to, status, f"{TODAY} 09:00:00", f"{TODAY} 09:00:00", e) for to, status, e in rows],
        )


def statuses(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("SELECT id, status FROM emails ORDER BY id"))


def test_failed_emails_are_listed_with_their_reason(tmp_path, env):
    assert run(tmp_path, env, "db", "upgrade").returncode == 0
    outbox(
        tmp_path / "cli.db",
        ("(@poison.example", "FAILED", "InvalidEmail: not one plain email address"),
        ("ok@acme.example", "SENT", None),
    )
    listed = run(tmp_path, env, "emails", "--status", "FAILED")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "#1 FAILED to=(@poison.example attempts=1 subject='Quote'"
        " reason='InvalidEmail: not one plain email address'"
    ]


def test_requeue_puts_a_checked_sending_email_back_and_refuses_a_sent_one(tmp_path, env):
    assert run(tmp_path, env, "db", "upgrade").returncode == 0
    db = tmp_path / "cli.db"
    outbox(db, ("a@acme.example", "SENDING", None), ("b@acme.example", "SENT", None))

    requeued = run(tmp_path, env, "emails", "--requeue", "1")
    assert requeued.returncode == 0, requeued.stderr
    assert requeued.stdout == "email #1 is PENDING again\n"

    refused = run(tmp_path, env, "emails", "--requeue", "2")
    assert refused.returncode == 2
    assert "email #2 is SENT; only SENDING or FAILED emails can be requeued" in refused.stderr
    assert run(tmp_path, env, "emails", "--requeue", "9").stderr.strip() == "renewals: no email #9"
    assert statuses(db) == [(1, "PENDING"), (2, "SENT")]
