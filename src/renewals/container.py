"""The app's ports, built once at start-up (lifespan, CLI) and handed to everything below."""

from __future__ import annotations

import asyncio
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from renewals.clock import Clock, SystemClock
from renewals.config import Settings
from renewals.events import EventBus, InProcessEventBus
from renewals.persistence.db import Database, create_database
from renewals.services.payments import PaymentGateway, SimulatedPaymentGateway

if TYPE_CHECKING:
    from renewals.resolvers.loaders import Loaders


EVENT_LOADERS_KEPT = 64


class MissingSecret(RuntimeError):
    """Raised when no RENEWALS_SECRET_KEY is set outside dev mode."""


@dataclass
class Container:
    settings: Settings
    db: Database
    clock: Clock
    bus: EventBus
    secret_key: str
    payments: PaymentGateway
    generated_secret: bool = False
    work_ready: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: dict[tuple[str, str], int] = field(default_factory=dict)
    _event_loaders: OrderedDict[int, Loaders] = field(default_factory=OrderedDict)

    async def customer_id(self, csn: str, loaders: Loaders) -> int | None:
        return await self._id("customer", csn, loaders.customer_id_by_csn)

    async def partner_id(self, csn: str, loaders: Loaders) -> int | None:
        return await self._id("partner", csn, loaders.partner_id_by_csn)

    async def _id(self, kind: str, csn: str, loader: object) -> int | None:
        """CSN → id never changes once a row exists (imports upsert), so hits are cached."""
        cached = self._ids.get((kind, csn))
        if cached is None:
            cached = await loader.load(csn)  # type: ignore[attr-defined]
            if cached is not None:
                self._ids[(kind, csn)] = cached
        return cached

    def event_loaders(self, history_id: int) -> Loaders:
        """Loaders shared by every subscriber delivering one status event (a small LRU)."""
        from renewals.resolvers.loaders import Loaders

        loaders = self._event_loaders.get(history_id)
        if loaders is None:
            loaders = self._event_loaders[history_id] = Loaders(self.db.read_engine)
            if len(self._event_loaders) > EVENT_LOADERS_KEPT:
                self._event_loaders.popitem(last=False)
        return loaders

    def wake_worker(self) -> None:
        """New outbox work was committed: the in-process worker looks now instead of later."""
        self.work_ready.set()

    async def close(self) -> None:
        await self.db.dispose()


def build_container(settings: Settings, *, allow_generated_secret: bool = False) -> Container:
    secret = settings.secret_key
    generated = False
    if not secret:
        if not (allow_generated_secret or settings.dev_mode):
            raise MissingSecret(
                "RENEWALS_SECRET_KEY is not set. Set it, or run in dev mode "
                "(`renewals serve --dev` or RENEWALS_DEV_MODE=1) to generate one."
            )
        secret, generated = secrets.token_urlsafe(32), True
    return Container(
        settings=settings,
        db=create_database(
            settings.database_url,
            pool_size=settings.pool_size,
            max_overflow=settings.pool_max_overflow,
            pool_timeout=settings.pool_timeout_seconds,
        ),
        clock=SystemClock(settings.today),
        bus=InProcessEventBus(),
        secret_key=secret,
        payments=SimulatedPaymentGateway(),
        generated_secret=generated,
    )
