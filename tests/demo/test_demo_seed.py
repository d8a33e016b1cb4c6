"""`tui-sync demo`'s seeding: the company, the first syncs, the Outlook-side changes — counted in the CRM
file and in the fake's mailboxes — everything inside the demo folder, and a kept demo reopened as it was.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tui_sync.demo import AUTO_APPROVE_SECONDS, MARKER, Demo, prepare
from tui_sync.demo.company import UNKNOWN_CATEGORY, email
from tui_sync.domain.models import photo_type
from tui_sync.errors import BadInput

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME and the XDG folders in tmp: the demo must leave them empty."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for xdg in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(xdg, str(home / xdg.lower()))
    return home


@pytest.fixture
def demo(tmp_path: Path, home: Path) -> Iterator[Demo]:
    prepared = prepare(tmp_path / "demo", now=lambda: NOW)
    try:
        yield prepared
    finally:
        prepared.close()


def rows(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(sql).fetchall()


def test_the_company_is_seeded_in_the_crm(demo: Demo) -> None:
    db = demo.settings.database
    assert [r[0] for r in rows(db, "SELECT code FROM users ORDER BY code")] == [
        "ADM", "CARINE", "FLORENT", "MONNOM", "XAVIER",
    ]  # fmt: skip
    connected = rows(db, "SELECT code FROM users WHERE home_account_id IS NOT NULL ORDER BY code")
    assert [r[0] for r in connected] == ["CARINE", "FLORENT", "MONNOM"]  # XAVIER never connects
    assert rows(db, "SELECT count(*) FROM rights")[0][0] >= 8
    contacts = rows(db, "SELECT last_name, first_name, company, note, photo FROM contacts")
    assert len(contacts) >= 60
    photos = [c[4] for c in contacts if c[4]]
    assert len(photos) == 12 and all(photo_type(p) == "image/png" for p in photos)
    assert len({c[2] for c in contacts}) >= 5
    assert any("é" in c[0] + c[1] for c in contacts) and any("é" in c[3] for c in contacts)
    assert rows(db, "SELECT count(*) FROM contact_sync_list WHERE user = 'CARINE'")[0][0] > 12
    # four weeks of actions of every type around the day of the demo
    kinds = {r[0] for r in rows(db, "SELECT DISTINCT action_type FROM actions")}
    assert {"Tâche", "Rendez-vous", "Appel", "Réunion"} <= kinds
    starts = [r[0] for r in rows(db, "SELECT start_at FROM actions WHERE series_id IS NULL")]
    assert min(starts) < "2026-11-20" and max(starts) > "2026-12-10" and len(starts) > 100
    assert any("é" in r[0] for r in rows(db, "SELECT note FROM actions"))
    series = rows(db, "SELECT id, title FROM series WHERE owner = 'CARINE'")
    assert len(series) == 2
    assert rows(db, "SELECT count(*) FROM actions WHERE series_id IS NOT NULL")[0][0] == 1  # one moved
    assert rows(db, "SELECT count(*) FROM series_cancellations")[0][0] == 1


def test_carine_must_connect_again_and_her_first_sync_has_work_both_ways(demo: Demo) -> None:
    db = demo.settings.database
    cache = json.loads(demo.settings.microsoft.token_cache.read_text())
    usernames = {a["username"] for a in cache.get("Account", {}).values()}
    assert usernames == {email("FLORENT"), email("MONNOM")}  # CARINE connects from the keyboard
    assert rows(db, "SELECT count(*) FROM links WHERE user = 'CARINE'")[0][0] > 40  # she synced before
    state = demo.fake.server.state.summary()
    carine = next(b for b in state["mailboxes"] if b["upn"] == email("CARINE"))
    subjects = {e["fields"].get("subject"): e["fields"] for e in carine["events"]}
    assert subjects["Salon Artisanat & Lumière — Eurexpo"]["categories"] == [UNKNOWN_CATEGORY]
    assert "Déjeuner avec Mme Girard" in subjects
    notes = [c["fields"].get("personalNotes", "") for c in carine["contacts"]]
    assert any("Note modifiée dans Outlook" in n for n in notes)
    crm_titles = {r[0] for r in rows(db, "SELECT title FROM actions WHERE owner = 'CARINE'")}
    assert "Envoyer le catalogue à l'Hôtel Beauséjour" in crm_titles - set(subjects)  # CRM → Outlook
    # one synced action was deleted in Outlook: the CRM has one more of them, linked, than Outlook
    linked = rows(
        db,
        "SELECT count(*) FROM actions a JOIN links l ON l.user = 'CARINE' AND l.kind = 'action' "
        "AND l.crm_key = CAST(a.id AS TEXT) WHERE a.title LIKE 'Préparer le devis%'",
    )[0][0]
    in_outlook = [
        e for e in carine["events"] if e["fields"].get("subject", "").startswith("Préparer le devis")
    ]
    assert linked == len(in_outlook) + 1
    assert demo.fake.server.identity.auto_approve_after == AUTO_APPROVE_SECONDS


def test_nothing_is_written_outside_the_demo_folder(demo: Demo, home: Path, tmp_path: Path) -> None:
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert written and all(p.parts[0] == "demo" for p in written), written
    folder = demo.folder
    for path in (demo.settings.database, demo.settings.log_path, demo.settings.microsoft.token_cache):
        assert folder in path.parents
    assert Path(demo.settings.microsoft.ca_file).parent.parent == folder


def test_a_kept_demo_is_reopened_not_seeded_again(tmp_path: Path, home: Path) -> None:
    folder = tmp_path / "kept"
    first = prepare(folder, now=lambda: NOW)
    port = first.fake.server.port
    first.close()
    counts = rows(
        folder / "crm.sqlite3", "SELECT (SELECT count(*) FROM actions), (SELECT count(*) FROM contacts)"
    )
    again = prepare(folder, now=lambda: NOW)
    try:
        assert again.fake.server.port == port  # the saved sign-ins name this authority
        assert (
            rows(
                again.settings.database,
                "SELECT (SELECT count(*) FROM actions), (SELECT count(*) FROM contacts)",
            )
            == counts
        )
        assert json.loads((folder / MARKER).read_text())["seeded"] == "2026-11-30"
        assert any(b["upn"] == email("FLORENT") for b in again.fake.server.state.summary()["mailboxes"])
    finally:
        again.close()


def test_keep_refuses_a_folder_with_other_files(tmp_path: Path, home: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.txt").write_text("précieux")
    with pytest.raises(BadInput, match="holds other files"):
        prepare(folder)
    assert [p.name for p in folder.iterdir()] == ["thesis.txt"]
