"""The agenda form's repeat interval: a daily series up to every 999 days (what Exchange keeps), the other
patterns up to every 99."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tui_sync import texts
from tui_sync.config import load_settings
from tui_sync.services.agenda import ActionDraft, AgendaService, DraftRefused


def draft(repeat: str, interval: str) -> ActionDraft:
    return ActionDraft(
        "CARINE",
        "Contrôle",
        "2026-12-07",
        "09:00",
        "2026-12-07",
        "10:00",
        repeat=repeat,  # type: ignore[arg-type]
        interval=interval,
        days=("monday",),
    )


def service() -> AgendaService:
    settings = load_settings(None, {"TUI_SYNC_TIMEZONE": "Europe/Paris"})
    return AgendaService(None, settings, None, lambda: datetime(2026, 12, 1, tzinfo=UTC))  # type: ignore[arg-type]


def test_a_daily_series_repeats_up_to_every_999_days() -> None:
    _, rule = service().parse(draft("daily", "150"))
    assert rule is not None and rule.interval == 150
    _, rule = service().parse(draft("daily", "999"))
    assert rule is not None and rule.interval == 999
    with pytest.raises(DraftRefused) as refused:
        service().parse(draft("daily", "1000"))
    assert [f for f, _ in refused.value.problems] == ["interval"]


@pytest.mark.parametrize("repeat", ["weekly", "monthly", "yearly"])
def test_other_patterns_repeat_up_to_every_99(repeat: str) -> None:
    _, rule = service().parse(draft(repeat, "99"))
    assert rule is not None and rule.interval == 99
    with pytest.raises(DraftRefused) as refused:
        service().parse(draft(repeat, "100"))
    assert [f for f, _ in refused.value.problems] == ["interval"]


def test_the_form_says_where_a_day_a_month_lacks_falls() -> None:
    """Outlook's dialog: "Some months have fewer than 31 days. For these months, the occurrence will fall
    on the last day of the month." The form's choices say so in short."""
    assert texts.tui_agenda.repeat_labels(date(2026, 12, 31))["monthly"] == "Monthly on day 31 (or last day)"
    assert texts.tui_agenda.repeat_labels(date(2026, 12, 28))["monthly"] == "Monthly on day 28"
    assert texts.tui_agenda.repeat_labels(date(2028, 2, 29))["yearly"] == "Yearly on 29 Feb (or 28 Feb)"
    assert texts.tui_agenda.repeat_labels(date(2028, 3, 31))["yearly"] == "Yearly on 31 Mar"
