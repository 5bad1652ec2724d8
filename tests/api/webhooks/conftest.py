"""Webhook tests call receivers on loopback: the same fixtures as the service tests."""

from tests.services.webhooks.conftest import receiver, settings

__all__ = ["receiver", "settings"]
