"""Webhook tests call receivers on loopback: private targets are allowed here (and only here)."""

from collections.abc import Iterator

import pytest

from renewals.config import Settings
from tests.services.webhooks.receiver import Receiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhooks_allow_private": True})


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()
