"""Where tui-sync's own log records go: the configured log file, for the duration of a command, the
terminal application or the demo (whose settings point into its own folder, so it writes nowhere else).

The file is created owner-only. With `log_level = "debug"` the sign-in (MSAL) and HTTP libraries'
records go there too, for finding a fault; whatever the level, `redact` keeps tokens, codes and
secrets out of it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tui_sync import texts
from tui_sync.config import Settings
from tui_sync.private import private_file
from tui_sync.redaction import redact

# The libraries whose own records a debug log adds: sign-in, the token cache, HTTP (MSAL's and Graph's).
LIBRARY_LOGGERS = ("msal", "msal_extensions", "urllib3", "aiohttp")


class RedactingFilter(logging.Filter):
    """Rewrites each record's final text with the secrets blanked (the message and a traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class _LogFile(logging.FileHandler):
    """The log file, which stops at its first failed write (the disk filled up, the file system went
    read-only) instead of printing logging's own "--- Logging error ---" traceback on the user's
    terminal, or over the terminal application, at every record that follows."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, encoding="utf-8")
        self.failed = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.failed:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        self.failed = True  # the log is a help: the work goes on without it

    def close(self) -> None:
        try:
            super().close()
        except OSError:  # the last buffered records could not be written: lost, not worth a traceback
            self.failed = True


@contextmanager
def log_to_file(settings: Settings, warn: Callable[[str], None] | None = None) -> Iterator[bool]:
    """Send tui_sync's log records (and at debug level the libraries') to `settings.log_path` while
    the block runs; the block gets whether the file is written. A log file that cannot be written does
    not stop the work: `warn` is told so, in one line, and nothing may then point at that file."""
    try:
        private_file(settings.log_path)  # owner-only: it says who synced what, and what went wrong
        # Opened now, not at the first record: a log_file that cannot be written (a folder, no rights)
        # is found here, instead of failing inside whatever was being logged.
        handler: logging.Handler = _LogFile(settings.log_path)
        written = True
    except OSError as error:
        handler = logging.NullHandler()  # logging is a help, not a reason to refuse to work
        written = False
        if warn is not None:
            warn(texts.config.log_not_written(settings.log_path, error.strerror or str(error)))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    debug = settings.log_level == "debug"
    names = ("tui_sync", *LIBRARY_LOGGERS) if debug else ("tui_sync",)
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG if debug else logging.INFO)
    try:
        yield written
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
        handler.close()
