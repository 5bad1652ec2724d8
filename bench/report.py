"""One table (scenario | figure | target | ratio/met) from the scenarios' figures."""

from __future__ import annotations

from typing import Any

TARGETS = {
    "S1": "≥ 0.8× raw req/s; p99 reported",
    "S2": "≥ 0.7× raw req/s",
    "S3": "16 concurrent: ≥ 60 quotes/s SQLite, ≥ 200/s PostgreSQL ×2; create→QUOTED p99 ≤ 250 ms; none lost",
    "S4": "p99 ≤ 100 ms; every event once to each",
    "S4b": "p99 ≤ 500 ms; every event once to each",
    "S5": "≤ 30 s; peak RSS ≤ 400 MB",
    "S6": "constant",
}
NAMES = {
    "S1": "S1 SPA (buyer groups)",
    "S2": "S2 partner page",
    "S3": "S3 quote create",
    "S4": "S4 fan-out",
    "S4b": "S4b fan-out over workers",
    "S5": "S5 jobs",
    "S6": "S6 SQL",
}


def _num(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}" if abs(x) >= 10 else f"{x:,.2f}"


def fanout_verdict(r: dict[str, Any]) -> str:
    """S4's and S4b's verdict: losses and duplicates first, then the p99 target."""
    if r["lost"] or r["duplicates"]:
        return f"{r['lost']} LOST, {r['duplicates']} DUPLICATED"
    return "met" if r["p99_ms"] <= r["target_p99_ms"] else "p99 not met"


def rows(results: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []

    def add(scenario: str, figure: str, target: str, verdict: str) -> None:
        out.append({"scenario": scenario, "figure": figure, "target": target, "verdict": verdict})

    for key in ("S1", "S2", "S3", "S4", "S4b", "S5", "S6"):
        r = results.get(key)
        if r is None:
            continue
        name, target = NAMES[key], TARGETS[key]
        if "error" in r:
            add(name, f"ERROR: {r['error'][:200]}", target, "ERROR")
            continue
        if "skipped" in r:  # not shown in the table; said in the log and the JSON
            continue
        if key in ("S1", "S2"):
            add(
                name,
                f"GraphQL {_num(r['graphql_rps'])} req/s (p50 {_num(r['graphql_p50_ms'])} ms, p99 "
                f"{_num(r['graphql_p99_ms'])} ms) vs raw {_num(r['baseline_rps'])} req/s (p99 "
                f"{_num(r['baseline_p99_ms'])} ms); {r['objects']} objects, {r['connections']} conns",
                target,
                f"{r['ratio']:.2f}× — {'met' if r['met'] else 'not met'}",
            )
        elif key == "S3":
            for part in ("sequential", "concurrent"):
                p = r[part]
                label = "sequential" if part == "sequential" else f"{p['clients']} concurrent"
                add(
                    f"{name}, {label}",
                    f"{_num(p['quotes_per_s'])} quotes/s; create→QUOTED p50 {_num(p['to_quoted_p50_ms'])} ms, "
                    f"p99 {_num(p['to_quoted_p99_ms'])} ms; mutation p99 {_num(p['mutation_p99_ms'])} ms; "
                    f"{p['quoted_in_db']}/{p['created']} QUOTED",
                    target,
                    (
                        ("met" if p["met"] else "not met") + "; "
                        if "met" in p
                        else ""  # the sequential part is reported, not targeted
                    )
                    + ("none lost" if p["lost"] == 0 else f"{p['lost']} LOST"),
                )
        elif key == "S4":
            verdict = fanout_verdict(r)
            add(
                name,
                f"{r['subscribers']} subscribers × {r['changes']} changes: commit→delivery p50 "
                f"{_num(r['p50_ms'])} ms, p99 {_num(r['p99_ms'])} ms (max {_num(r['max_ms'])}); "
                f"{r['delivered']}/{r['expected_deliveries']} delivered, {r['duplicates']} duplicates; "
                f"{_num(r['deliveries_per_s'])} deliveries/s",
                target,
                verdict,
            )
        elif key == "S4b":
            verdict = fanout_verdict(r)
            add(
                name,
                f"{r['subscribers']} subscribers ({r['processes']} client processes; per worker "
                f"{'/'.join(str(c) for c in r['per_worker'])}) × {r['changes']} changes: "
                f"commit→delivery p50 {_num(r['p50_ms'])} ms, p99 {_num(r['p99_ms'])} ms (max "
                f"{_num(r['max_ms'])}); {r['delivered']}/{r['expected_deliveries']} delivered, "
                f"{r['duplicates']} duplicates; {_num(r['deliveries_per_s'])} deliveries/s",
                target,
                verdict,
            )
        elif key == "S5":
            add(
                name,
                f"{r['quoted']}/{r['due']} automatic quotes (finalized) from {r['subscriptions']:,} "
                f"subscriptions in {_num(r['wall_s'])} s = {_num(r['rate_per_s'])}/s; peak RSS "
                f"{_num(r['peak_rss_mb'])} MB",
                target,
                (
                    "wall met"
                    if r["wall_s"] <= r.get("target_wall_s", float("inf"))
                    else "wall not met"
                )
                + ("; RSS met" if r["peak_rss_mb"] <= r["target_peak_rss_mb"] else "; RSS not met")
                + ("" if r["quoted"] == r["due"] else f"; {r['due'] - r['quoted']} NOT QUOTED"),
            )
        elif key == "S6":
            scales = "/".join(f"{s}×" for s in r["scales"])
            for op, values in r["counts"].items():
                add(
                    f"{name}: {op}",
                    f"{'/'.join(str(v) for v in values)} statements at {scales} data",
                    target,
                    "constant" if r["constant"][op] else "GROWS",
                )
            lines = r.get("by_lines") or {}
            if lines:
                k = lines["lines"][1]
                add(
                    f"{name} (info): quote with 1 vs {k} lines",
                    f"create {lines['create'][0]}/{lines['create'][1]}, finalize "
                    f"{lines['finalize'][0]}/{lines['finalize'][1]} statements",
                    "—",
                    "grows with lines" if lines["create"][0] != lines["create"][1] else "constant",
                )
    return out


def markdown(table: list[dict[str, str]]) -> str:
    lines = ["| scenario | figure | target | ratio/met |", "| --- | --- | --- | --- |"]
    lines += [
        f"| {r['scenario']} | {r['figure']} | {r['target']} | {r['verdict']} |" for r in table
    ]
    return "\n".join(lines)
