"""Fresh databases for one run: SQLite files in a temporary directory, or PostgreSQL databases
named bench_<random>[_<suffix>] created on the server the caller names and dropped afterwards."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url


class Databases:
    """`url = await dbs.create("main")` ... `await dbs.drop_all()`."""

    def __init__(self, base_url: str | None, workdir: Path) -> None:
        self.base_url = base_url
        self.workdir = workdir
        self.run_id = uuid.uuid4().hex[:10]
        self.created: list[str] = []
        self._sqlite_dir: Path | None = None

    @property
    def is_postgres(self) -> bool:
        return bool(self.base_url) and self.base_url.startswith("postgresql")  # type: ignore[union-attr]

    @property
    def kind(self) -> str:
        return "postgresql" if self.is_postgres else "sqlite"

    async def create(self, suffix: str) -> str:
        if not self.is_postgres:
            if self.base_url and not self.base_url.startswith("sqlite"):
                raise SystemExit(f"unsupported --database-url {self.base_url!r}")
            if self._sqlite_dir is None:
                self._sqlite_dir = Path(tempfile.mkdtemp(prefix="db-", dir=self.workdir))
            path = self._sqlite_dir / f"bench_{suffix}.db"
            url = f"sqlite+aiosqlite:///{path}"
            self.created.append(url)
            return url
        name = f"bench_{self.run_id}_{suffix}".lower()
        await self._admin(f'CREATE DATABASE "{name}"')
        url = make_url(self.base_url).set(database=name).render_as_string(hide_password=False)
        self.created.append(url)
        return url

    async def drop(self, url: str) -> None:
        if url not in self.created:
            return
        self.created.remove(url)
        if self.is_postgres:
            name = make_url(url).database
            await self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            path = Path(make_url(url).database or "")
            for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                with contextlib.suppress(FileNotFoundError):
                    candidate.unlink()

    async def drop_all(self) -> None:
        for url in list(self.created):
            with contextlib.suppress(Exception):
                await self.drop(url)
        if self._sqlite_dir is not None:
            shutil.rmtree(self._sqlite_dir, ignore_errors=True)

    async def _admin(self, sql: str) -> None:
        """CREATE / DROP DATABASE run outside a transaction, on the database the caller named."""
        import asyncpg

        url = make_url(self.base_url)
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            conn = await asyncpg.connect(dsn)
        except asyncpg.InvalidCatalogNameError:  # the named database does not exist: use postgres
            fallback = url.set(drivername="postgresql", database="postgres")
            conn = await asyncpg.connect(fallback.render_as_string(hide_password=False))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()
