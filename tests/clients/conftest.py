"""Fixtures of the real-client tests: a live `renewals serve` and a Chromium page (tests/clients/live.py).

These tests never skip: a missing Node package or browser fails with what to install
(README "Quick start", command 2, installs both through `scripts/setup-test-clients`).
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.clients.live import (
    CHROMIUM_ARGS,
    TIMEOUT,
    Browser,
    LiveServer,
    chromium_path,
    load_demo_into,
    serve,
)


@pytest.fixture
def live(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A fresh server per test, with the demo data (customer 5100000001 is Acme Bau AG)."""
    load_demo_into(database_url)
    with serve(database_url, tmp_path / "serve.log") as server:
        yield server


@pytest.fixture
def browser(live: LiveServer) -> Iterator[Browser]:
    """Any request to a host other than the live server is aborted and makes the test fail."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        external: list[str] = []

        def route(r: Any) -> None:
            url = r.request.url
            if url.startswith(live.base) or url.startswith(live.ws_url) or url.startswith("data:"):
                r.continue_()
            else:
                external.append(url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT * 1000)
        try:
            yield Browser(page, external)
        finally:
            context.close()
            chromium.close()
        assert external == [], f"requests left the server: {external}"
