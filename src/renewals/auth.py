"""Bearer and checkout tokens (PyJWT, HS256, signed with RENEWALS_SECRET_KEY)."""

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import jwt

from renewals.domain.enums import Role

ALGORITHM = "HS256"
ISSUER = "renewals"


class AuthError(Exception):
    """A missing, expired or forged token."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking: a role and, for buyers and partners, their CSN."""

    role: Role
    customer_csn: str | None = None
    partner_csn: str | None = None
    subject: str = ""

    @property
    def scope(self) -> str:
        """A stable identity for idempotency keys."""
        return f"{self.role.value}:{self.customer_csn or self.partner_csn or '*'}:{self.subject}"


def mint_token(
    secret: str,
    role: Role,
    *,
    customer_csn: str | None = None,
    partner_csn: str | None = None,
    subject: str | None = None,
    ttl: timedelta = timedelta(hours=12),
) -> str:
    if role == Role.BUYER and not customer_csn:
        raise ValueError("a buyer token needs --customer CSN")
    if role == Role.PARTNER and not partner_csn:
        raise ValueError("a partner token needs --partner CSN")
    now = datetime.now(UTC)
    claims = {
        "iss": ISSUER,
        "typ": "bearer",
        "sub": subject or f"{role.value}-{customer_csn or partner_csn or 'team'}",
        "role": role.value,
        "iat": now,
        "exp": now + ttl,
    }
    csn = customer_csn if role == Role.BUYER else partner_csn if role == Role.PARTNER else None
    if csn is not None:
        claims["csn"] = csn
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_bearer(secret: str, token: str) -> Viewer:
    return _read_bearer(secret, token)[0]


def _read_bearer(secret: str, token: str) -> tuple[Viewer, float]:
    """The viewer and the token's `exp` (seconds since the epoch)."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "role", "sub"]},
        )
        role = Role(claims["role"])
    except (jwt.PyJWTError, ValueError) as e:
        raise AuthError(str(e)) from e
    if claims.get("typ") != "bearer":
        raise AuthError("not a bearer token")
    csn, subject = claims.get("csn"), claims["sub"]
    # Signed is not well-formed: a CSN that is not a plain string must never reach SQL.
    if role in (Role.BUYER, Role.PARTNER) and not (isinstance(csn, str) and csn.isprintable()):
        raise AuthError("token without a valid CSN")
    if not isinstance(subject, str):
        raise AuthError("token with a subject that is not a string")
    viewer = Viewer(
        role,
        customer_csn=csn if role == Role.BUYER else None,
        partner_csn=csn if role == Role.PARTNER else None,
        subject=subject,
    )
    return viewer, float(claims["exp"])


class BearerCache:
    """Bearer tokens already read, kept until their `exp`: a client sending the same token on
    every request has it decoded and verified once. Only valid tokens are kept; past `exp` the
    token is read again (and refused as expired, as PyJWT does: valid while now < exp)."""

    def __init__(self, maxsize: int = 1024) -> None:
        self.maxsize = maxsize
        self._viewers: OrderedDict[tuple[str, str], tuple[Viewer, float]] = OrderedDict()

    def read(self, secret: str, token: str) -> Viewer:
        key = (secret, token)
        hit = self._viewers.get(key)
        if hit is not None and time.time() < hit[1]:
            self._viewers.move_to_end(key)
            return hit[0]
        self._viewers.pop(key, None)
        found = _read_bearer(secret, token)
        self._viewers[key] = found
        if len(self._viewers) > self.maxsize:
            self._viewers.popitem(last=False)
        return found[0]


def parse_authorization(value: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value, or None."""
    if not value:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("expected 'Bearer <token>'")
    return token.strip()


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def mint_checkout_token(secret: str, quote_id: int, nonce: str, expires_on: date) -> str:
    """R13: accepts this quote alone; expires with it (business date); usable once (the nonce)."""
    claims = {
        "iss": ISSUER,
        "typ": "checkout",
        "qid": quote_id,
        "nonce": nonce,
        "until": expires_on.isoformat(),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


@dataclass(frozen=True, slots=True)
class CheckoutClaims:
    quote_id: int
    nonce: str
    until: date


def read_checkout_token(secret: str, token: str) -> CheckoutClaims:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER)
        if claims.get("typ") != "checkout":
            raise AuthError("not a checkout token")
        return CheckoutClaims(
            int(claims["qid"]), str(claims["nonce"]), date.fromisoformat(claims["until"])
        )
    except (jwt.PyJWTError, KeyError, ValueError, TypeError) as e:
        raise AuthError(str(e)) from e
