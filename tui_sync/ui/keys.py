"""Keys: which ones reach the application over SSH and tmux, and the `[keys]` remapping of the config.

Checked in tmux 3.3a with Textual 8.2.8 (legacy key encoding: tmux does not pass the kitty keyboard
protocol on): letters, shift+letter, digits, F1–F9, enter, escape, tab, shift+tab, arrows, page keys,
space, backspace, delete, punctuation and most ctrl+letter arrive intact. ctrl+h, ctrl+i and ctrl+m
arrive as backspace, tab and enter; ctrl+b is tmux's prefix and ctrl+a screen's; ctrl+c and ctrl+p are
Textual's own (copy, the palette); ctrl+enter, shift+enter, ctrl+tab and ctrl+shift+letter cannot be told
apart from their plain forms; F10 and F11 are taken by common terminals.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Iterable, Mapping

from textual.binding import Binding
from textual.keys import Keys, _character_to_key

from tui_sync import texts
from tui_sync.errors import ConfigError

_NAMED = {
    "enter", "escape", "tab", "shift+tab", "up", "down", "left", "right", "home", "end", "pageup",
    "pagedown", "delete", "backspace", "space", "insert",
    "shift+up", "shift+down", "ctrl+up", "ctrl+down", "ctrl+left", "ctrl+right",
}  # fmt: skip
_CTRL_TAKEN = set("abchimp")  # tmux / screen prefixes, keys that arrive as others, Textual's own
SAFE_KEYS = frozenset(
    _NAMED
    | set(string.ascii_letters)
    | set(string.digits)
    | {f"f{n}" for n in range(1, 10)}
    | {_character_to_key(c) for c in string.punctuation}
    | {f"ctrl+{c}" for c in string.ascii_lowercase if c not in _CTRL_TAKEN}
    | {f"alt+{c}" for c in string.ascii_lowercase}
)
ALLOWED_EXCEPTIONS = {"quit": {"ctrl+q"}}  # Textual's priority quit key is ours to keep


def keys_of(binding: Binding) -> list[str]:
    return [k.strip() for k in binding.key.split(",") if k.strip()]


def is_safe(key: str, binding_id: str | None = None) -> bool:
    return key in SAFE_KEYS or key in ALLOWED_EXCEPTIONS.get(binding_id or "", set())


def is_key_name(key: str) -> bool:
    """Whether Textual knows `key` (e.g. "f5", "ctrl+s", "Y", "question_mark", "alt+enter")."""
    *modifiers, base = key.split("+")
    if any(m not in ("ctrl", "shift", "alt", "meta", "super", "hyper") for m in modifiers) or not base:
        return False
    if len(base) == 1 or base in {k.value for k in Keys} or base in _NAMED:
        return True
    try:
        unicodedata.lookup(base.replace("_", " ").upper())
    except KeyError:
        return False
    return True


def check_keymap(keymap: Mapping[str, str], binding_ids: Iterable[str]) -> None:
    """Refuse a `[keys]` table naming an unknown binding id or key, with one line (ConfigError)."""
    known = set(binding_ids)
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            raise ConfigError(texts.config.keymap_unknown_id(binding_id, sorted(known)))
        for key in (k.strip() for k in str(keys).split(",")):
            if not is_key_name(key):
                raise ConfigError(texts.config.keymap_bad_key(binding_id, key))
