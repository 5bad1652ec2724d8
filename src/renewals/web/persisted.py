"""Automatic persisted queries (Apollo's APQ protocol): a hash stands for a document.

A client sends `extensions.persistedQuery.sha256Hash` without the query; if the hash is known the
stored document runs (skipping the transfer, and the parse and validation caches do the rest).
Unknown: `PERSISTED_QUERY_NOT_FOUND`, and the client retries with query and hash, which is
verified, run, and stored only once it passed parsing, validation and the operation limits.

Bounded per process: at most `max_documents` documents and `max_bytes` bytes in all (least
recently used first out); a document over `max_document_bytes` runs but is not kept (its client
keeps sending it whole, as Apollo's link does on PERSISTED_QUERY_NOT_FOUND).
"""

import hashlib
from collections import OrderedDict
from typing import Any

MAX_DOCUMENTS = 1000


class PersistedQueryError(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def persisted_hash(extensions: dict[str, Any] | None) -> str | None:
    """The hash an APQ request names, None for a plain request; refuses unknown versions."""
    persisted = (extensions or {}).get("persistedQuery")
    if not isinstance(persisted, dict):
        return None
    digest = persisted.get("sha256Hash")
    if persisted.get("version") != 1 or not isinstance(digest, str):
        raise PersistedQueryError(
            "Unsupported persistedQuery version.", "PERSISTED_QUERY_NOT_SUPPORTED"
        )
    return digest


class PersistedQueries:
    def __init__(
        self,
        *,
        max_bytes: int,
        max_document_bytes: int,
        max_documents: int = MAX_DOCUMENTS,
    ) -> None:
        self.max_bytes = max_bytes
        self.max_document_bytes = max_document_bytes
        self.max_documents = max_documents
        self._documents: OrderedDict[str, bytes] = OrderedDict()
        self.size = 0

    def __len__(self) -> int:
        return len(self._documents)

    def resolve(self, query: str | None, extensions: dict[str, Any] | None) -> str | None:
        """The document to run: the given one (its hash checked) or the stored one."""
        digest = persisted_hash(extensions)
        if digest is None:
            return query
        if query is None:
            stored = self._documents.get(digest)
            if stored is None:
                raise PersistedQueryError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
            self._documents.move_to_end(digest)
            return stored.decode()
        if hashlib.sha256(query.encode()).hexdigest() != digest:
            raise PersistedQueryError("provided sha does not match query", "BAD_USER_INPUT")
        return query

    def register(self, query: str | None, extensions: dict[str, Any] | None) -> None:
        """Keeps a document that ran (call only once it passed the limits; resolve checked it)."""
        digest = persisted_hash(extensions)
        if digest is None or query is None or digest in self._documents:
            return
        document = query.encode()
        if len(document) > min(self.max_document_bytes, self.max_bytes):
            return
        self._documents[digest] = document
        self.size += len(document)
        while self.size > self.max_bytes or len(self._documents) > self.max_documents:
            _, evicted = self._documents.popitem(last=False)
            self.size -= len(evicted)
