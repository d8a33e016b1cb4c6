"""Secrets stay secret: the files tui-sync creates are its owner's alone, and no token, refresh token or
device code ever leaves the token cache — not into the log (at debug level), the run log in the
database, an error line, a `--json` answer or a traceback.

The fake Microsoft 365 puts a canary into every token and device code it issues; after a whole life
of a user (connect, test, syncs, a failing sync, every `--json` listing) run as real `tui-sync`
processes, every file under the test's folders and every captured stream is searched for it, and for
each secret the fake actually handed out."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.threaded_fake import CLIENT_ID, UPN, AutoApprover, ThreadedFake, write_config

CANARY = "CANARYc4n4ry"


def private_tree_problems(root: Path, names: list[str]) -> list[str]:
    """Each created file not 0600 and each created folder not 0700, among `names` (relative paths)."""
    problems = []
    for name in names:
        path = root / name
        mode = stat.S_IMODE(path.stat().st_mode)
        wanted = 0o700 if path.is_dir() else 0o600
        if mode != wanted:
            problems.append(f"{name}: {oct(mode)} (wanted {oct(wanted)})")
    return problems


class Runner:
    """`tui-sync` as a real process on a config in `folder`; every stream it wrote is kept."""

    def __init__(self, folder: Path, fake: ThreadedFake) -> None:
        self.folder = folder
        folder.mkdir(mode=0o755)
        # everything lives in nested folders tui-sync must create itself (so their rights are its own)
        self.config = write_config(folder, fake, 'log_level = "debug"\n')
        text = self.config.read_text()
        for name in ("crm.sqlite3", "tui-sync.log", "token-cache.json"):
            text = text.replace(str(folder / name), str(folder / "data" / "deep" / name))
        self.config.write_text(text)
        self.streams: list[str] = []
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TUI_SYNC_")},
            "TUI_SYNC_CONFIG": str(self.config),
            "XDG_DATA_HOME": str(folder / "xdg"),
            "XDG_STATE_HOME": str(folder / "xdg"),
            "XDG_CONFIG_HOME": str(folder / "xdg"),
        }

    def __call__(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "tui_sync", *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
            cwd=self.folder,
        )
        self.streams += [done.stdout, done.stderr]
        assert (done.returncode == 0) is ok, (args, done.stdout, done.stderr)
        return done


def issued_secrets(fake: ThreadedFake) -> set[str]:
    """Every access token, refresh token and device code the fake handed out so far."""
    identity = fake.server.identity
    return {*identity.access_tokens, *identity.refresh_tokens, *identity.flows}


def test_no_secret_reaches_a_file_a_stream_or_the_run_log(fake: ThreadedFake, tmp_path: Path) -> None:
    fake.admin("POST", "/apps", {"secret_canary": CANARY})
    run = Runner(tmp_path / "home", fake)
    run("user", "add", "CARINE", "Carine Dupont", "--email", UPN, "--calendar", "Calendar")
    run("admin", "client-id", CLIENT_ID)
    with AutoApprover(fake):
        run("connect", "--user", "CARINE")
    run("test", "--user", "CARINE", "--create-categories")
    run("sync", "--user", "CARINE", "--json")
    run("sync", "--user", "CARINE")
    run("user", "list", "--json")
    run("admin", "show", "--json")
    fake.admin("POST", "/faults", {"expire_tokens": True})  # the next run refreshes silently
    run("sync", "--user", "CARINE", "--agenda", "--json")
    fake.admin("POST", "/faults", {"expire_tokens": True})
    fake.revoke()  # ... and now the refresh token is refused: a failing sync, its error line
    failed = run("sync", "--user", "CARINE", "--json", ok=False)
    assert "no longer works" in failed.stdout + failed.stderr
    run("test", "--user", "CARINE", ok=False)
    run("disconnect", "--user", "CARINE")

    secrets = issued_secrets(fake)
    assert len(secrets) >= 3 and all(CANARY in secret for secret in secrets)
    cache = run.folder / "data" / "deep" / "token-cache.json"
    leaks = []
    for path in sorted(p for p in run.folder.rglob("*") if p.is_file() and p != cache):
        content = path.read_bytes().decode("utf-8", errors="replace")
        leaks += [f"{path.name}: {s[:12]}…" for s in {CANARY, *secrets} if s in content]
    for number, stream in enumerate(run.streams):
        leaks += [f"stream {number}: {stream[:200]!r}"] if CANARY in stream else []
    assert not leaks, leaks
    log = (run.folder / "data" / "deep" / "tui-sync.log").read_text(encoding="utf-8")
    assert "msal" in log and "[redacted]" in log  # the debug log was written, and had secrets to hide


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_the_database_the_token_cache_and_the_log_are_created_owner_only(
    fake: ThreadedFake, tmp_path: Path, umask: int
) -> None:
    """Whatever the umask (even none), the files are 0600 and the folders tui-sync made 0700; SQLite's
    write-ahead log and shared-memory files take the database's rights."""
    run = Runner(tmp_path / "home", fake)
    run.env["UMASK"] = oct(umask)
    command = (
        "import os, sys, runpy; os.umask(int(os.environ['UMASK'], 8)); "
        "sys.argv = ['tui-sync', *sys.argv[1:]]; runpy.run_module('tui_sync', run_name='__main__')"
    )
    for args in (
        ["user", "add", "CARINE", "Carine Dupont", "--email", UPN, "--calendar", "Calendar"],
        ["admin", "client-id", CLIENT_ID],
    ):
        command_line = [sys.executable, "-c", command, *args]
        done = subprocess.run(command_line, env=run.env, capture_output=True, text=True, cwd=run.folder)
        assert done.returncode == 0, done.stderr
    with AutoApprover(fake):
        done = subprocess.run(
            [sys.executable, "-c", command, "connect", "--user", "CARINE"],
            env=run.env,
            capture_output=True,
            text=True,
            cwd=run.folder,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    names = [
        "data",
        "data/deep",
        "data/deep/crm.sqlite3",
        "data/deep/tui-sync.log",
        "data/deep/token-cache.json",
    ]
    names += [
        str(p.relative_to(run.folder))
        for p in (run.folder / "data" / "deep").glob("crm.sqlite3-*")  # -wal, -shm
    ]
    assert private_tree_problems(run.folder, names) == []
