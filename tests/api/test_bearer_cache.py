"""A bearer token is verified once and then read from the cache until its `exp`: after that it
is refused as expired, as without the cache; tokens that fail are never kept."""

import time
from datetime import timedelta

import pytest

from renewals.auth import AuthError, BearerCache, mint_token, read_bearer
from renewals.domain.enums import Role

SECRET = "a-secret-key-that-is-long-enough-for-hs256-signing"


def test_a_token_is_read_once_and_then_from_the_cache():
    cache = BearerCache()
    token = mint_token(SECRET, Role.BUYER, customer_csn="5100000001")
    first = cache.read(SECRET, token)
    assert first == read_bearer(SECRET, token)
    assert cache.read(SECRET, token) is first


def test_a_cached_token_is_refused_once_it_expires():
    cache = BearerCache()
    token = mint_token(SECRET, Role.SALES, ttl=timedelta(seconds=1))
    assert cache.read(SECRET, token).role == Role.SALES
    time.sleep(1.1)
    with pytest.raises(AuthError, match="expired"):
        cache.read(SECRET, token)
    assert not cache._viewers  # noqa: SLF001


def test_bad_tokens_are_refused_every_time_and_never_kept():
    cache = BearerCache()
    forged = mint_token("another-secret-key-that-is-long-enough-to-sign", Role.SALES)
    expired = mint_token(SECRET, Role.SALES, ttl=timedelta(seconds=-5))
    for token in (forged, expired, forged):
        with pytest.raises(AuthError):
            cache.read(SECRET, token)
    assert not cache._viewers  # noqa: SLF001
    good = mint_token(SECRET, Role.SALES)
    with pytest.raises(AuthError):
        cache.read("the-wrong-secret-key-that-is-long-enough-for-hs256", good)


def test_the_cache_is_bounded():
    cache = BearerCache(maxsize=2)
    tokens = [mint_token(SECRET, Role.SALES, subject=f"s{i}") for i in range(3)]
    for token in tokens:
        cache.read(SECRET, token)
    assert list(cache._viewers) == [(SECRET, t) for t in tokens[1:]]  # noqa: SLF001
