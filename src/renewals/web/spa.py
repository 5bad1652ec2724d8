"""The reference SPA at /app and the packaged static assets (GraphiQL's, the SPA's) under /static.

Both are files inside the Python package (built and committed), so a plain `pip install .`
serves them without Node and without any external URL.
"""

from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC = Path(__file__).parent / "static"
APP = STATIC / "app"

MISSING = """<!doctype html><meta charset="utf-8"><title>renewals</title>
<p>The SPA's build is missing from this installation (src/renewals/web/static/app).
Rebuild it with <code>npm --prefix frontend/app ci && npm --prefix frontend/app run build</code>.</p>"""


def _index() -> Response:
    index = APP / "index.html"
    if not index.exists():
        return HTMLResponse(MISSING, status_code=503)
    return FileResponse(index, headers={"Cache-Control": "no-cache"})


async def index(request: Request) -> Response:
    """`/app`: the SPA's page (it reads `?token=` itself)."""
    return _index()


class AppFiles(StaticFiles):
    """`/app/...`: the built assets; any other path is a client-side route, so the page."""

    def __init__(self) -> None:
        super().__init__(directory=APP, check_dir=False)

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as e:
            if e.status_code != 404 or path.startswith("assets"):
                raise
            return _index()
