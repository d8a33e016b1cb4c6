"""Events: CRM action → Graph JSON → CRM action, time zones, all-day, sensitivity, categories, bodies."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import TYPE_LABELS, actions, graph_echo, zones
from tui_sync.domain.models import Action
from tui_sync.microsoft.mapping import (
    UnreadableItem,
    action_to_event,
    event_to_action,
    html_to_text,
    last_modified,
    original_start,
)

PARIS = ZoneInfo("Europe/Paris")
LA = ZoneInfo("America/Los_Angeles")


def same_action(back: Action, want: Action) -> None:
    """Field-for-field equality, plus the instants (== between datetimes of one zone ignores `fold`)."""
    assert back == want
    assert back.start.timestamp() == want.start.timestamp()
    assert back.end.timestamp() == want.end.timestamp()


@given(st.data())
def test_an_action_survives_the_trip_through_graph(data: st.DataObject) -> None:
    tz = data.draw(zones)
    action = data.draw(actions(tz))
    sent = action_to_event(action, tz)
    back = event_to_action(graph_echo(sent), tz, TYPE_LABELS, action.owner)
    same_action(back, action)


@given(st.data())
def test_the_sent_body_reads_back_unchanged_without_graph_in_between(data: st.DataObject) -> None:
    tz = data.draw(zones)
    action = data.draw(actions(tz))
    same_action(event_to_action(action_to_event(action, tz), tz, TYPE_LABELS, action.owner), action)


@given(st.data())
def test_a_timed_action_keeps_its_instant_when_read_in_another_crm_zone(data: st.DataObject) -> None:
    written_in, read_in = data.draw(zones), data.draw(zones)
    action = data.draw(actions(written_in).filter(lambda a: not a.all_day))
    back = event_to_action(graph_echo(action_to_event(action, written_in)), read_in, TYPE_LABELS, "X")
    assert back.start.timestamp() == action.start.timestamp()
    assert back.end.timestamp() == action.end.timestamp()
    assert back.start.tzinfo is read_in


def test_the_event_body_has_every_field_of_spec_5() -> None:
    action = Action(
        owner="CARINE",
        title="Revue trimestrielle",
        start=datetime(2026, 3, 16, 9, 30, tzinfo=PARIS),
        end=datetime(2026, 3, 16, 11, tzinfo=PARIS),
        location="Salle 2",
        private=True,
        reminder_on=True,
        reminder_minutes=30,
        action_type="Réunion",
        note="Apporter les chiffres\net le contrat",
    )
    assert action_to_event(action, PARIS) == {
        "subject": "Revue trimestrielle",
        "location": {"displayName": "Salle 2"},
        "start": {"dateTime": "2026-03-16T09:30:00", "timeZone": "Romance Standard Time"},
        "end": {"dateTime": "2026-03-16T11:00:00", "timeZone": "Romance Standard Time"},
        "isAllDay": False,
        "sensitivity": "private",
        "isReminderOn": True,
        "reminderMinutesBeforeStart": 30,
        "categories": ["Réunion"],
        "body": {"contentType": "text", "content": "Apporter les chiffres\net le contrat"},
    }


def test_an_all_day_action_is_sent_as_midnight_dates_in_the_crm_zone() -> None:
    action = Action(
        owner="CARINE",
        title="Salon",
        start=datetime(2026, 10, 24, tzinfo=PARIS),
        end=datetime(2026, 10, 26, tzinfo=PARIS),  # two days, across the end of summer time
        all_day=True,
    )
    event = action_to_event(action, PARIS)
    assert event["isAllDay"] is True
    assert event["start"] == {"dateTime": "2026-10-24T00:00:00", "timeZone": "Romance Standard Time"}
    assert event["end"] == {"dateTime": "2026-10-26T00:00:00", "timeZone": "Romance Standard Time"}


def test_an_all_day_action_stored_in_utc_still_sends_its_crm_dates() -> None:
    action = Action(
        owner="CARINE",
        title="Salon",
        start=datetime(2026, 10, 23, 22, tzinfo=UTC),  # midnight, 24 October, in Paris
        end=datetime(2026, 10, 24, 22, tzinfo=UTC),
        all_day=True,
    )
    event = action_to_event(action, PARIS)
    assert (event["start"]["dateTime"], event["end"]["dateTime"]) == (
        "2026-10-24T00:00:00",
        "2026-10-25T00:00:00",
    )


def test_an_all_day_event_reads_as_midnight_to_midnight_in_the_crm_zone_whatever_zone_graph_used() -> None:
    event = {
        "id": "E1",
        "subject": "Congés",
        "isAllDay": True,
        "start": {"dateTime": "2026-08-03T00:00:00.0000000", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2026-08-08T00:00:00.0000000", "timeZone": "Pacific Standard Time"},
    }
    action = event_to_action(event, PARIS, TYPE_LABELS, "CARINE")
    assert action.all_day
    assert action.start == datetime(2026, 8, 3, tzinfo=PARIS)
    assert action.end == datetime(2026, 8, 8, tzinfo=PARIS)


def test_an_event_created_in_pacific_time_reads_back_at_the_same_instant_in_paris() -> None:
    # 10 March 2024: the US is on summer time (UTC−7), France not yet (UTC+1): 8 hours apart, not 9.
    event = {
        "id": "E2",
        "subject": "Call with Seattle",
        "start": {"dateTime": "2024-03-15T09:00:00.0000000", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2024-03-15T09:45:00.0000000", "timeZone": "Pacific Standard Time"},
        "isAllDay": False,
    }
    action = event_to_action(event, PARIS, TYPE_LABELS, "CARINE")
    assert action.start.tzinfo is PARIS
    assert (action.start.hour, action.start.minute) == (17, 0)
    assert action.end == datetime(2024, 3, 15, 16, 45, tzinfo=UTC)


def test_an_event_written_by_the_crm_in_los_angeles_reads_back_into_paris() -> None:
    action = Action(
        owner="CARINE",
        title="Demo",
        start=datetime(2026, 11, 2, 8, tzinfo=LA),
        end=datetime(2026, 11, 2, 9, tzinfo=LA),
    )
    event = action_to_event(action, LA)
    assert event["start"] == {"dateTime": "2026-11-02T08:00:00", "timeZone": "Pacific Standard Time"}
    back = event_to_action(graph_echo(event), PARIS, TYPE_LABELS, "CARINE")
    assert back.start == datetime(2026, 11, 2, 17, tzinfo=PARIS)


def test_times_given_with_iana_names_or_utc_are_read() -> None:
    for zone, value in (("Europe/Paris", "10:00"), ("UTC", "09:00"), ("Romance Standard Time", "10:00")):
        event = {
            "start": {"dateTime": f"2026-01-05T{value}:00.0000000", "timeZone": zone},
            "end": {"dateTime": f"2026-01-05T{value}:00.0000000", "timeZone": zone},
        }
        assert event_to_action(event, PARIS, TYPE_LABELS, "X").start == datetime(2026, 1, 5, 10, tzinfo=PARIS)


def test_an_unknown_time_zone_is_a_clear_error() -> None:
    event = {
        "id": "AAMk-42",
        "start": {"dateTime": "2026-01-05T10:00:00.0000000", "timeZone": "tzone://Microsoft/Custom"},
        "end": {"dateTime": "2026-01-05T11:00:00.0000000", "timeZone": "tzone://Microsoft/Custom"},
    }
    with pytest.raises(UnreadableItem) as caught:
        event_to_action(event, PARIS, TYPE_LABELS, "X")
    assert str(caught.value) == (
        "Microsoft 365 event AAMk-42 cannot be read: "
        "Microsoft 365 sent a time zone tui-sync does not know: 'tzone://Microsoft/Custom'"
    )


def test_a_wall_time_that_happens_twice_is_sent_in_utc_and_keeps_its_instant() -> None:
    # 25 October 2026, 02:30 happens twice in Paris; the second one (fold=1) is 00:30 UTC.
    second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=PARIS)
    action = Action(owner="X", title="Night", start=second, end=datetime(2026, 10, 25, 4, tzinfo=PARIS))
    event = action_to_event(action, PARIS)
    assert event["start"] == {"dateTime": "2026-10-25T01:30:00", "timeZone": "UTC"}
    back = event_to_action(graph_echo(event), PARIS, TYPE_LABELS, "X")
    assert back.start.timestamp() == second.timestamp()


@pytest.mark.parametrize(
    ("sensitivity", "private"),
    [("normal", False), ("personal", True), ("private", True), ("confidential", True), (None, False)],
)
def test_sensitivity_reads_as_the_private_flag(sensitivity: str | None, private: bool) -> None:
    event = {**_minimal_event(), "sensitivity": sensitivity}
    assert event_to_action(event, PARIS, TYPE_LABELS, "X").private is private


@pytest.mark.parametrize(
    ("categories", "action_type"),
    [
        (["Appel"], "Appel"),
        (["Important", "Réunion", "Appel"], "Réunion"),  # the first one that is an action type
        (["réunion"], "Réunion"),  # case-blind, CRM spelling kept
        (["Important"], "Tâche"),
        ([], "Tâche"),
        (None, "Tâche"),
    ],
)
def test_the_action_type_is_the_first_category_naming_one(
    categories: list[str] | None, action_type: str
) -> None:
    event = {**_minimal_event(), "categories": categories}
    assert event_to_action(event, PARIS, TYPE_LABELS, "X").action_type == action_type


def test_the_category_is_sent_with_outlooks_spelling_when_known() -> None:
    action = Action(
        owner="X",
        title="t",
        start=datetime(2026, 1, 5, 10, tzinfo=PARIS),
        end=datetime(2026, 1, 5, 11, tzinfo=PARIS),
        action_type="Appel",
    )
    assert action_to_event(action, PARIS, ["APPEL", "Réunion"])["categories"] == ["APPEL"]
    assert action_to_event(action, PARIS, ["Réunion"])["categories"] == ["Appel"]


def test_reminders_outside_the_crm_range_are_brought_into_it() -> None:
    event = {**_minimal_event(), "isReminderOn": True, "reminderMinutesBeforeStart": 525600}
    assert event_to_action(event, PARIS, TYPE_LABELS, "X").reminder_minutes == 40320
    event = {**_minimal_event(), "isReminderOn": True, "reminderMinutesBeforeStart": -5}
    assert event_to_action(event, PARIS, TYPE_LABELS, "X").reminder_minutes == 0


def test_missing_optional_fields_read_as_outlooks_defaults() -> None:
    action = event_to_action(_minimal_event(), PARIS, TYPE_LABELS, "X")
    assert (action.title, action.location, action.note) == ("", "", "")
    assert (action.private, action.reminder_on, action.reminder_minutes) == (False, False, 15)
    assert action.action_type == "Tâche"


def test_an_event_without_start_is_unreadable_and_says_so() -> None:
    with pytest.raises(UnreadableItem, match="event E9 cannot be read"):
        event_to_action({"id": "E9", "subject": "x"}, PARIS, TYPE_LABELS, "X")


def test_a_text_body_is_kept_with_lf_line_endings() -> None:
    event = {**_minimal_event(), "body": {"contentType": "text", "content": "Ligne 1\r\nLigne 2\r\n"}}
    assert event_to_action(event, PARIS, TYPE_LABELS, "X").note == "Ligne 1\nLigne 2\n"


OUTLOOK_HTML = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<style type="text/css" style="display:none">
<!--
p
	{margin-top:0;
	margin-bottom:0}
-->
</style>
</head>
<body dir="ltr">
<div class="elementToProof" style="font-family: Aptos, Aptos_EmbeddedFont, Calibri, Helvetica, sans-serif; \
font-size: 12pt; color: rgb(0, 0, 0);">
Bonjour,</div>
<div class="elementToProof" style="font-family: Aptos; font-size: 12pt;"><br></div>
<div class="elementToProof" style="font-family: Aptos; font-size: 12pt;">Merci d'apporter le \
<b>contrat signé</b> &amp; les chiffres_2026 (version [finale]).</div>
<div class="elementToProof">1. Points ouverts * à revoir</div>
<div class="elementToProof">- Budget # 3</div>
<ul><li>Lot A</li><li>Lot B</li></ul>
<div class="elementToProof">Dossier : <a href="https://contoso.sharepoint.com/doc?id=(7)">le dossier</a> \
ou <a href="mailto:anne@contoso.fr">anne@contoso.fr</a></div>
<div class="elementToProof">Tél&nbsp;: 01 23 45 67 89 &ndash; C:\\temp\\a.txt</div>
<div id="Signature"><p><img src="cid:logo.png" alt="logo"></p><p>Anne Martin<br>Contoso</p></div>
</body>
</html>
"""


