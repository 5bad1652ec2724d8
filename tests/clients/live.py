"""The live server, browser and Node helpers of the real-client tests (fixtures in conftest.py).

These tests never skip: a missing Node package or browser fails with what to install
(README "Quick start", command 2, installs both through `scripts/setup-test-clients`).
"""

import asyncio
import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from renewals.auth import mint_token
from renewals.domain.enums import Role
from renewals.persistence.db import create_database
from renewals.services.demo import load_demo
from tests.api.live_stack import Inbox, free_port
from tests.factories import SECRET, TODAY

ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = ROOT / "tests" / "clients" / "node"
APP_DIR = ROOT / "frontend" / "app"
SCREENSHOTS = ROOT / "docs" / "screenshots"
TIMEOUT = 20.0
SETUP_HINT = "run `scripts/setup-test-clients` (README, Quick start, command 2)"


@dataclass
class LiveServer:
    """A `renewals serve` process on loopback with the demo data at the tests' business date."""

    base: str
    database_url: str
    inbox: Inbox
    log: Path
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def graphql_url(self) -> str:
        return f"{self.base}/graphql"

    @property
    def ws_url(self) -> str:
        return self.graphql_url.replace("http://", "ws://")

    def token(self, role: str = "buyer", csn: str | None = "5100000001") -> str:
        r = Role(role)
        return mint_token(
            SECRET,
            r,
            customer_csn=csn if r == Role.BUYER else None,
            partner_csn=csn if r == Role.PARTNER else None,
        )

    def query(self, query: str, variables: dict | None = None, auth: str | None = None) -> dict:
        """One POST; asserts no errors and returns `data` (for test setup, not for the checks)."""
        headers = {"Authorization": f"Bearer {auth}"} if auth else {}
        r = httpx.post(
            self.graphql_url,
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=TIMEOUT,
        )
        body = r.json()
        assert r.status_code == 200 and "errors" not in body, r.text
        return body["data"]

    def wait_for_email(self, count: int = 1, timeout: float = TIMEOUT) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.inbox.messages) < count:
            assert time.monotonic() < deadline, f"no email after {timeout}s; log: {self.tail()}"
            time.sleep(0.1)
        return self.inbox.messages

    def checkout_link(self, message: EmailMessage) -> str:
        body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        match = re.search(r"https?://\S+/checkout\?token=\S+", body)
        assert match, body
        return match.group(0)

    def tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else ""


def load_demo_into(database_url: str) -> None:
    async def run() -> None:
        db = create_database(database_url)
        try:
            await load_demo(db, TODAY)
        finally:
            await db.dispose()

    asyncio.run(run())


@contextlib.contextmanager
def serve(database_url: str, log: Path, **env: str) -> Iterator[LiveServer]:
    """Starts the installed server (`python -m renewals.cli serve`) with an SMTP sink beside it."""
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("RENEWALS_")},
        "RENEWALS_DATABASE_URL": database_url,
        "RENEWALS_SECRET_KEY": SECRET,
        "RENEWALS_TODAY": TODAY.isoformat(),
        "RENEWALS_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
        "RENEWALS_WORKER_INTERVAL_SECONDS": "0.1",
        "RENEWALS_LOG_LEVEL": "WARNING",
        **env,
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "renewals.cli", "serve", "--port", str(port)],
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", database_url, inbox, log)
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"serve exited: {server.tail()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{server.base}/healthz", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve did not become healthy: {server.tail()}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        smtp.stop()


def require_node_modules(directory: Path) -> Path:
    """The directory's `node_modules`, or a failure saying how to install it (never a skip)."""
    if shutil.which("node") is None:
        pytest.fail(f"Node.js is not installed (apt-get install nodejs npm); then {SETUP_HINT}")
    if not (directory / "node_modules").is_dir():
        pytest.fail(f"{directory.relative_to(ROOT)}/node_modules is missing: {SETUP_HINT}")
    return directory / "node_modules"


def chromium_path() -> str:
    """Debian's Chromium (browser downloads are impossible here), or a failure saying so."""
    path = os.environ.get("RENEWALS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(f"Chromium is not installed (apt-get install chromium); {SETUP_HINT}")
    return path


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Browser:
    """A Playwright page in Debian's Chromium that records every request leaving the server."""

    page: Any
    external: list[str]

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path
