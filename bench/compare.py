"""Prints two benchmark runs side by side: `python -m bench.compare sqlite.json pg.json`.

Each column is one `python -m bench --json` file (e.g. SQLite with one worker beside PostgreSQL
with two); rows are the scenarios of the first file, in its order.
"""

import json
import sys
from pathlib import Path
from typing import Any


def label(meta: dict[str, Any]) -> str:
    return f"{meta.get('database', '?')}, {meta.get('workers', 1)} worker(s)"


def side_by_side(runs: list[dict[str, Any]]) -> str:
    rows = [["scenario", *(label(r["meta"]) for r in runs), "target"]]
    rows.append(["---"] * len(rows[0]))
    by_run = [{row["scenario"]: row for row in r["table"]} for r in runs]
    for row in runs[0]["table"]:
        name = row["scenario"]
        cells = [
            f"{found['figure']} ({found['verdict']})" if (found := table.get(name)) else "—"
            for table in by_run
        ]
        rows.append([name, *cells, row["target"]])
    return "\n".join("| " + " | ".join(cells) + " |" for cells in rows)


def main(argv: list[str] | None = None) -> int:
    paths = argv if argv is not None else sys.argv[1:]
    if len(paths) < 2:
        print("usage: python -m bench.compare RUN.json RUN.json [...]", file=sys.stderr)
        return 2
    print(side_by_side([json.loads(Path(p).read_text()) for p in paths]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
