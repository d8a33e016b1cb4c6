"""Domain validation: every rule refuses with InvalidValue naming the field and carrying what was wrong
(its sentence is the edge's: tests/unit/test_refusal_texts.py), and accepts its edges."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tui_sync.domain.models import (
    MAX_MONTHS,
    MAX_NOTE_JSON_BYTES,
    MAX_REMINDER_MINUTES,
    Action,
    ActionType,
    Contact,
    InvalidValue,
    MicrosoftSettings,
    Recurrence,
    Series,
    SyncPrefs,
    User,
    check_note,
    entered_title,
    photo_type,
    validate_client_id,
    validate_email,
)
from tui_sync.domain.period import Period, parse_day
from tui_sync.domain.refusals import EndsBeforeStart, Malformed, OutOfRange, TooLarge

TZ = ZoneInfo("Europe/Paris")
START = datetime(2024, 3, 4, 9, 0, tzinfo=TZ)
PNG = b"\x89PNG\r\n\x1a\n0000"
JPEG = b"\xff\xd8\xff\xe00000"


def refused(field: str, make, *args, **kwargs) -> InvalidValue:
    with pytest.raises(InvalidValue) as caught:
        make(*args, **kwargs)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    return caught.value


# --- client id, e-mail, tenant ---------------------------------------------------------------------


def test_client_id_is_a_guid_returned_canonical() -> None:
    assert (
        validate_client_id(" 1B2C3D4E-1111-2222-3333-444455556666 ") == "1b2c3d4e-1111-2222-3333-444455556666"
    )
    assert (
        validate_client_id("{1b2c3d4e-1111-2222-3333-444455556666}") == "1b2c3d4e-1111-2222-3333-444455556666"
    )


@pytest.mark.parametrize(
    "bad", ["", "abc", "1b2c3d4e-1111-2222-3333-44445555666", "1b2c3d4e-1111-2222-3333-44445555666g"]
)
def test_client_id_refuses_what_is_not_a_guid(bad: str) -> None:
    assert refused("client_id", validate_client_id, bad).reason == Malformed(bad, "guid")


def test_microsoft_settings_allow_an_unset_client_id_and_check_the_tenant() -> None:
    assert MicrosoftSettings() == MicrosoftSettings("", "common")
    assert MicrosoftSettings("1B2C3D4E-1111-2222-3333-444455556666").client_id.islower()
    assert MicrosoftSettings(tenant="contoso.onmicrosoft.com").tenant == "contoso.onmicrosoft.com"
    refused("client_id", MicrosoftSettings, "nope")
    refused("tenant", MicrosoftSettings, tenant="")
    refused("tenant", MicrosoftSettings, tenant="con toso")
    refused("tenant", MicrosoftSettings, tenant="a/b")


@pytest.mark.parametrize("good", ["", "carine@contoso.test", " a.b+c@sub.example.fr "])
def test_email_accepts_empty_or_an_address(good: str) -> None:
    assert validate_email(good) == good.strip()


@pytest.mark.parametrize(
    "bad", ["carine", "carine@", "@contoso.test", "carine@contoso", "ca rine@x.fr", "a@b@c.fr"]
)
def test_email_refuses_the_rest_naming_the_field(bad: str) -> None:
    refused("login_email", validate_email, bad, "login_email")
    refused("email", Contact, "Zola", email=bad)


# --- users and preferences -------------------------------------------------------------------------


@pytest.mark.parametrize("months", [0, 1, MAX_MONTHS])
def test_months_before_and_after_accept_0_to_36(months: int) -> None:
    prefs = SyncPrefs(months_before=months, months_after=months)
    assert (prefs.months_before, prefs.months_after) == (months, months)


@pytest.mark.parametrize("months", [-1, MAX_MONTHS + 1, 120])
def test_months_outside_0_to_36_are_refused(months: int) -> None:
    assert refused("months_before", SyncPrefs, months_before=months).reason == OutOfRange(
        0, MAX_MONTHS, months
    )
    refused("months_after", SyncPrefs, months_after=months)


def test_prefs_check_the_login_email() -> None:
    assert SyncPrefs(login_email=" carine@contoso.test ").login_email == "carine@contoso.test"
    refused("login_email", SyncPrefs, login_email="carine")


def test_user_code_is_normalised_and_checked() -> None:
    assert User(" carine_2 ", "Carine").code == "CARINE_2"
    assert User("A" * 20, "Long").code == "A" * 20
    for bad in ("", "CAR INE", "A" * 21, "CARINE!", "É"):
        refused("code", User, bad, "Someone")
    refused("full_name", User, "CARINE", "   ")


# --- actions and series ----------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [0, 15, MAX_REMINDER_MINUTES])
def test_reminder_accepts_0_to_40320_minutes(minutes: int) -> None:
    assert Action("CARINE", "x", START, START, reminder_minutes=minutes).reminder_minutes == minutes


@pytest.mark.parametrize("minutes", [-1, MAX_REMINDER_MINUTES + 1])
def test_reminder_outside_the_range_is_refused(minutes: int) -> None:
    refused("reminder_minutes", Action, "CARINE", "x", START, START, reminder_minutes=minutes)
    refused("reminder_minutes", Series, "CARINE", "x", START, START, _weekly(), reminder_minutes=minutes)


def test_end_must_be_after_start() -> None:
    Action("CARINE", "call", START, START)  # a zero-length timed action is allowed (a call, a task)
    Action("CARINE", "day", START, START + timedelta(days=1), all_day=True)
    assert refused(
        "end", Action, "CARINE", "x", START, START - timedelta(minutes=1)
    ).reason == EndsBeforeStart("time")
    refused("end", Action, "CARINE", "x", START, START, all_day=True)
    refused("end", Series, "CARINE", "x", START, START - timedelta(hours=1), _weekly())
    refused("end", Series, "CARINE", "x", START, START, _weekly(), all_day=True)


def test_times_must_carry_a_zone() -> None:
    naive = datetime(2024, 3, 4, 9, 0)
    refused("start", Action, "CARINE", "x", naive, START)
    refused("end", Action, "CARINE", "x", START, naive)
    refused("start", Series, "CARINE", "x", naive, START, _weekly())


def test_an_occurrence_needs_its_original_start() -> None:
    refused("original_start", Action, "CARINE", "x", START, START, series_id=3)
    assert Action("CARINE", "x", START, START, series_id=3, original_start=START).series_id == 3


def _weekly(**changes: object) -> Recurrence:
    values: dict = {"pattern": "weekly", "start_date": date(2024, 3, 4), "days_of_week": ("monday",)}
    return Recurrence(**{**values, **changes})


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("pattern", {"pattern": "hourly"}),
        ("interval", {"interval": 0}),
        ("interval", {"interval": 1000}),
        ("days_of_week", {"days_of_week": ()}),
        ("days_of_week", {"days_of_week": ("funday",)}),
        ("day_of_month", {"pattern": "absoluteMonthly", "day_of_month": None}),
        ("day_of_month", {"pattern": "absoluteMonthly", "day_of_month": 32}),
        ("month", {"pattern": "absoluteYearly", "day_of_month": 4, "month": 13}),
        ("month", {"pattern": "relativeYearly", "index": "first"}),
        ("index", {"pattern": "relativeMonthly", "index": "fifth"}),
        ("first_day_of_week", {"first_day_of_week": "someday"}),
        ("end_date", {"range_type": "endDate"}),
        ("end_date", {"range_type": "endDate", "end_date": date(2024, 3, 3)}),
        ("count", {"range_type": "numbered", "count": 0}),
        ("range_type", {"range_type": "forever"}),
    ],
)
def test_recurrence_rules_are_checked(field: str, changes: dict) -> None:
    refused(field, _weekly, **changes)


def test_recurrence_accepts_every_outlook_shape() -> None:
    _weekly(days_of_week=("MONDAY", "Friday"), interval=99, first_day_of_week="monday")
    _weekly(pattern="daily", days_of_week=())
    _weekly(pattern="absoluteMonthly", day_of_month=31, days_of_week=())
    _weekly(pattern="relativeMonthly", index="last")
    _weekly(pattern="absoluteYearly", day_of_month=29, month=2, days_of_week=())
    _weekly(pattern="relativeYearly", index="second", month=11)
    _weekly(range_type="endDate", end_date=date(2024, 3, 4))
    _weekly(range_type="numbered", count=1)
    assert _weekly(days_of_week=("MONDAY",)).days_of_week == ("monday",)


# --- action types and contacts ---------------------------------------------------------------------


def test_action_type_needs_a_label_and_a_hex_colour() -> None:
    assert ActionType("Visite", "#a0B1c2").colour == "#a0B1c2"
    refused("label", ActionType, " ")
    for bad in ("red", "#12345", "#1234567", "123456", "#GGGGGG"):
        refused("colour", ActionType, "Visite", bad)


def test_contact_needs_a_name_or_a_company() -> None:
    assert Contact("", "", company="ACME").display_name == "ACME"
    assert Contact("", "Marie").display_name == "Marie"
    assert Contact("Curie", "Marie").display_name == "CURIE Marie"
    refused("last_name", Contact, " ", " ")


def test_contact_address_has_at_most_three_lines_and_drops_empty_ones() -> None:
    assert Contact("Zola", address_lines=("1 rue", "", "Bât B", "")).address_lines == ("1 rue", "Bât B")
    refused("address_lines", Contact, "Zola", address_lines=("1", "2", "3", "4"))


def test_contact_photo_is_jpeg_or_png() -> None:
    assert photo_type(PNG) == "image/png" and photo_type(JPEG) == "image/jpeg"
    assert Contact("Zola", photo=JPEG).photo == JPEG
    assert photo_type(b"GIF89a") is None
    refused("photo", Contact, "Zola", photo=b"GIF89a....")


# --- the sync period -------------------------------------------------------------------------------


def test_period_around_today_covers_whole_days_in_the_crm_zone() -> None:
    period = Period.around(date(2024, 3, 31), 1, 2, TZ)
    assert period.start == datetime(2024, 2, 29, 0, 0, tzinfo=TZ)  # one month before 31 March
    assert period.end == datetime(2024, 6, 1, 0, 0, tzinfo=TZ)  # the whole of 31 May included
    assert Period.around(date(2024, 3, 15), 0, 0, TZ) == Period.from_dates(
        date(2024, 3, 15), date(2024, 3, 15), TZ
    )


def test_period_overlap_rules() -> None:
    period = Period.from_dates(date(2024, 3, 10), date(2024, 3, 10), TZ)
    day = datetime(2024, 3, 10, tzinfo=TZ)
    assert period.overlaps(day - timedelta(hours=1), day + timedelta(minutes=1))
    assert not period.overlaps(day - timedelta(hours=1), day)  # ends exactly at the start
    assert period.overlaps(day, day)  # zero length at the start
    assert not period.overlaps(day + timedelta(days=1), day + timedelta(days=1, hours=1))
    assert period.contains_start(day) and not period.contains_start(day + timedelta(days=1))


def test_period_end_must_follow_its_start_and_days_parse_strictly() -> None:
    refused("to", Period, START, START)
    assert parse_day(" 2024-03-04 ", "from") == date(2024, 3, 4)
    assert refused("from", parse_day, "04/03/2024", "from").reason == Malformed("04/03/2024", "date")


def test_contact_photo_at_most_4_mb() -> None:
    """Microsoft 365 refuses larger contact photos: the CRM refuses them where they enter."""
    assert Contact("Zola", photo=JPEG + bytes(4 * 1024 * 1024 - len(JPEG))).photo is not None
    with pytest.raises(InvalidValue) as refused:
        Contact("Zola", photo=JPEG + bytes(4 * 1024 * 1024))
    assert refused.value.field == "photo"
    assert refused.value.reason == TooLarge("photo", len(JPEG) + 4 * 1024 * 1024, 4 * 1024 * 1024)


# --- what a person enters: a title, and a note that fits in one Microsoft Graph request ------------


def test_an_entered_title_must_not_be_blank() -> None:
    assert entered_title("  Appel client ") == "Appel client"
    for blank in ("", "   ", "\t\n"):
        with pytest.raises(InvalidValue) as refused:
            entered_title(blank)
        assert refused.value.field == "title"


def test_a_note_over_4_mb_is_refused_where_it_enters() -> None:
    """Graph takes at most 4 MB a request: a larger note could never be sent, so where a person enters
    one (forms, commands, imports) it is refused, like a photo over 4 MB. What Outlook or an older
    database already holds is still read."""
    fits = "é" * ((MAX_NOTE_JSON_BYTES - 2) // 2)  # two bytes each in UTF-8
    check_note(fits)
    with pytest.raises(InvalidValue) as refused:
        check_note(fits + "é")
    assert refused.value.field == "note"
    assert isinstance(refused.value.reason, TooLarge) and refused.value.reason.limit == MAX_NOTE_JSON_BYTES
    with pytest.raises(InvalidValue):
        check_note("\x01" * (MAX_NOTE_JSON_BYTES // 6 + 1))  # six bytes each once escaped in JSON
    assert Contact(last_name="Dupont", note=fits + "é").note.endswith("é")
