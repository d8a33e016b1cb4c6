"""Faults: a first sync under each fault Microsoft 365 (or the machine) can throw at it ends with a clear
outcome — completed, or one line saying what failed, never a traceback — and the next sync without
the fault converges with nothing lost: every item on both sides once, links consistent, and a further
sync writes nothing.

The default suite runs each fault on a small first sync; `pytest -m slow tests/reliability/test_faults.py`
runs the Graph faults on a first sync at the limits (800 single actions, 800 series occurrences)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.reliability.crash_rig import (
    PERIOD,
    Load,
    agreement_problems,
    crm_counts,
    outlook,
    seed,
    seed_crm,
)
from tests.threaded_fake import CLIENT_ID, UPN, ThreadedFake
from tui_sync import texts

SYNC = ("sync", "--user", "CARINE", "--agenda", *PERIOD)


@pytest.fixture
def cli(connected_cli):
    return connected_cli


def clear_outcome(result: Any) -> str:
    """What a run says of itself — "completed", or the one line per distinct failure (items that
    failed for one reason are one line) — checked to be that and nothing else: no traceback, every
    error line prefixed, the summary line last on stdout."""
    assert "Traceback" not in result.stderr + result.stdout
    last = result.stdout.splitlines()[-1] if result.stdout else ""
    if result.exit_code == 0:
        assert result.stderr == "" and " completed in " in last, result
        return "completed"
    assert result.exit_code == 1, result
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2 and all(line.startswith("tui-sync: ") for line in lines), result.stderr
    assert len(set(lines)) == len(lines)
    assert not last or f" finished with {len(lines)} error(s) in " in last, result.stdout  # the lines listed
    return " / ".join(lines)


def converges(cli, fake: ThreadedFake, expected: tuple[int, int]) -> None:
    """Faults off: a sync completes, both sides agree, nothing was lost, and the next writes nothing."""
    fake.faults(throttle_rate=0, error_503_rate=0, drop_after=None, latency_ms=0, batch_424=False)
    result = cli(*SYNC)
    assert result.exit_code == 0, result.stderr
    assert agreement_problems(cli.database, fake) == []
    assert crm_counts(cli.database) == expected  # nothing lost (nor added)
    again = cli(*SYNC, "--json").json()["agenda"]
    assert again["microsoft"] == again["crm"] == {"created": 0, "updated": 0, "deleted": 0}


@contextmanager
def later(seconds: float, action: Callable[[], object]) -> Iterator[None]:
    """`action()` in `seconds`, while the block runs (a fault that starts or stops mid-sync)."""
    timer = threading.Timer(seconds, action)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        timer.join()


def seeded(cli, fake: ThreadedFake, share: float, calendar: str = "") -> tuple[int, int]:
    load = Load.of(share)
    seed(cli.database, fake, load, calendar)
    return load.crm_actions + load.outlook_events, 8


GRAPH_FAULTS: dict[str, dict[str, Any]] = {
    "30% of requests and sub-requests throttled": {"throttle_rate": 0.3, "retry_after": 0.01},
    "dropped connections (every 6th request)": {"drop_after": 5},
    "whole batches failing with 424": {"batch_424": True, "throttle_rate": 0.1, "retry_after": 0.01},
}


FIGURES: dict[str, object] = {}  # what the slow runs met, printed at their end (RELIABILITY.md)


def injected(fake: ThreadedFake) -> dict[str, int]:
    """The faults the fake injected since its log was cleared: answers and sub-answers by status,
    connections dropped, answers cut short."""
    counts: dict[str, int] = {}
    for entry in fake.requests():
        statuses = [entry["status"]] + [sub["status"] for sub in entry["sub_requests"]]
        for status in statuses:
            if status in (401, 424, 429, 503):
                counts[str(status)] = counts.get(str(status), 0) + 1
        for flag in ("dropped", "garbled"):
            counts[flag] = counts.get(flag, 0) + int(bool(entry.get(flag)))
    return {k: v for k, v in counts.items() if v}


def under_graph_fault(cli, fake, fault: str, share: float) -> None:
    expected = seeded(cli, fake, share)
    fake.clear_requests()
    fake.faults(seed=7, **GRAPH_FAULTS[fault])
    FIGURES[fault] = (clear_outcome(cli(*SYNC)), injected(fake))
    converges(cli, fake, expected)


def in_a_503_storm(cli, fake, share: float, storm: tuple[float, float]) -> None:
    expected = seeded(cli, fake, share)
    fake.clear_requests()
    fake.faults(latency_ms=20, retry_after=0.05)
    begin, end = (
        later(at, lambda rate=rate: fake.faults(error_503_rate=rate))
        for at, rate in zip(storm, (1, 0), strict=True)
    )
    with begin, end:
        FIGURES["503 storm"] = (clear_outcome(cli(*SYNC)), injected(fake))
    converges(cli, fake, expected)


def with_tokens_expiring(cli, fake, share: float, times: list[float]) -> None:
    expected = seeded(cli, fake, share)
    fake.clear_requests()
    fake.faults(latency_ms=20)
    with contextlib.ExitStack() as stack:
        for at in times:
            stack.enter_context(later(at, lambda: fake.faults(expire_tokens=True)))
        assert clear_outcome(cli(*SYNC)) == "completed"
    FIGURES["tokens expiring"] = ("completed", {"expired": len(times)})
    converges(cli, fake, expected)


@pytest.mark.parametrize("fault", list(GRAPH_FAULTS))
def test_a_sync_under_a_graph_fault_ends_clearly_and_the_next_converges(cli, fake, fault: str) -> None:
    under_graph_fault(cli, fake, fault, 0.05)


def test_a_503_storm_mid_sync_ends_clearly_and_the_next_converges(cli, fake) -> None:
    in_a_503_storm(cli, fake, 0.05, (0.3, 2.0))


def test_tokens_expiring_mid_sync_are_refreshed_silently(cli, fake) -> None:
    with_tokens_expiring(cli, fake, 0.05, [0.3, 0.8, 1.3])


@pytest.mark.slow
@pytest.mark.parametrize("fault", [*GRAPH_FAULTS, "503 storm", "tokens expiring"])
def test_at_the_limits_each_fault_ends_clearly_and_the_next_sync_converges(cli, fake, fault: str) -> None:
    if fault == "503 storm":
        in_a_503_storm(cli, fake, 1.0, (1.0, 4.0))
    elif fault == "tokens expiring":
        with_tokens_expiring(cli, fake, 1.0, [1.0, 3.0, 5.0, 8.0])
    else:
        under_graph_fault(cli, fake, fault, 1.0)
    print("FAULT FIGURES", json.dumps({fault: FIGURES[fault]}, ensure_ascii=False))


def test_a_calendar_renamed_between_syncs_stops_the_sync_clearly_and_loses_nothing(cli, fake) -> None:
    with outlook(fake) as http:
        created = http.post(f"{fake.graph_url}/me/calendars", json={"name": "CRM"}, timeout=30).json()
    assert cli("user", "set", "CARINE", "--calendar", "CRM").exit_code == 0
    expected = seeded(cli, fake, 0.03, calendar=created["id"])
    assert clear_outcome(cli(*SYNC)) == "completed"
    with outlook(fake) as http:
        renamed = http.patch(f"{fake.graph_url}/me/calendars/{created['id']}", json={"name": "Old CRM"})
        assert renamed.status_code == 200
    line = clear_outcome(cli(*SYNC))
    assert "No calendar named CRM" in line
    assert crm_counts(cli.database) == expected  # the CRM lost nothing
    # the user points the preference at the new name: the same calendar, nothing written twice
    assert cli("user", "set", "CARINE", "--calendar", "Old CRM").exit_code == 0
    converges(cli, fake, expected)


@pytest.mark.parametrize("yes", [False, True], ids=["sync", "sync --yes"])
def test_a_calendar_deleted_and_made_again_loses_nothing_from_the_crm(cli, fake, yes: bool) -> None:
    """Found by this test: the calendar deleted in Outlook and made again under its name read as every
    item deleted in Outlook — a cron job with --yes emptied the CRM agenda, one without was stopped by
    the mass-deletion guard for good. Now the links of the old calendar are forgotten: the CRM's items
    are written to the new one and nothing is deleted."""
    with outlook(fake) as http:
        created = http.post(f"{fake.graph_url}/me/calendars", json={"name": "CRM"}, timeout=30).json()
    assert cli("user", "set", "CARINE", "--calendar", "CRM").exit_code == 0
    expected = seeded(cli, fake, 0.03, calendar=created["id"])
    assert clear_outcome(cli(*SYNC)) == "completed"
    with outlook(fake) as http:
        assert http.delete(f"{fake.graph_url}/me/calendars/{created['id']}").status_code == 204
    assert "No calendar named CRM" in clear_outcome(cli(*SYNC, *(["--yes"] if yes else [])))
    assert crm_counts(cli.database) == expected
    with outlook(fake) as http:
        assert http.post(f"{fake.graph_url}/me/calendars", json={"name": "CRM"}).status_code == 201
    result = cli(*SYNC, *(["--yes"] if yes else []))
    assert result.exit_code == 0, result.stderr
    assert texts.sync.calendar_replaced("CRM") in result.stdout
    assert crm_counts(cli.database) == expected
    converges(cli, fake, expected)


# --- the fake Microsoft 365 stopped and started again mid-sync, its state kept ---------------------------


class FakeProcess:
    """`tui-sync fake-graph --state-dir DIR --port P` as its own process: stopped (SIGTERM: it saves its
    mailboxes and tokens) and started again on the same port with the same state and CA."""

    def __init__(self, state_dir: Path, port: int = 0) -> None:
        self.state_dir = state_dir
        args = ["fake-graph", "--state-dir", str(state_dir), "--port", str(port), "--device-interval", "0"]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui_sync", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.banner = json.loads(self.process.stdout.readline())  # type: ignore[union-attr]
        self.port = int(self.banner["authority_host"].rsplit(":", 1)[1])
        self.http = requests.Session()
        self.http.verify, self.http.trust_env = self.banner["ca_file"], False

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        reply = self.http.request(method, self.banner["admin_url"] + path, json=body, timeout=30)
        assert reply.status_code == 200, reply.text
        return reply.json()

    def stop(self) -> None:
        self.http.close()
        self.process.send_signal(signal.SIGTERM)
        self.process.communicate(timeout=30)


def test_the_fake_restarted_mid_sync_ends_clearly_and_the_next_converges(run_cli, tmp_path: Path) -> None:
    fake = FakeProcess(tmp_path / "fake")
    try:
        env = {
            "TUI_SYNC_MICROSOFT__GRAPH_URL": fake.banner["graph_url"],
            "TUI_SYNC_MICROSOFT__AUTHORITY_HOST": fake.banner["authority_host"],
            "TUI_SYNC_MICROSOFT__CA_FILE": fake.banner["ca_file"],
        }
        os.environ.update(env)
        try:
            _restarted_mid_sync(run_cli, fake, tmp_path)
        finally:
            for name in env:
                os.environ.pop(name, None)
    finally:
        if fake.process.poll() is None:
            fake.stop()


def _restarted_mid_sync(run_cli, fake: FakeProcess, tmp_path: Path) -> None:
    cli = run_cli
    assert cli("user", "add", "CARINE", "Carine", "--email", UPN, "--calendar", "Calendar").exit_code == 0
    assert cli("admin", "client-id", CLIENT_ID).exit_code == 0
    done = threading.Event()

    def approve() -> None:
        while not done.is_set():
            pending = fake.admin("GET", "/device")["pending"]
            if pending:
                fake.admin("POST", "/device/approve", {"user_code": pending[0]["user_code"], "upn": UPN})
                return
            done.wait(0.05)

    approver = threading.Thread(target=approve)
    approver.start()
    assert cli("connect", "--user", "CARINE").exit_code == 0
    done.set()
    approver.join()
    load = Load.of(0.05)
    asyncio.run(seed_crm(cli.database, load))
    fake.admin("POST", "/faults", {"latency_ms": 100})  # a sync of 2 s or more
    box: list[FakeProcess] = []

    def restart() -> None:
        fake.stop()
        box.append(FakeProcess(fake.state_dir, fake.port))

    started = time.monotonic()
    with later(0.5, restart):
        outcome = clear_outcome(cli(*SYNC))
    assert box and time.monotonic() - started > 1, "the fake was not restarted mid-sync"
    again = box[0]
    try:
        assert outcome == "completed" or "Cannot reach" in outcome or "Microsoft 365" in outcome, outcome
        result = cli(*SYNC)
        assert result.exit_code == 0, result.stderr
        state = again.admin("GET", "/state")
        [mailbox] = state["mailboxes"]
        subjects = sorted(e["fields"]["subject"] for e in mailbox["events"] if not e["recurrence"])
        masters = sorted(e["fields"]["subject"] for e in mailbox["events"] if e["recurrence"])
        assert len(subjects) == len(set(subjects)) == load.crm_actions and len(masters) == 8
        counts = cli(*SYNC, "--json").json()["agenda"]["microsoft"]
        assert counts == {"created": 0, "updated": 0, "deleted": 0}
    finally:
        again.stop()
