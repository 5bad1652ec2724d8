"""Every package `src/renewals` imports is a runtime dependency in pyproject.toml, not only a dev
one: README's command 1 installs without the dev extra (a webhook sender importing httpx, a dev
dependency, once made `renewals serve` fail on a fresh machine)."""

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[\[<>=!~; ]", d, maxsplit=1)[0] for d in project["dependencies"]}
    return {n.lower().replace("_", "-") for n in names}


def imported_modules() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "renewals").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"renewals"}


def test_every_imported_package_is_a_runtime_dependency():
    runtime = declared()
    dists = packages_distributions()
    # Installed by a declared package's own extra or requirement (uvicorn[standard], the
    # OpenTelemetry SDK's API, strawberry's graphql-core, sqlalchemy's greenlet ...): allowed
    # when the distribution is required by a declared one.
    reachable = set(runtime)
    frontier = list(runtime)
    while frontier:
        try:
            requirements = requires(frontier.pop()) or []
        except PackageNotFoundError:  # a requirement for another Python (a marker): not here
            continue
        for requirement in requirements:
            if "extra ==" in requirement and "standard" not in requirement:
                continue
            name = re.split(r"[\[<>=!~; (]", requirement, maxsplit=1)[0].lower().replace("_", "-")
            if name not in reachable:
                reachable.add(name)
                frontier.append(name)
    missing = {}
    for module in imported_modules():
        owners = {d.lower().replace("_", "-") for d in dists.get(module, [])}
        if owners and not owners & reachable:
            missing[module] = sorted(owners)
    assert not missing, f"imported by src/renewals but not a runtime dependency: {missing}"
