"""No traceback from any command, whatever file it is given: a corpus of bad inputs (empty, binary,
truncated, the wrong encoding, a folder, a missing file, nested or huge content) handed to every command
that reads a file, as the file to import, the photo, the JSON object, the config and the database. Each
is refused with one line on stderr and exit 1 or 2; a database file that is not ours is left as it was.
("unexpected error" is the line a bug produces: it must never appear.)"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

_NOISE = random.Random(7).randbytes(4000)
VEVENT = b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:1\n%s\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n"
CORPUS: dict[str, bytes | None] = {  # None: a folder of that name
    "empty.csv": b"",
    "empty.vcf": b"",
    "empty.ics": b"",
    "empty.json": b"",
    "binary.csv": bytes(range(256)) * 40,
    "binary.vcf": _NOISE,
    "binary.ics": _NOISE,
    "binary.json": _NOISE,
    "utf16.csv": "last_name,city\nMartin,Lyon\n".encode("utf-16"),
    "latin1.vcf": "BEGIN:VCARD\nVERSION:3.0\nN:Martín;Ana\nFN:Ana\nEND:VCARD\n".encode("latin-1"),
    "truncated.vcf": b"BEGIN:VCARD\nVERSION:3.0\nN:Martin;Anne\n",
    "truncated.ics": b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nSUMMARY:x\n",
    "unknown_columns.csv": b"foo,bar\n1,2\n",
    "long_line.ics": b"BEGIN:VCALENDAR\n" + b"X" * 200_000 + b"\nEND:VCALENDAR\n",
    "no_start.ics": VEVENT % b"",
    "bad_date.ics": VEVENT % b"DTSTART:2026133",
    "bad_rule.ics": VEVENT % b"DTSTART:20261201T090000Z\nDTEND:20261201T100000Z\nRRULE:FREQ=SOMETIMES",
    "deep.json": b"[" * 100_000,
    "list.json": b"[1, 2]",
    "nan.json": b'{"last_name": NaN, "title": NaN}',
    "text.jpg": b"hello",
    "huge.jpg": b"\xff\xd8\xff" + bytes(5 * 1024 * 1024),
    "bad.toml": b"database = [\n",
    "binary.toml": _NOISE,
    "folder.csv": None,
    "folder.ics": None,
}
MISSING = "missing.csv"
COMMANDS = {
    "import contacts": ["import", "contacts", "{file}"],
    "import agenda": ["import", "agenda", "{file}", "--user", "ADM"],
    "contacts add --photo": ["contacts", "add", "--last-name", "X", "--photo", "{file}"],
    "contacts add --from-json": ["contacts", "add", "--from-json", "{file}"],
    "agenda add --from-json": ["agenda", "add", "--from-json", "{file}"],
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    for name, content in CORPUS.items():
        if content is None:
            (folder / name).mkdir()
        else:
            (folder / name).write_bytes(content)
    return folder


def assert_one_line_refusal(result, codes: tuple[int, ...] = (1, 2)) -> None:
    assert result.exit_code in codes, result
    assert result.stderr.startswith("tui-sync: ") and result.stderr.count("\n") == 1, result.stderr
    assert "unexpected error" not in result.stderr and "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("name", [*CORPUS, MISSING])
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_refuses_every_bad_file_in_one_line(
    run_cli, db_dump, corpus: Path, command, name
) -> None:
    assert run_cli("user", "list").exit_code == 0
    before = db_dump(run_cli.database)
    result = run_cli(*[str(corpus / name) if word == "{file}" else word for word in COMMANDS[command]])
    assert_one_line_refusal(result)
    assert db_dump(run_cli.database) == before


@pytest.mark.parametrize("name", [n for n, content in CORPUS.items() if content != b""] + [MISSING])
def test_a_bad_config_file_is_one_line_exit_2(run_cli, corpus: Path, name: str) -> None:
    assert_one_line_refusal(run_cli("--config", str(corpus / name), "user", "list"), codes=(2,))
    assert not run_cli.database.exists()


@pytest.mark.parametrize("name", [n for n, content in CORPUS.items() if content])
def test_a_file_that_is_not_a_database_is_one_line_and_left_as_it_was(
    run_cli, corpus: Path, name: str
) -> None:
    copy = run_cli.config.parent / f"db-{name}"
    copy.write_bytes((corpus / name).read_bytes())
    run_cli.config.write_text(f"database = {str(copy)!r}\nlog_file = {str(copy.parent / 'log')!r}\n")
    assert_one_line_refusal(run_cli("user", "list"), codes=(1,))
    assert copy.read_bytes() == (corpus / name).read_bytes()
    assert not [p.name for p in copy.parent.iterdir() if p.name.startswith(copy.name + "-")]  # no journal


def test_a_reader_that_goes_away_is_not_an_error_message(run_cli) -> None:
    """`tui-sync user list | head -1`: the pipe closes before tui-sync writes; no traceback, no
    "Exception ignored" from Python's exit, just exit 1."""
    for code in ("ANNE", "BRUNO", "CARINE"):
        assert run_cli("user", "add", code, code.title()).exit_code == 0
    env = {**os.environ, "TUI_SYNC_CONFIG": str(run_cli.config)}
    child = subprocess.Popen(
        [sys.executable, "-m", "tui_sync", "user", "list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # the reader is gone before anything was written
    stderr = child.stderr.read().decode()
    assert child.wait(timeout=60) == 1
    assert stderr == ""
