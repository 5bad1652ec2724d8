"""GraphiQL at GET /graphql loads only assets this server serves, each vendored with its licence."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import httpx
from graphql import build_schema, parse, validate

from renewals.web.graphiql import ASSETS, DEFAULT_DOCUMENT, DEFAULT_TABS

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend" / "graphiql"
CONTENT_TYPES = {".js": "javascript", ".css": "text/css"}
EXTERNAL = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+", re.I)


class References(HTMLParser):
    """Every src/href in the page, and the text of its inline <script>s and <style>s."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self._in_inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        self.urls += [found[name] for name in ("src", "href") if name in found]
        self._in_inline = tag in ("script", "style") and "src" not in found

    def handle_endtag(self, tag: str) -> None:
        self._in_inline = False

    def handle_data(self, data: str) -> None:
        if self._in_inline:
            self.inline.append(data)


async def graphiql_page(client: httpx.AsyncClient) -> str:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return response.text


async def test_graphiql_page_references_no_external_url(client: httpx.AsyncClient) -> None:
    html = await graphiql_page(client)
    page = References()
    page.feed(html)
    assert page.urls, "the page references no asset"
    for url in page.urls:
        assert url.startswith("/static/graphiql/") or url.startswith("data:"), url
    assert "http://" not in html and "https://" not in html
    for code in page.inline:
        assert not re.search(r"""@import|url\(\s*['"]?(?:https?:)?//""", code), code
        assert not re.search(r"""import\s*\(?\s*['"](?:https?:)?//""", code), code
        for literal in re.findall(r"""["'`]([^"'`\n]*)["'`]""", code):
            assert not EXTERNAL.match(literal), literal
    assert json.dumps(DEFAULT_DOCUMENT)[1:40] in html
    assert "defaultTabs: DEFAULT_TABS" in html
    assert "shouldPersistHeaders" in html and "graphqlWs.createClient" in html


async def test_every_referenced_asset_is_served(client: httpx.AsyncClient) -> None:
    page = References()
    page.feed(await graphiql_page(client))
    assets = [url for url in page.urls if url.startswith("/static/")]
    assert {Path(url.split("?")[0]).suffix for url in assets} == {".js", ".css"}
    for url in assets:
        response = await client.get(url)
        assert response.status_code == 200, url
        expected = CONTENT_TYPES[Path(url.split("?")[0]).suffix]
        assert expected in response.headers["content-type"], (url, response.headers)
        assert len(response.content) > 1000, url


def test_vendored_assets_fetch_nothing_outside() -> None:
    """No CSS @import or url() leaves the server (GraphiQL's fonts are inlined as data: URLs),
    and no source map is announced that is not shipped."""
    files = [p for p in ASSETS.iterdir() if p.suffix in (".js", ".css")]
    assert files
    for path in files:
        text = path.read_text()
        assert "sourceMappingURL" not in text, path.name
        if path.suffix == ".css":
            assert "@import" not in text, path.name
            for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", text):
                assert url.startswith("data:") or url.startswith("#"), (path.name, url[:80])


def test_versions_json_lists_every_vendored_package_with_its_licence() -> None:
    versions = json.loads((ASSETS / "VERSIONS.json").read_text())
    pinned = json.loads((FRONTEND / "package.json").read_text())["dependencies"]
    assert versions == pinned
    assert set(versions) >= {
        "graphiql",
        "@graphiql/plugin-explorer",
        "react",
        "react-dom",
        "graphql-ws",
    }
    lock = json.loads((FRONTEND / "package-lock.json").read_text())["packages"]
    for name, version in versions.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), (name, version)
        assert lock[f"node_modules/{name}"]["version"] == version, name
        licence = ASSETS / f"LICENSE.{name.removeprefix('@').replace('/', '-')}.txt"
        assert licence.is_file(), licence
        assert "Permission is hereby granted" in licence.read_text(), licence
    assert versions["graphiql"].startswith("3.")
    assert versions["react"].startswith("18.") and versions["react-dom"] == versions["react"]


def test_default_tabs_are_valid_against_the_schema() -> None:
    """Every operation of GraphiQL's first-visit tabs (the draft flow's included) validates
    against the committed SDL, and each tab's variables are JSON."""
    schema = build_schema((ROOT / "schema.graphql").read_text())
    assert DEFAULT_TABS[0]["query"] == DEFAULT_DOCUMENT
    names = []
    for tab in DEFAULT_TABS:
        document = parse(tab["query"])
        assert validate(schema, document) == [], tab["query"]
        names += [d.name.value for d in document.definitions if getattr(d, "name", None)]
        json.loads(tab.get("variables") or "{}")
    assert names == ["EligibleGroups", "PreviewRenewal", "SaveDraft", "ReviewDraft", "SendDraft"]
