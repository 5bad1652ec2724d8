"""The app's ports, built once at start-up (lifespan, CLI) and handed to everything below."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field

from renewals.clock import Clock, SystemClock
from renewals.config import Settings
from renewals.events import EventBus, InProcessEventBus
from renewals.persistence.budgets import RateBudgets, budgets_for
from renewals.persistence.db import Database, create_database
from renewals.services.payments import PaymentGateway, SimulatedPaymentGateway


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
    budgets: RateBudgets
    work_ready: asyncio.Event = field(default_factory=asyncio.Event)
    mail_ready: asyncio.Event = field(default_factory=asyncio.Event)

    def wake_worker(self) -> None:
        """New outbox work (jobs, emails) was committed: the in-process worker and the email
        sender look now instead of later."""
        self.work_ready.set()
        self.mail_ready.set()

    def wake_mailer(self) -> None:
        """New emails were committed: the in-process sender looks now instead of later."""
        self.mail_ready.set()

    async def close(self) -> None:
        await self.db.dispose()


def build_container(settings: Settings) -> Container:
    secret = settings.secret_key
    if not secret:
        if not settings.dev_mode:
            raise MissingSecret(
                "RENEWALS_SECRET_KEY is not set. Set it, or run in dev mode "
                "(`renewals serve --dev` or RENEWALS_DEV_MODE=1) to generate one."
            )
        secret = secrets.token_urlsafe(32)
    db = create_database(
        settings.database_url,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_max_overflow,
        pool_timeout=settings.pool_timeout_seconds,
        group_commit=settings.sqlite_group_commit,
    )
    return Container(
        settings=settings,
        db=db,
        clock=SystemClock(settings.today),
        bus=InProcessEventBus(),
        secret_key=secret,
        payments=SimulatedPaymentGateway(settings.simulated_declined_customers),
        budgets=budgets_for(db),
    )
