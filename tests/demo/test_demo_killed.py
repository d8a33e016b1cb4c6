"""A kept demo killed outright (SIGKILL, a dropped SSH session) reopens with its fake mailboxes: the fake
only saved them on a clean exit, so the next run found them empty and every synced item looked deleted
in Outlook (a mass-deletion warning on the first sync)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tui_sync.demo import prepare
from tui_sync.demo.company import email
from tui_sync.demo.fake import SAVE_EVERY

# In a process of its own, killed at the end: prepare (seed) the demo, then make a change in Outlook
# (an event added in Carine's calendar through Graph), wait for the periodic save, and die by SIGKILL.
SCRIPT = textwrap.dedent(
    """
    import json, os, signal, ssl, sys, time, urllib.request
    from tui_sync.demo import prepare
    from tui_sync.demo.company import email

    demo = prepare(__import__("pathlib").Path(sys.argv[1]))
    fake = demo.fake
    request = urllib.request.Request(
        f"{fake.server.graph_url}/me/events",
        data=json.dumps({
            "subject": "Added in Outlook before the kill",
            "start": {"dateTime": "2026-12-02T10:00:00", "timeZone": "UTC"},
            "end": {"dateTime": "2026-12-02T11:00:00", "timeZone": "UTC"},
        }).encode(),
        headers={
            "Authorization": "Bearer " + fake.token(email("CARINE")),
            "Content-Type": "application/json",
        },
        method="POST",
    )
    context = ssl.create_default_context(cafile=fake.server.ca_file)
    urllib.request.urlopen(request, context=context).read()
    time.sleep(float(sys.argv[2]))
    print("killing", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for xdg in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(xdg, str(home / xdg.lower()))
    return home


def test_a_killed_demo_reopens_with_its_mailboxes(tmp_path: Path, home: Path) -> None:
    folder = tmp_path / "kept"
    killed = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(folder), str(SAVE_EVERY * 2.5)],
        capture_output=True,
        text=True,
        timeout=240,
        env=os.environ,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    again = prepare(folder)
    try:
        boxes = {b["upn"]: b for b in again.fake.server.state.summary()["mailboxes"]}
        subjects = {e["fields"].get("subject") for e in boxes[email("CARINE")]["events"]}
    finally:
        again.close()
    assert "Déjeuner avec Mme Girard" in subjects  # seeded
    assert "Added in Outlook before the kill" in subjects  # changed after the seeding
