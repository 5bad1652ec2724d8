"""Automatic persisted queries (Apollo's APQ protocol): a hash stands for a document.

A client sends `extensions.persistedQuery.sha256Hash` without the query; if the hash is known the
stored document runs (skipping the transfer, and the parse and validation caches do the rest).
Unknown: `PERSISTED_QUERY_NOT_FOUND`, and the client retries with query and hash, which is
verified and stored. Bounded LRU per process.
"""

import hashlib
from collections import OrderedDict
from typing import Any

MAX_DOCUMENTS = 1000


class PersistedQueryError(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class PersistedQueries:
    def __init__(self, limit: int = MAX_DOCUMENTS) -> None:
        self.limit = limit
        self._documents: OrderedDict[str, str] = OrderedDict()

    def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> str | None:
        """The document to run: the given one (stored under its hash) or the stored one."""
        persisted = (extensions or {}).get("persistedQuery")
        if not isinstance(persisted, dict):
            return query
        digest = persisted.get("sha256Hash")
        if persisted.get("version") != 1 or not isinstance(digest, str):
            raise PersistedQueryError(
                "Unsupported persistedQuery version.", "PERSISTED_QUERY_NOT_SUPPORTED"
            )
        if query is None:
            stored = self._documents.get(digest)
            if stored is None:
                raise PersistedQueryError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
            self._documents.move_to_end(digest)
            return stored
        if hashlib.sha256(query.encode()).hexdigest() != digest:
            raise PersistedQueryError("provided sha does not match query", "BAD_USER_INPUT")
        self._documents[digest] = query
        if len(self._documents) > self.limit:
            self._documents.popitem(last=False)
        return query
