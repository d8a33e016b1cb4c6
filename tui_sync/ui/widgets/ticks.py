"""Checkboxes and selection lists whose mark reads without colour.

Textual draws the same X in a checkbox (and beside each option of a SelectionList) whether it is ticked
or not, and tells the two apart by colour alone, which 16-colour terminals, NO_COLOR and colour-blind
users lose. These draw the X only when ticked.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets.option_list import OptionDoesNotExist


class TickBox(Checkbox):
    """A Checkbox showing X when ticked, a blank when not."""

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "X" if self.value else " "
        return super()._button


class TickList(SelectionList[Any]):
    """A SelectionList showing X beside the selected options only."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        try:
            selection = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments = list(strip)
        if selection.value in self.selected or len(segments) < 2:
            return strip
        if segments[1].text == Checkbox.BUTTON_INNER:  # [left edge, inner mark, right edge, …]
            segments[1] = Segment(" ", segments[1].style)
        return Strip(segments, strip.cell_length)
