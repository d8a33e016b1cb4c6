"""Crashes: `tui-sync sync` killed with SIGKILL (a dropped SSH session, a killed cron job, a closed
laptop lid) at random points of a first sync, each time re-run at once. The re-run is never refused
(the dead run's lease is taken over), and once a run completes both sides agree: every item once on
each side, links consistent, no lease left, and a further sync writes nothing.

The default suite kills a small first sync a few times; the slow run (`pytest -m slow
tests/reliability/test_crashes.py -s`) kills a sync at the limits (800 single actions, 800 series
occurrences) 24 times and prints its figures. `TUI_SYNC_CRASH_SEED` replays a campaign."""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest

from tests.reliability.crash_rig import (
    BUSY,
    PERIOD,
    Crasher,
    Load,
    Tmux,
    agreement_problems,
    churn_crm,
    kill_until_done,
    seed,
    served,
)
from tests.threaded_fake import ThreadedFake
from tui_sync import texts


@pytest.fixture
def cli(connected_cli):
    return connected_cli


def campaign(cli, fake: ThreadedFake, *, share: float, kills: int, latency_ms: int) -> dict[str, object]:
    """Seed at `share` of the limits, kill `kills` runs at random points, then check convergence."""
    rng_seed = int(os.environ.get("TUI_SYNC_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(rng_seed)
    load = Load.of(share)
    seed(cli.database, fake, load)
    fake.faults(latency_ms=latency_ms)
    fake.clear_requests()
    writes = load.crm_actions + load.outlook_events * 2 + 8  # events, stamps, series masters
    crasher = Crasher(cli.config, fake)

    def more_work(n: int) -> int:  # the previous run finished: half the CRM's actions renamed
        return asyncio.run(churn_crm(cli.database, max(4, load.crm_actions // 2), f"Edit {n}"))

    started = time.monotonic()
    # Outlook runs 4 sub-requests at once: each costs about a quarter of the server time
    made = kill_until_done(crasher, rng, kills, writes + 4, latency_ms / 4000 + 0.002, more_work)
    final = crasher.run()
    assert BUSY not in final.stderr and final.code == 0, (rng_seed, final.stderr)
    problems = agreement_problems(cli.database, fake)
    assert problems == [], (rng_seed, problems)
    fake.faults(latency_ms=0)
    again = cli("sync", "--user", "CARINE", "--agenda", *crasher.args[1:])
    summary = again.json()["agenda"]
    assert summary["microsoft"] == {"created": 0, "updated": 0, "deleted": 0}, rng_seed
    assert summary["crm"] == {"created": 0, "updated": 0, "deleted": 0}, rng_seed
    assert summary["left_out"] == 0, rng_seed  # the load stayed within the limits
    killed = [o for o in crasher.outcomes if o.killed]
    return {
        "seed": rng_seed,
        "kills": made,
        "runs": len(crasher.outcomes),
        "killed_after_requests": sorted(o.requests for o in killed),
        "killed_by": Counter(o.aimed.split()[-1] for o in killed),
        "final_run_seconds": round(final.seconds, 1),
        "campaign_seconds": round(time.monotonic() - started, 1),
        "single_actions": load.crm_actions + load.outlook_events,
        "occurrences": load.per_series * 8,
    }


def test_a_sync_killed_at_random_points_and_rerun_at_once_converges(cli, fake: ThreadedFake) -> None:
    figures = campaign(cli, fake, share=0.05, kills=4, latency_ms=30)
    assert figures["kills"] == 4


@pytest.mark.slow
def test_a_sync_at_the_limits_killed_24_times_converges(cli, fake: ThreadedFake, tmp_path: Path) -> None:
    figures = campaign(cli, fake, share=1.0, kills=24, latency_ms=10)
    print("CRASH FIGURES", json.dumps(figures))
    assert figures["kills"] >= 20


def lease_of(database: Path) -> tuple[str, int] | None:
    with closing(sqlite3.connect(database)) as db:
        return db.execute("SELECT host, pid FROM sync_leases WHERE user = 'CARINE'").fetchone()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_terminal_application_killed_mid_sync_then_reopened_converges(cli, fake: ThreadedFake) -> None:
    """`f9` (Sync now) in the terminal application, SIGKILL once Outlook is being written to, then the
    application opened again and `f9` at once: it syncs (no wait for the dead one), both sides agree."""
    load = Load.of(0.05)
    seed(cli.database, fake, load)
    assert cli("user", "set", "CARINE", "--months-after", "6", "--no-startup").exit_code == 0
    fake.faults(latency_ms=30)
    fake.clear_requests()
    env = {k: v for k, v in os.environ.items() if k.startswith("TUI_SYNC_") or k in ("PATH", "HOME", "LANG")}
    env |= {"TUI_SYNC_CONFIG": str(cli.config), "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    name = f"tui-kill-{os.getpid()}"
    terminal = Tmux(name, env, "--user", "CARINE")
    try:
        terminal.wait_for("Last agenda sync")
        terminal.keys("F9")
        deadline = time.monotonic() + 60
        while served(fake) < load.crm_actions // 2:  # writing to Outlook, half-way
            assert time.monotonic() < deadline, terminal.screen()
            time.sleep(0.01)
        os.kill(terminal.pid, signal.SIGKILL)
    finally:
        terminal.close()
    assert lease_of(cli.database) == (socket.gethostname(), terminal.pid)  # left by the dead application
    assert agreement_problems(cli.database, fake) != []  # killed half-way

    reopened = Tmux(name + "-again", env, "--user", "CARINE")
    try:
        reopened.wait_for("Last agenda sync")
        reopened.keys("F9")
        reopened.wait_for(texts.sync.sync_run_over(1, 0, cancelled=False))
    finally:
        reopened.close()
    assert agreement_problems(cli.database, fake) == []


def test_two_processes_syncing_one_user_at_once_one_refuses_and_nothing_breaks(
    cli, fake: ThreadedFake
) -> None:
    load = Load.of(0.05)
    seed(cli.database, fake, load)
    fake.faults(latency_ms=30)  # the first one holds the user for a second or two
    env = {**os.environ, "TUI_SYNC_CONFIG": str(cli.config)}
    command = Crasher(cli.config, fake).command()
    both = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    ended = [(p.wait(timeout=120), *p.communicate()) for p in both]
    codes = sorted(code for code, _, _ in ended)
    assert codes == [0, 1], ended
    [(_, _, refused)] = [e for e in ended if e[0] == 1]
    assert refused.count("\n") == 1 and BUSY in refused and "pid" in refused, refused
    assert agreement_problems(cli.database, fake) == []
    fake.faults(latency_ms=0)
    again = cli("sync", "--user", "CARINE", "--agenda", *PERIOD, "--json").json()["agenda"]
    assert again["microsoft"] == again["crm"] == {"created": 0, "updated": 0, "deleted": 0}
