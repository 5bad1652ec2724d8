"""Where a webhook may go, decided on the addresses its host resolves to now (at registration
and again before every attempt, so a name that later points inside is refused then)."""

import asyncio
import socket

from renewals.domain.enums import ErrorCode
from renewals.domain.errors import DomainError
from renewals.domain.webhooks import Target, address_problem, literal_address

RESOLVE_SECONDS = 5


async def resolve(target: Target) -> list[str]:
    """Every address the host has (an IP literal is its own); empty when it does not resolve."""
    literal = literal_address(target.host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM), RESOLVE_SECONDS
        )
    except (OSError, TimeoutError, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def check_target(target: Target, *, allow_private: bool) -> list[str]:
    """The addresses to call; INVALID_WEBHOOK_URL if none, or any is not public (unless allowed)."""
    addresses = await resolve(target)
    problem = address_problem(addresses, allow_private=allow_private)
    if problem is not None:
        raise DomainError.one(ErrorCode.INVALID_WEBHOOK_URL, problem, ("url",))
    return addresses
