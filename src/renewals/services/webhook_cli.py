"""`renewals webhooks deliver [--loop]`: the webhook sender outside `serve`."""

import asyncio
import contextlib
import signal

from renewals.config import Settings
from renewals.container import build_container
from renewals.services.webhook_delivery import deliver_due, webhook_loop


def deliver(settings: Settings, loop: bool) -> int:
    """Sends what is due (and with `loop`, what becomes due) until none is or until stopped;
    prints how many were delivered."""

    async def run() -> int:
        container = build_container(settings)
        stop = asyncio.Event()
        running = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                running.add_signal_handler(sig, stop.set)
        try:
            if loop:
                await webhook_loop(container, stop)
                return 0
            # Until none is due: a failed one waits for its next attempt, so this ends.
            return await deliver_due(container, limit=1_000_000, stop=stop)
        finally:
            await container.close()

    delivered = asyncio.run(run())
    print(f"webhooks delivered: {delivered}")
    return 0
