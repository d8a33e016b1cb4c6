"""Where tui-sync's own log records go: the configured log file, for the duration of a command, the
terminal application or the demo (whose settings point into its own folder, so it writes nowhere else)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from tui_sync.config import Settings


@contextmanager
def log_to_file(settings: Settings) -> Iterator[None]:
    """Send tui_sync's log records to `settings.log_path` while the block runs."""
    logger = logging.getLogger("tui_sync")
    try:
        settings.log_path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(settings.log_path, encoding="utf-8", delay=True)
    except OSError:
        handler = logging.NullHandler()  # logging is a help, not a reason to refuse to work
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()
