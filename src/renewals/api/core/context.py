"""The per-request context: the viewer, its visibility, fresh DataLoaders (sharing one read
connection) and the app's ports, plus the few things the API layer keeps for the life of the process (ApiCaches)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from strawberry import Info

from renewals.api.core.errors import unauthenticated
from renewals.api.loaders import Loaders
from renewals.auth import AuthError, BearerCache, Viewer, parse_authorization
from renewals.domain.enums import Role
from renewals.domain.visibility import Visibility
from renewals.persistence.db import SharedReadConnection

if TYPE_CHECKING:
    from strawberry.dataloader import DataLoader

    from renewals.container import Container

EVENT_LOADERS_KEPT = 64


@dataclass
class ApiCaches:
    """Built once per app (the GraphQL view) and shared by its requests and subscribers."""

    _ids: dict[tuple[str, str], int] = field(default_factory=dict)
    _event_loaders: OrderedDict[int, Loaders] = field(default_factory=OrderedDict)
    bearers: BearerCache = field(default_factory=BearerCache)

    async def id_of(self, kind: str, csn: str, loader: DataLoader[str, int | None]) -> int | None:
        """CSN → id never changes once a row exists (imports upsert), so hits are kept."""
        cached = self._ids.get((kind, csn))
        if cached is None:
            cached = await loader.load(csn)
            if cached is not None:
                self._ids[(kind, csn)] = cached
        return cached

    def event_loaders(self, container: Container, history_id: int) -> Loaders:
        """Loaders shared by every subscriber delivering one status event (a small LRU)."""
        loaders = self._event_loaders.get(history_id)
        if loaders is None:
            loaders = self._event_loaders[history_id] = Loaders(container.db.shared_reads())
            if len(self._event_loaders) > EVENT_LOADERS_KEPT:
                self._event_loaders.popitem(last=False)
        return loaders


@dataclass
class Context:
    container: Container
    caches: ApiCaches = field(default_factory=ApiCaches)
    request: Any = None
    response: Any = None
    authorization: str | None = None
    connection_params: dict[str, Any] | None = None
    loaders: Loaders = field(init=False)
    today: date = field(init=False)
    _viewer: Viewer | None = field(default=None, init=False)
    _visibility: Visibility | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """New loaders and business date: what follows is read afresh (after a mutation)."""
        self.loaders = Loaders(self.container.db.shared_reads())
        self.today = self.container.clock.today()

    @property
    def reads(self) -> SharedReadConnection:
        """The request's read connection (the loaders' one): list reads and counts use it too."""
        return self.loaders.reads

    async def close(self) -> None:
        """Gives the read connection back now; without this it goes back a few loop iterations
        after its last statement (api/core/dataloader.py)."""
        await self.loaders.reads.close()

    def for_event(self, history_id: int) -> None:
        """Reads one status event through the loaders every subscriber of it shares."""
        self.loaders = self.caches.event_loaders(self.container, history_id)
        self.today = self.container.clock.today()

    async def customer_id(self, csn: str) -> int | None:
        return await self.caches.id_of("customer", csn, self.loaders.customer_id_by_csn)

    async def partner_id(self, csn: str) -> int | None:
        return await self.caches.id_of("partner", csn, self.loaders.partner_id_by_csn)

    async def filter_id(self, csn: str | None, *, partner: bool = False) -> int | None | bool:
        """The id for a CSN filter argument: None without one, False for an unknown CSN (the
        result is then empty)."""
        if csn is None:
            return None
        found = await (self.partner_id(csn) if partner else self.customer_id(csn))
        return False if found is None else found

    def authenticated(self, viewer: Viewer) -> None:
        """The viewer established at WebSocket connect (api/core/websocket.py)."""
        self._viewer = viewer

    def optional_viewer(self) -> Viewer | None:
        """The viewer, None without a token; a bad token is UNAUTHENTICATED."""
        if self._viewer is None:
            try:
                token = parse_authorization(self.authorization)
                if token is None:
                    return None
                self._viewer = self.caches.bearers.read(self.container.secret_key, token)
            except AuthError as e:
                raise unauthenticated("The bearer token is invalid or expired.") from e
        return self._viewer

    def viewer(self) -> Viewer:
        viewer = self.optional_viewer()
        if viewer is None:
            raise unauthenticated("Send 'Authorization: Bearer <token>' (see `renewals token`).")
        return viewer

    async def visibility(self) -> Visibility:
        """What the viewer may see, as row filters (resolved once per request)."""
        if self._visibility is None:
            viewer = self.viewer()
            if viewer.role == Role.SALES:
                self._visibility = Visibility()
            elif viewer.role == Role.BUYER:
                customer_id = await self.customer_id(viewer.customer_csn or "")
                self._visibility = Visibility(customer_id=customer_id, nothing=customer_id is None)
            else:
                partner_id = await self.partner_id(viewer.partner_csn or "")
                self._visibility = Visibility(reseller_id=partner_id, nothing=partner_id is None)
        return self._visibility

    async def can_see(self, record: Any) -> bool:
        """A subscription or quote record: the viewer's own, its resold, or sales."""
        return (await self.visibility()).allows(record)


def ctx(info: Info) -> Context:
    """The request's context, typed."""
    return info.context
