"""`tui-sync demo`: the whole product on a throw-away CRM, with the fake Microsoft 365 in this process.

The demo folder holds everything the demo writes — the CRM database, the token cache, the log and the
fake's state (its CA, mailboxes and sign-ins) — and nothing is written anywhere else. Without `--keep`
it is a fresh temporary folder removed on exit; with `--keep DIR` it stays, and the next
`--keep DIR` reopens it as it was (a seeded folder is never seeded again).

Seeding (company.py) makes a small French company, connects its users through the fake, syncs them
once, then changes CARINE's mailbox the way Outlook would and forgets her tokens: the visitor connects
her (the fake approves the code by itself after AUTO_APPROVE_SECONDS) and the first sync shows both
directions and a deletion to answer.

This package sits above the fake and the CRM side both: the fake itself never imports the CRM.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from datetime import date
from pathlib import Path

from tui_sync import texts
from tui_sync.config import MicrosoftConfig, Settings
from tui_sync.demo.fake import ThreadedDemoFake
from tui_sync.errors import BadInput
from tui_sync.logs import log_to_file
from tui_sync.store.db import Clock, utc_now

MARKER = "demo.json"  # {"port": the fake's port, "seeded": the day}: this folder holds a seeded demo
AUTO_APPROVE_SECONDS = 3.0
VIEWER = "CARINE"
TIMEZONE = "Europe/Paris"
FAKE_DIR = "fake-microsoft"


def demo_settings(folder: Path, fake: ThreadedDemoFake) -> Settings:
    """The demo's settings, in memory: everything inside `folder`, Microsoft 365 is the fake. No config
    file or variable of the machine is read, so the visitor's own setup plays no part."""
    server = fake.server
    return Settings(
        database=folder / "crm.sqlite3",
        timezone=TIMEZONE,
        log_file=str(folder / "tui-sync.log"),
        user=VIEWER,
        microsoft=MicrosoftConfig(
            graph_url=server.graph_url,
            authority_host=server.authority_host,
            ca_file=server.ca_file,
            token_cache=folder / "token-cache.json",
        ),
    )


def _marker(folder: Path) -> dict[str, object] | None:
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _check_folder(folder: Path) -> None:
    """A kept folder must be a demo's or empty: the demo never writes into someone's files."""
    if folder.exists() and not folder.is_dir():
        raise BadInput(texts.cli.demo_not_a_folder(folder))
    if folder.is_dir() and any(folder.iterdir()) and _marker(folder) is None:
        raise BadInput(texts.cli.demo_folder_not_empty(folder))


async def seed_folder(settings: Settings, fake: ThreadedDemoFake, today: date) -> None:
    """Seed a new demo: the company, its first syncs, CARINE's Outlook-side changes."""
    from tui_sync.demo import company
    from tui_sync.services import Services
    from tui_sync.store import Store

    store = await Store.open(settings.database, settings.tz)
    try:
        services = Services.build(store, settings)
        await company.seed(
            services,
            today,
            approve=fake.approve,
            graph_url=fake.server.graph_url,
            ca_pem=fake.server.ca_pem,
            token=fake.token,
        )
    finally:
        await store.close()


class Demo:
    """A prepared demo: the folder, the running fake and the settings pointing at it."""

    def __init__(self, folder: Path, fake: ThreadedDemoFake, settings: Settings) -> None:
        self.folder, self.fake, self.settings = folder, fake, settings

    def close(self) -> None:
        self.fake.close()


def prepare(folder: Path, *, latency_ms: int = 0, now: Clock = utc_now) -> Demo:
    """Start the fake for `folder` (on the port of its last run when free, so the saved sign-ins still
    match), and seed the folder unless it already holds a demo. The fake then approves every new device
    code as CARINE by itself."""
    _check_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    marker = _marker(folder)
    port = marker.get("port") if marker else 0
    port = port if isinstance(port, int) else 0
    fake = ThreadedDemoFake(folder / FAKE_DIR, port=port, latency_ms=latency_ms)
    try:
        settings = demo_settings(folder, fake)
        if marker is None:
            today = now().astimezone(settings.tz).date()
            with log_to_file(settings):
                asyncio.run(seed_folder(settings, fake, today))
            fake.save()  # the seeded mailboxes, before the folder is marked as seeded
            marker = {"seeded": today.isoformat()}
        marker["port"] = fake.server.port
        (folder / MARKER).write_text(json.dumps(marker), encoding="utf-8")
        from tui_sync.demo.company import email

        fake.auto_approve(AUTO_APPROVE_SECONDS, email(VIEWER))
    except BaseException:
        fake.close()
        raise
    return Demo(folder, fake, settings)


def run_demo(keep: Path | None, latency_ms: int = 0) -> int:
    """`tui-sync demo`: prepare, open the terminal application as CARINE, clean up; the exit code."""
    if keep is not None:
        keep = keep.expanduser().resolve()
        _check_folder(keep)  # before anything is written, and before anything could be removed
    folder = keep or Path(tempfile.mkdtemp(prefix="tui-sync-demo-"))
    fresh = _marker(folder) is None
    try:
        print(texts.cli.demo_preparing(folder, fresh), flush=True)
        demo = prepare(folder, latency_ms=latency_ms)
        try:
            from tui_sync.ui import make_app  # Textual: only when the demo runs

            app = make_app(demo.settings, viewer=VIEWER)
            app.demo_auto_approve = AUTO_APPROVE_SECONDS
            with log_to_file(demo.settings):
                result = app.run()
        finally:
            demo.close()
        if keep is not None:
            print(texts.cli.demo_kept(folder), flush=True)
        return result if isinstance(result, int) else (app.return_code or 0)
    except BaseException:
        if fresh and _marker(folder) is None:
            shutil.rmtree(folder, ignore_errors=True)  # a half-seeded folder would never be seeded again
        raise
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)
