"""The benchmark still works: `python -m bench --smoke` runs every scenario tiny and reports
numbers. Speed is never asserted (targets are printed, not enforced); correctness is: the SQL
statement counts do not grow with the data, and no quote or event is lost."""

import json
import os
import subprocess
import sys
from numbers import Number
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NUMBERS = {
    "S1": ("graphql_rps", "baseline_rps", "ratio", "graphql_p99_ms"),
    "S2": ("graphql_rps", "baseline_rps", "ratio", "graphql_p99_ms"),
    "S4": ("p50_ms", "p99_ms", "delivered", "lost", "duplicates"),
    "S5": ("wall_s", "peak_rss_mb", "rate_per_s", "quoted", "due"),
}


def test_smoke_run_reports_every_scenario(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    argv = [sys.executable, "-m", "bench", "--smoke", "--json", str(out)]
    database = os.environ.get("RENEWALS_TEST_DATABASE_URL", "")
    if database.startswith("postgresql"):  # the suite's PostgreSQL run: fresh bench_* databases
        argv += ["--database-url", database]
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENEWALS_")}
    done = subprocess.run(
        argv,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    report = json.loads(out.read_text())
    results = report["results"]
    assert set(results) == {"S1", "S2", "S3", "S4", "S4b", "S5", "S6"}
    for scenario, keys in NUMBERS.items():
        assert "error" not in results[scenario], results[scenario]
        for key in keys:
            assert isinstance(results[scenario][key], Number), (scenario, key)
    assert results["S1"]["objects"] > 0 and results["S2"]["objects"] > 0

    s3 = results["S3"]
    for part in ("sequential", "concurrent"):
        assert isinstance(s3[part]["quotes_per_s"], Number)
        assert s3[part]["created"] > 0
        assert s3[part]["quoted_in_db"] == s3[part]["created"], s3[part]
    assert s3["concurrent"]["clients"] == 16
    assert s3["lost"] == 0

    s4 = results["S4"]
    assert s4["lost"] == 0 and s4["duplicates"] == 0, s4
    assert s4["delivered"] == s4["expected_deliveries"] > 0

    s4b = results["S4b"]
    if database.startswith("postgresql"):  # subscribers in their own processes, over NOTIFY
        assert "error" not in s4b, s4b
        assert s4b["lost"] == 0 and s4b["duplicates"] == 0, s4b
        assert s4b["delivered"] == s4b["expected_deliveries"] > 0
    else:  # events cross workers only through PostgreSQL's NOTIFY
        assert s4b["skipped"].startswith("needs PostgreSQL"), s4b

    assert results["S5"]["quoted"] == results["S5"]["due"] > 0

    s6 = results["S6"]
    assert len(s6["scales"]) >= 3
    for operation, counts in s6["counts"].items():
        assert len(counts) == len(s6["scales"]), operation
        assert all(isinstance(c, int) and c > 0 for c in counts), (operation, counts)
        assert len(set(counts)) == 1, f"{operation}: {counts} statements grow with the data"

    rows = {row["scenario"].split()[0] for row in report["table"]}
    shown = {"S1", "S2", "S3", "S4", "S5", "S6"}
    assert rows == (shown | {"S4b"} if database.startswith("postgresql") else shown)
    assert "| scenario | figure | target | ratio/met |" in done.stdout


def test_two_runs_print_side_by_side(tmp_path: Path) -> None:
    from bench.compare import side_by_side

    def run(database: str, workers: int, verdict: str) -> dict:
        row = {
            "scenario": "S1 SPA",
            "figure": f"{database} figure",
            "target": "t",
            "verdict": verdict,
        }
        return {"meta": {"database": database, "workers": workers}, "table": [row]}

    assert side_by_side([run("sqlite", 1, "0.5×"), run("postgresql", 2, "0.4×")]).splitlines() == [
        "| scenario | sqlite, 1 worker(s) | postgresql, 2 worker(s) | target |",
        "| --- | --- | --- | --- |",
        "| S1 SPA | sqlite figure (0.5×) | postgresql figure (0.4×) | t |",
    ]
