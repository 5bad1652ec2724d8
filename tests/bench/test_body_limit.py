"""A 20 MB body is refused before it is read and the server's memory stays flat (B3), measured
on `renewals serve` in a subprocess by `python -m bench.body_limit`."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_large_bodies_leave_the_servers_memory_flat() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENEWALS_")}
    argv = [sys.executable, "-m", "bench.body_limit", "--count", "4", "--size-mb", "20"]
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(done.stdout.splitlines()[-1])
    assert set(figures["statuses"]) <= {413, "reset"}, figures  # reset: see bench/body_limit.py
    assert figures["growth_mb"] < 20, figures  # 4 + 4 bodies of 20 MB: 160 MB if they were read
