"""The committed SPA build (src/renewals/web/static/app) is exactly what frontend/app builds to.

`pip install .` serves the committed files without Node, so they must not drift from the sources
(nor the generated types in frontend/app/src/gql from schema.graphql): `npm run check-build`
builds into a temporary directory and compares byte for byte.
"""

import subprocess

from tests.clients.live import APP_DIR, require_node_modules


def test_committed_build_matches_the_sources():
    require_node_modules(APP_DIR)
    result = subprocess.run(
        ["npm", "run", "--silent", "check-build"],
        cwd=APP_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
