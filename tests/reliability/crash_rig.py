"""A CRM and a mailbox at a share of the sync limits, and `tui-sync sync` run as a real process that the
rig kills with SIGKILL at random points — after a random number of Graph requests and sub-requests
answered by the fake, or after a random time (which also lands in start-up and in the CRM-side writes,
where no request is in flight) — then runs again at once.

`agreement_problems` reads both sides plainly afterwards: the same single actions and series masters on
each side, each exactly once, every link pointing at an item that exists on both sides, no leftover
lease. The fake runs in this process (tests/threaded_fake.py), so the rig counts what it served without
asking it over HTTP."""

from __future__ import annotations

import asyncio
import os
import random
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from tests.threaded_fake import UPN, ThreadedFake
from tui_sync.domain.models import Action, Recurrence, Series
from tui_sync.domain.period import Period
from tui_sync.store import Store

PARIS = ZoneInfo("Europe/Paris")
FIRST, LAST = date(2026, 12, 1), date(2027, 4, 30)  # the synced period: 151 days
PERIOD = ("--from", FIRST.isoformat(), "--to", LAST.isoformat())
SERIES = 8
BUSY = "is being synchronised elsewhere"
READS = 12  # requests a run makes before its first write at the limits (calendar, pages, masters, …)
STARTUP_SECONDS = 1.0  # a `tui-sync sync` process starting (imports, store, sign-in) before its first request


