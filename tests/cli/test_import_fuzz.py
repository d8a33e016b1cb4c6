"""Malformed and odd CSV, vCard and iCalendar, made by hypothesis from the real exports in tests/data
(lines dropped, doubled, cut, bytes changed, junk inserted, line ends mixed): whatever the file, an
import either imports or refuses the file in clear lines (exit 2, every line starting with the file's
name) and leaves the database as it was: never a traceback, never a partial import.

The readers get many examples (fast, no database); the command line fewer (each opens a database). The
long run is behind `-m slow`."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui_sync.errors import BadInput
from tui_sync.importers import read_calendar_file, read_contacts_file

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLES = sorted(
    p for p in [*DATA.iterdir(), *(DATA / "real").iterdir()] if p.suffix in (".vcf", ".ics", ".csv")
)
PARIS = ZoneInfo("Europe/Paris")
JUNK = st.sampled_from(
    [
        b"",
        b" ",
        b"=",
        b"=0A",
        b":",
        b";;;",
        b"BEGIN:VCARD",
        b"END:VCARD",
        b"BEGIN:VEVENT",
        b"END:VEVENT",
        b"BEGIN:VCALENDAR",
        b"RRULE:FREQ=MONTHLY;BYMONTHDAY=31",
        b"DTSTART;TZID=Nowhere/Land:20240101T090000",
        b"N;ENCODING=QUOTED-PRINTABLE:=C3=",
        b'"unterminated,quote',
        b"\xff\xfe",
        b"\x00",
        "é😀\u202e".encode(),
    ]
)


@st.composite
def odd_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A real sample, changed a few times: the kind of damage a hand edit, a mailer or a cut does."""
    path = draw(st.sampled_from(SAMPLES))
    lines = path.read_bytes().split(b"\n")
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, max(0, len(lines) - 1)))
        action = draw(st.sampled_from(["drop", "double", "junk", "bytes", "cut", "crlf", "indent"]))
        if action == "drop" and len(lines) > 1:
            del lines[where]
        elif action == "double":
            lines.insert(where, lines[where])
        elif action == "junk":
            lines.insert(where, draw(JUNK))
        elif action == "bytes" and lines[where]:
            at = draw(st.integers(0, len(lines[where]) - 1))
            lines[where] = (
                lines[where][:at] + draw(st.binary(min_size=1, max_size=3)) + lines[where][at + 1 :]
            )
        elif action == "cut":
            lines = lines[: where + 1]
            lines[-1] = lines[-1][: draw(st.integers(0, len(lines[-1])))]
        elif action == "crlf":
            lines[where] = lines[where].rstrip(b"\r")
        elif action == "indent":
            lines[where] = b" " + lines[where]
    return path.name, b"\n".join(lines)


def read_any(name: str, data: bytes) -> None:
    if name.endswith(".ics"):
        read_calendar_file(data, "CARINE", PARIS, source=name)
    else:
        read_contacts_file(data, name)


def check_reader(sample: tuple[str, bytes]) -> None:
    name, data = sample
    try:
        read_any(name, data)
    except BadInput as refused:
        assert str(refused).startswith(name), str(refused)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(odd_files())
def test_a_reader_reads_or_refuses_in_clear_words(sample: tuple[str, bytes]) -> None:
    check_reader(sample)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([".ics", ".vcf", ".csv", ".txt"]), st.text(max_size=300))
def test_any_text_is_read_or_refused(suffix: str, text: str) -> None:
    check_reader((f"any{suffix}", text.encode("utf-8", "surrogatepass")))


def check_cli(crm, db_dump, tmp_path: Path, sample: tuple[str, bytes]) -> None:
    name, data = sample
    path = tmp_path / name
    path.write_bytes(data)
    what = ["agenda", str(path), "--user", "CARINE"] if name.endswith(".ics") else ["contacts", str(path)]
    before = db_dump(crm.database)
    result = crm("import", *what)
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        assert result.stdout.startswith("Imported")
        return
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"tui-sync: {name}") and all(line.startswith(name) for line in lines[1:])
    assert db_dump(crm.database) == before  # all or nothing


@pytest.fixture
def crm(run_cli):
    assert run_cli("user", "add", "CARINE", "Carine Dupont").exit_code == 0
    return run_cli


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sample=odd_files())
def test_an_import_imports_or_refuses_and_changes_nothing(crm, db_dump, tmp_path, sample) -> None:
    check_cli(crm, db_dump, tmp_path, sample)


@pytest.mark.slow
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(odd_files())
def test_long_run_a_reader_reads_or_refuses(sample: tuple[str, bytes]) -> None:
    check_reader(sample)


@pytest.mark.slow
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sample=odd_files())
def test_long_run_an_import_imports_or_refuses(crm, db_dump, tmp_path, sample) -> None:
    check_cli(crm, db_dump, tmp_path, sample)
