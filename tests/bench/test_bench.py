"""`tui-sync bench --scale 0.05`: the command keeps working, prints the one JSON object the issue names,
writes its report, and a few figures hold whatever the machine (they count requests, not seconds)."""

from __future__ import annotations

import json

from tests.cli.test_cli_imports import cli, probe
from tui_sync import texts

SYNC_CASES = ("initial", "pull", "no_change", "incremental", "push")
SYNC_KEYS = {"seconds", "cpu_seconds", "requests", "sub_requests", "floor_seconds", "ratio"}


def test_bench_at_five_percent(run_cli, tmp_path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    done = run_cli(
        "bench", "--scale", "0.05", "--server-ms", "5", "--network-ms", "5", "--json", "--output", str(report)
    )
    assert done.exit_code == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) >= {*SYNC_CASES, "baseline", "scaling", "cli", "ui", "peak_rss_mb"}
    for case in (*SYNC_CASES, "baseline"):
        assert set(data[case]) >= SYNC_KEYS, case
        assert data[case]["seconds"] > 0 and data[case]["floor_seconds"] > 0
        assert data[case]["sub_requests"] >= data[case]["requests"] > 0
    assert data["baseline"]["speedup"] > 1  # the per-item way is slower, even on a small load
    assert data["no_change"]["requests"] <= 6
    assert data["incremental"]["requests"] - data["no_change"]["requests"] <= 6
    assert data["push"]["requests"] <= 2
    shares = [p["share"] for p in data["scaling"]]
    assert shares == [0.25, 0.5, 1.0]
    assert data["scaling"][-1]["requests"] == data["initial"]["requests"]  # 100 % is the initial case
    assert data["cli"]["seconds"] > 0
    assert set(data["ui"]) >= {"start_seconds", "filter_ms_2000", "filter_ms_10000"}
    assert data["peak_rss_mb"] > 0
    text = report.read_text(encoding="utf-8")
    assert "tui-sync bench --server-ms 5 --network-ms 5 --scale 0.05" in text
    assert "| initial |" in text and "| target |" in text and "████" in text
    assert not run_cli.database.exists()  # every case ran on its own CRM, never the machine's


def test_bench_refuses_a_bad_scale(run_cli) -> None:
    done = run_cli("bench", "--scale", "3")
    assert done.exit_code == 2 and "--scale" in done.stderr and done.stderr.count("\n") == 1


def test_bench_help_loads_nothing_heavy(run_cli) -> None:
    loaded, out = probe(cli("bench", "--help"), str(run_cli.config))
    assert loaded["code"] == 0 and "usage: tui-sync bench" in out
    assert not loaded["aiohttp"] and not loaded["msal"] and not loaded["textual"]
    assert not loaded["fake_microsoft365"]


def test_bench_refuses_a_model_with_no_time(run_cli, tmp_path) -> None:
    """With no server time and no network time the floor is 0 s: one line, not a division by zero."""
    report = tmp_path / "BENCHMARKS.md"
    done = run_cli("bench", "--server-ms", "0", "--network-ms", "0", "--output", str(report))
    assert done.exit_code == 2
    assert done.stderr.strip() == f"tui-sync: {texts.cli.BENCH_NO_TIME}"
    assert not report.exists()