@dataclass(frozen=True)
class Load:
    """What the first sync carries: CRM single actions, Outlook single events, CRM series (daily, each
    `per_series` occurrences). At share 1.0 it is the limits: 800 single actions, 800 occurrences."""

    crm_actions: int
    outlook_events: int
    per_series: int

    @classmethod
    def of(cls, share: float) -> Load:
        singles = max(8, round(800 * share))
        return cls(singles - singles // 8, singles // 8, max(2, round(800 * share) // SERIES))


def served(fake: ThreadedFake) -> int:
    """Graph requests and `$batch` sub-requests the fake has answered since its log was last cleared."""
    return sum(1 + len(entry["sub_requests"]) for entry in list(fake.server.service.requests))


def _start(n: int, hour: int = 8) -> datetime:
    day = FIRST + timedelta(days=1 + n // 8 % 140)
    return datetime.combine(day, datetime.min.time(), PARIS).replace(hour=hour + n % 8)


async def seed_crm(database: Path, load: Load, prefix: str = "CRM") -> None:
    store = await Store.open(database, PARIS)
    try:
        async with store.transaction():
            for n in range(load.crm_actions):
                start = _start(n)
                title = f"{prefix} {n:03} — Boulangerie Lefèvre"
                await store.add_action(Action("CARINE", title, start, start + timedelta(minutes=45)))
            for n in range(SERIES if load.per_series else 0):
                start = datetime.combine(FIRST, datetime.min.time(), PARIS).replace(hour=7, minute=5 * n)
                rule = Recurrence("daily", FIRST, range_type="numbered", count=load.per_series)
                await store.add_series(
                    Series("CARINE", f"{prefix} point {n}", start, start + timedelta(minutes=5), rule)
                )
    finally:
        await store.close()


async def churn_crm(database: Path, count: int, prefix: str) -> int:
    """Rename `count` CRM single actions (renamed, not replaced: the load stays at the limits, where
    added items would be left out); returns the writes the next sync has to make."""
    store = await Store.open(database, PARIS)
    try:
        singles = await store.single_actions("CARINE", Period.from_dates(FIRST, LAST, PARIS))
        mine = [a for a in singles if not a.title.startswith("Outlook")][:count]
        async with store.transaction():
            for n, action in enumerate(mine):
                await store.update_action(action.with_changes(title=f"{prefix} {n:03} {action.title}"))
        return len(mine)
    finally:
        await store.close()


def outlook(fake: ThreadedFake) -> requests.Session:
    """The Outlook user's HTTP session on the mailbox (plain Graph calls, the fake's own CA)."""
    http = requests.Session()
    http.verify, http.trust_env = fake.ca_file, False
    http.headers["Authorization"] = f"Bearer {fake.token()}"
    return http


def seed_outlook(fake: ThreadedFake, count: int, prefix: str = "Outlook", calendar: str = "") -> None:
    """`count` single events made by the Outlook user in the default calendar (or that calendar id)."""
    url = f"{fake.graph_url}/me/calendars/{calendar}/events" if calendar else f"{fake.graph_url}/me/events"
    with outlook(fake) as http:
        for n in range(count):
            start = _start(n, hour=12).replace(tzinfo=None)
            body = {
                "subject": f"{prefix} {n:03}",
                "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Paris"},
                "end": {"dateTime": (start + timedelta(minutes=30)).isoformat(), "timeZone": "Europe/Paris"},
            }
            reply = http.post(url, json=body, timeout=30)
            assert reply.status_code == 201, reply.text


@dataclass
class Outcome:
    """How one run ended: killed (after `requests` served / `seconds`), or finished with its exit code."""

    killed: bool
    code: int | None
    requests: int
    seconds: float
    stderr: str = ""
    stdout: str = ""
    aimed: str = ""  # where the kill was aimed: "N requests" or "S s"


@dataclass
class Crasher:
    """Runs `tui-sync sync` for CARINE as a real process and kills it at a chosen point."""

    config: Path
    fake: ThreadedFake
    args: tuple[str, ...] = ("--agenda", *PERIOD, "--json")
    outcomes: list[Outcome] = field(default_factory=list)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "tui_sync", "sync", "--user", "CARINE", *self.args]

    def run(self, *, after_requests: int | None = None, after_seconds: float | None = None) -> Outcome:
        """One run, killed once the fake has answered `after_requests` more requests or after
        `after_seconds`; without either it runs to its end."""
        env = {**os.environ, "TUI_SYNC_CONFIG": str(self.config)}
        self.fake.clear_requests()  # counting a short log while the fake serves keeps it unhindered
        base = served(self.fake)
        started = time.monotonic()
        process = subprocess.Popen(
            self.command(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        try:
            while process.poll() is None:
                count = served(self.fake) - base
                elapsed = time.monotonic() - started
                if (after_requests is not None and count >= after_requests) or (
                    after_seconds is not None and elapsed >= after_seconds
                ):
                    process.send_signal(signal.SIGKILL)
                    process.communicate(timeout=30)
                    outcome = Outcome(True, None, count, elapsed)
                    break
                if elapsed > 300:
                    raise AssertionError("a sync ran for 5 minutes")
                time.sleep(0.01)
            else:
                out, err = process.communicate(timeout=30)
                outcome = Outcome(False, process.returncode, served(self.fake) - base, 0.0, err, out)
                outcome.seconds = time.monotonic() - started
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        outcome.aimed = f"{after_requests} requests" if after_requests is not None else f"{after_seconds} s"
        self.outcomes.append(outcome)
        return outcome

    def random_kill(self, rng: random.Random, requests_left: int, seconds_left: float) -> Outcome:
        """Killed at a random point of what is left to do: two times in three after a random number of
        answered requests, else after a random time past start-up (which also lands in the reads, the
        planning and the CRM-side writes, where no request is in flight)."""
        if rng.random() < 2 / 3:
            return self.run(after_requests=rng.randint(1, max(1, requests_left)))
        return self.run(after_seconds=STARTUP_SECONDS + rng.uniform(0, max(0.2, seconds_left)))


def mailbox_events(fake: ThreadedFake) -> list[dict[str, Any]]:
    [mailbox] = [m for m in fake.state()["mailboxes"] if m["upn"].lower() == UPN]
    return mailbox["events"]


def agreement_problems(database: Path, fake: ThreadedFake) -> list[str]:
    """What is wrong between the CRM and the mailbox, in words (empty: they agree)."""
    with closing(sqlite3.connect(database)) as db:
        singles = Counter(
            t for (t,) in db.execute("SELECT title FROM actions WHERE owner='CARINE' AND series_id IS NULL")
        )
        series = Counter(t for (t,) in db.execute("SELECT title FROM series WHERE owner='CARINE'"))
        links = db.execute("SELECT kind, crm_key, remote_id FROM links WHERE user='CARINE'").fetchall()
        action_ids = {str(i) for (i,) in db.execute("SELECT id FROM actions WHERE owner='CARINE'")}
        series_ids = {str(i) for (i,) in db.execute("SELECT id FROM series WHERE owner='CARINE'")}
        leases = db.execute("SELECT holder FROM sync_leases").fetchall()
    events = mailbox_events(fake)
    outlook_singles = Counter(e["fields"]["subject"] for e in events if not e["recurrence"])
    masters = Counter(e["fields"]["subject"] for e in events if e["recurrence"])
    problems = []
    if singles != outlook_singles:
        problems.append(f"single actions differ: CRM-only {singles - outlook_singles}, ")
        problems[-1] += f"Outlook-only {outlook_singles - singles}"
    if series != masters:
        problems.append(f"series differ: CRM-only {series - masters}, Outlook-only {masters - series}")
    twice = [t for t, n in (singles + series + outlook_singles + masters).items() if n > 2]
    if twice:
        problems.append(f"duplicates: {twice[:5]}")
    remote_ids = {e["id"] for e in events}
    for kind, crm_ids in (("action", action_ids), ("series", series_ids)):
        mine = [(key, remote) for k, key, remote in links if k == kind]
        if len({remote for _, remote in mine}) != len(mine):
            problems.append(f"two {kind} links share a Microsoft item")
        dangling = [key for key, remote in mine if key not in crm_ids or remote not in remote_ids]
        if dangling:
            problems.append(f"{kind} links to nothing: {dangling[:5]}")
        if len(mine) != len(crm_ids):
            problems.append(f"{len(crm_ids)} CRM {kind} items but {len(mine)} links")
    if leases:
        problems.append(f"a lease was left: {leases}")
    return problems


def seed(database: Path, fake: ThreadedFake, load: Load, calendar: str = "") -> None:
    asyncio.run(seed_crm(database, load))
    seed_outlook(fake, load.outlook_events, calendar=calendar)


def crm_counts(database: Path) -> tuple[int, int]:
    """CARINE's single actions and series in the CRM."""
    with closing(sqlite3.connect(database)) as db:
        singles = db.execute("SELECT COUNT(*) FROM actions WHERE owner='CARINE' AND series_id IS NULL")
        series = db.execute("SELECT COUNT(*) FROM series WHERE owner='CARINE'")
        return singles.fetchone()[0], series.fetchone()[0]


def kill_until_done(
    crasher: Crasher,
    rng: random.Random,
    kills: int,
    requests: int,
    seconds_per_request: float,
    more_work: Callable[[int], int],
) -> int:
    """Kill `kills` runs at random points, each re-run at once. What is left to do is tracked (about
    `requests` at first, less what each killed run got through); when a run finishes before its kill
    point, `more_work(n)` gives the next one new items and says how many writes they make. Returns
    the kills made."""
    made = rounds = 0
    left = requests
    while made < kills:
        rounds += 1
        assert rounds < kills * 4, "too many runs finished before their kill point"
        outcome = crasher.random_kill(rng, READS + left, 0.3 + left * seconds_per_request)
        if outcome.killed:
            made += 1
            left = max(8, left - max(0, outcome.requests - READS))
            continue
        assert BUSY not in outcome.stderr, outcome.stderr  # a dead run never holds its user
        assert outcome.code == 0, (outcome.stderr, outcome.stdout)
        left = more_work(rounds)
    return made


class Tmux:
    """`tui-sync` (the terminal application) in a tmux session of 80x24 on a private tmux server; the
    session's only process is tui-sync itself (`exec`), so its pid is the pane's."""

    def __init__(self, name: str, env: dict[str, str], *args: str) -> None:
        self.server = ["tmux", "-L", name]
        self.name = name
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = f"exec env {exports} {shlex.quote(sys.executable)} -m tui_sync {' '.join(args)}"
        subprocess.run(
            [
                *self.server,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                name,
                "-x",
                "80",
                "-y",
                "24",
                command,
            ],
            check=True,
        )
        self.pid = int(self._tmux("list-panes", "-t", name, "-F", "#{pane_pid}").strip())

    def _tmux(self, *args: str) -> str:
        return subprocess.run([*self.server, *args], check=True, capture_output=True, text=True).stdout

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", self.name, *keys)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-J", "-t", self.name)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run([*self.server, "kill-server"], capture_output=True)