def test_an_outlook_html_body_becomes_readable_plain_text() -> None:
    assert html_to_text(OUTLOOK_HTML) == (
        "Bonjour,\n"
        "\n"
        "Merci d'apporter le contrat signé & les chiffres_2026 (version [finale]).\n"
        "1. Points ouverts * à revoir\n"
        "- Budget # 3\n"
        "  * Lot A\n"
        "  * Lot B\n"
        "\n"
        "Dossier : le dossier (https://contoso.sharepoint.com/doc?id=(7)) ou anne@contoso.fr\n"
        "Tél : 01 23 45 67 89 – C:\\temp\\a.txt\n"
        "Anne Martin\n"
        "Contoso"
    )


def test_an_html_event_body_is_read_as_plain_text() -> None:
    event = {**_minimal_event(), "body": {"contentType": "html", "content": OUTLOOK_HTML}}
    note = event_to_action(event, PARIS, TYPE_LABELS, "X").note
    assert note.startswith("Bonjour,\n\nMerci d'apporter le contrat signé & les chiffres_2026")
    assert "<" not in note and "&amp;" not in note


def test_outlooks_html_of_a_plain_text_note_gives_the_note_back() -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>'
        '<div class="PlainText">Ligne 1<br>\r\n<br>\r\nLigne 3 : 50 % *urgent*<br>\r\n</div></body></html>'
    )
    assert html_to_text(html) == "Ligne 1\n\nLigne 3 : 50 % *urgent*"


WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns="http://www.w3.org/TR/REC-html40">
<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta name="Generator" content="Microsoft Word 15 (filtered medium)">
<style><!--
p.MsoNormal, li.MsoNormal, div.MsoNormal
	{margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif;}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]-->
</head>
<body lang="FR" link="#0563C1" vlink="#954F72" style="word-wrap:break-word">
<div class="WordSection1">
<p class="MsoNormal">Ordre du jour&nbsp;:<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<p class="MsoNormal"><b>1.</b> Budget 2026<o:p></o:p></p>
<p class="MsoNormal">2. Recrutement &#8211; <i>profil</i> senior<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
</div>
</body>
</html>"""


def test_a_body_from_outlook_desktop_word_html_becomes_plain_text() -> None:
    assert html_to_text(WORD_HTML) == "Ordre du jour :\n\n1. Budget 2026\n2. Recrutement – profil senior"


def test_original_start_and_last_modified_are_read_as_aware_datetimes() -> None:
    event = {"originalStart": "2026-03-16T08:00:00Z", "lastModifiedDateTime": "2026-03-10T07:15:02.1234567Z"}
    assert original_start(event, PARIS) == datetime(2026, 3, 16, 9, tzinfo=PARIS)
    assert last_modified(event) == datetime(2026, 3, 10, 7, 15, 2, 123456, tzinfo=UTC)
    assert original_start({}, PARIS) is None and last_modified({}) is None


def _minimal_event() -> dict[str, object]:
    return {
        "id": "E0",
        "start": {"dateTime": "2026-01-05T10:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2026-01-05T11:00:00.0000000", "timeZone": "UTC"},
    }
