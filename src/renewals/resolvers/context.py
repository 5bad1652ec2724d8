"""The per-request context: the viewer, its visibility, fresh DataLoaders and the app's ports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from renewals.auth import AuthError, Viewer, parse_authorization, read_bearer
from renewals.domain.enums import Role
from renewals.persistence.reads import Visibility
from renewals.resolvers.errors import unauthenticated
from renewals.resolvers.loaders import Loaders

if TYPE_CHECKING:
    from renewals.container import Container


@dataclass
class Context:
    container: Container
    request: Any = None
    response: Any = None
    authorization: str | None = None
    connection_params: dict[str, Any] | None = None
    loaders: Loaders = field(init=False)
    today: date = field(init=False)
    _viewer: Viewer | None = field(default=None, init=False)
    _visibility: Visibility | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.container.db.read_engine)
        self.today = self.container.clock.today()

    def refresh(self) -> None:
        """New loaders and business date: each subscription event is read afresh."""
        self.loaders = Loaders(self.container.db.read_engine)
        self.today = self.container.clock.today()

    def authenticated(self, viewer: Viewer) -> None:
        """The viewer established at WebSocket connect (resolvers/websocket.py)."""
        self._viewer = viewer

    def optional_viewer(self) -> Viewer | None:
        """The viewer, None without a token; a bad token is UNAUTHENTICATED."""
        if self._viewer is None:
            try:
                token = parse_authorization(self.authorization)
                if token is None:
                    return None
                self._viewer = read_bearer(self.container.secret_key, token)
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
                customer_id = await self.container.customer_id(
                    viewer.customer_csn or "", self.loaders
                )
                self._visibility = Visibility(customer_id=customer_id, nothing=customer_id is None)
            else:
                partner_id = await self.container.partner_id(viewer.partner_csn or "", self.loaders)
                self._visibility = Visibility(reseller_id=partner_id, nothing=partner_id is None)
        return self._visibility

    async def can_see(self, record: Any) -> bool:
        """A subscription or quote record: the viewer's own, its resold, or sales."""
        return (await self.visibility()).allows(record)
