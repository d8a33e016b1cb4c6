"""`tui-sync demo` in a real terminal (tmux, 80x24), started with the README's program: connect CARINE
from the keyboard (the fake approves the code by itself), Sync now, answer the deletion dialog, quit —
then the CRM file and the fake's saved mailboxes say what happened, and the folder is kept (--keep) or
gone (without).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui_sync.demo import FAKE_DIR
from tui_sync.demo.company import email

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / ".venv" / "bin" / "tui-sync"  # what the README's set-up command installs and runs


def readme_demo_command() -> str:
    """The README's first set-up command ends with the program the demo test starts."""
    first = re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)[0]
    return first.rsplit("&& ", 1)[-1]


class Terminal:
    """One tmux session of 80x24 on a private tmux server."""

    def __init__(self, name: str, command: str, env: dict[str, str]) -> None:
        self.server = ["tmux", "-L", name]
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        shell = f"env {exports} {command}; echo DEMO-EXIT=$?; sleep 120"
        subprocess.run(
            [*self.server, "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", shell],
            check=True,
        )
        self.name = name

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.server, "send-keys", "-t", self.name, *keys], check=True)

    def screen(self) -> str:
        return subprocess.run(
            [*self.server, "capture-pane", "-p", "-J", "-t", self.name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run([*self.server, "kill-server"], capture_output=True)


@pytest.fixture
def terminal_env(tmp_path: Path) -> dict[str, str]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    if not PROGRAM.exists():
        pytest.skip(f"{PROGRAM} is not installed (the README's set-up command makes it)")
    home = tmp_path / "home"
    (home / "tmp").mkdir(parents=True)
    return {
        "HOME": str(home),
        "TMPDIR": str(home / "tmp"),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
    }


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for terminal in opened:
        terminal.close()


def start(terminals: list[Terminal], env: dict[str, str], *args: str) -> Terminal:
    name = f"tui-sync-demo-{os.getpid()}-{len(terminals)}"
    command = " ".join(shlex.quote(a) for a in (str(PROGRAM), "demo", *args))
    terminal = Terminal(name, command, env)
    terminals.append(terminal)
    return terminal


def test_the_readme_runs_the_program_this_test_starts() -> None:
    assert readme_demo_command() == ".venv/bin/tui-sync demo"
    assert PROGRAM.relative_to(ROOT).as_posix() + " demo" == readme_demo_command()


def test_connect_sync_and_answer_a_deletion_in_a_real_terminal(
    tmp_path: Path, terminal_env: dict[str, str], terminals: list[Terminal]
) -> None:
    folder = tmp_path / "kept-demo"
    term = start(terminals, terminal_env, "--keep", str(folder))
    term.wait_for("CARINE: not connected", timeout=40)
    term.keys("F6")
    term.wait_for("Preferences")
    term.keys("C-o")
    term.wait_for("signs in by itself")  # the dialog says so
    term.wait_for("connected as " + email("CARINE"), timeout=30)
    term.keys("F9")
    dialog = term.wait_for("Deleted in Microsoft 365", timeout=30)
    assert "Préparer le devis" in dialog
    term.keys("y")
    summary = term.wait_for("Sync of CARINE completed", timeout=30)
    assert "Agenda → CRM: +3 created" in summary and "-1 deleted" in summary
    assert "Agenda → Microsoft 365: +1 created, ~1 updated" in summary
    term.keys("C-q")
    term.wait_for("DEMO-EXIT=0")

    with sqlite3.connect(folder / "crm.sqlite3") as db:
        types = dict(db.execute("SELECT title, action_type FROM actions WHERE owner = 'CARINE'").fetchall())
        devis = db.execute("SELECT count(*) FROM actions WHERE title LIKE 'Préparer le devis%'").fetchone()[0]
        notes = [r[0] for r in db.execute("SELECT note FROM contacts").fetchall()]
    assert types["Salon Artisanat & Lumière — Eurexpo"] == "Tâche"  # a category the CRM does not know
    assert types["Déjeuner avec Mme Girard"] == "Rendez-vous"
    assert any("Note modifiée dans Outlook" in n for n in notes)
    saved = json.loads((folder / FAKE_DIR / "state.json").read_text())
    carine = next(b for b in saved["state"]["mailboxes"] if b["upn"] == email("CARINE"))
    subjects = [e["fields"].get("subject", "") for e in carine["events"]]
    assert "Envoyer le catalogue à l'Hôtel Beauséjour" in subjects
    assert len([s for s in subjects if s.startswith("Préparer le devis")]) == devis  # the deletion agreed
    assert folder.is_dir()  # --keep

    plain = start(terminals, terminal_env)  # no --keep: a temporary folder, gone after ctrl+q
    plain.wait_for("CARINE: not connected", timeout=40)
    plain.keys("C-q")
    shown = plain.wait_for("DEMO-EXIT=0")
    made = re.search(r"in (\S+tui-sync-demo-\S+) …", shown)
    assert made, shown
    assert not Path(made.group(1)).exists()
    assert not any(Path(terminal_env["TMPDIR"]).iterdir())
    assert [p.name for p in Path(terminal_env["HOME"]).iterdir()] == ["tmp"]  # nothing else in HOME
