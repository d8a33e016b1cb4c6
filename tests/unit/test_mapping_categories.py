"""Categories: an action type's colour → the nearest Outlook preset."""

from __future__ import annotations

import pytest
from hypothesis import given

from tests.strategies import action_types
from tui_sync import texts
from tui_sync.domain.models import DEFAULT_ACTION_TYPES, ActionType, InvalidValue
from tui_sync.microsoft.mapping import PRESET_COLOURS, category_for, nearest_preset


def test_there_are_the_25_presets_graph_documents() -> None:
    assert list(PRESET_COLOURS) == [f"preset{n}" for n in range(25)]
    assert PRESET_COLOURS["preset9"][0] == "Cranberry" and PRESET_COLOURS["preset24"][0] == "DarkCranberry"


@pytest.mark.parametrize("preset", list(PRESET_COLOURS))
def test_each_presets_own_colour_maps_to_itself(preset: str) -> None:
    assert nearest_preset(PRESET_COLOURS[preset][1]) == preset


@pytest.mark.parametrize(
    ("colour", "preset", "name"),
    [
        ("#F08080", "preset0", "Red"),
        ("#E81123", "preset16", "DarkOrange"),  # a saturated red: Outlook's "Red" is a pale pink
        ("#800000", "preset15", "DarkRed"),
        ("#FFA500", "preset1", "Orange"),
        ("#FFFF00", "preset3", "Yellow"),
        ("#4CAF50", "preset4", "Green"),
        ("#006400", "preset19", "DarkGreen"),
        ("#40E0D0", "preset5", "Teal"),
        ("#008080", "preset20", "DarkTeal"),
        ("#808000", "preset17", "DarkBrown"),
        ("#0078D4", "preset7", "Blue"),
        ("#000080", "preset22", "DarkBlue"),  # CIELAB would say DarkPurple; Oklab keeps blues blue
        ("#9B59B6", "preset8", "Purple"),
        ("#FF69B4", "preset9", "Cranberry"),
        ("#FFFFFF", "preset10", "Steel"),
        ("#A9A9A9", "preset12", "Gray"),
        ("#808080", "preset13", "DarkGray"),
        ("#000000", "preset14", "Black"),  # greys only get greys: DarkBlue is darker than Outlook's Black
    ],
)
def test_a_colour_maps_to_the_preset_that_looks_nearest(colour: str, preset: str, name: str) -> None:
    assert nearest_preset(colour) == preset
    assert PRESET_COLOURS[preset][0] == name


def test_the_default_action_types_get_their_categories() -> None:
    assert [category_for(t) for t in DEFAULT_ACTION_TYPES] == [
        {"displayName": "Tâche", "color": "preset7"},
        {"displayName": "Rendez-vous", "color": "preset1"},
        {"displayName": "Appel", "color": "preset4"},
        {"displayName": "Réunion", "color": "preset8"},
    ]


def test_lower_case_colours_are_read() -> None:
    assert nearest_preset("#55abe5") == "preset7"


def test_a_bad_colour_is_refused_with_the_domains_message() -> None:
    with pytest.raises(InvalidValue) as refused:
        nearest_preset("blue")
    assert texts.domain.refusal(refused.value) == "colour: 'blue' is not a #RRGGBB colour"


@given(action_types())
def test_every_colour_gets_a_preset_and_the_label_is_kept(action_type: ActionType) -> None:
    category = category_for(action_type)
    assert category["displayName"] == action_type.label
    assert category["color"] in PRESET_COLOURS
