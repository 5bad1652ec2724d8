"""The layers of DESIGN.md hold: no import cycles, arrows only point down, a pure domain.

Imports inside functions count (a lazy import hides a cycle, it does not remove it); imports
under `if TYPE_CHECKING:` do not (GraphQL types that refer to each other name each other that way).
"""

import ast
import pathlib

import pytest

from tests.architecture.import_cycles import cycles, graph, modules

SRC = pathlib.Path(__file__).resolve().parents[2] / "src" / "renewals"
MODULES = modules(SRC)
EDGES = graph(MODULES)


def test_no_import_cycles():
    assert cycles(EDGES) == []


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


# What each layer may import of ours (besides itself). app/cli/web sit on top. `observability`
# (metrics, traces, logs) is a cross-cutting leaf that imports nothing of ours.
ALLOWED = {
    "domain": set(),
    "persistence": {"domain", "events", "observability"},
    "services": {
        *("domain", "persistence", "container", "clock", "config", "events", "auth"),
        "observability",
    },
    "api": {"domain", "persistence", "services", "container", "events", "auth", "config"},
    "observability": set(),
}


@pytest.mark.parametrize("below", sorted(ALLOWED))
def test_arrows_only_point_down(below):
    wrong = sorted(
        f"{source} -> {target}"
        for source, targets in EDGES.items()
        if layer(source) == below
        for target in targets
        if layer(target) != below and layer(target) not in ALLOWED[below]
    )
    assert wrong == []


def test_container_holds_ports_only():
    """The composition root below the API imports no GraphQL (nothing reaches up to api/)."""
    assert not {t for t in EDGES["renewals.container"] if layer(t) in ("api", "web")}


@pytest.mark.parametrize("library", ["sqlalchemy", "strawberry", "graphql", "starlette"])
def test_the_domain_imports_no_framework(library):
    found = []
    for name, path in MODULES.items():
        if layer(name) != "domain":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [node.module]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                )
                found += [f"{name}: {n}" for n in names if n and n.split(".")[0] == library]
    assert found == []
