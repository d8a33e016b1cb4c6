"""The errors a user can see. Each carries the one line to print and the exit code; everything that
reaches the CLI or the TUI as a failure is one of these (or a domain InvalidValue), never a traceback."""

from __future__ import annotations


class UserError(Exception):
    """A failure explained in one line (`str(error)`), exit code 1 unless said otherwise."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(UserError):
    """The user gave something we cannot take (argument, file, config): exit 2, nothing changed."""

    exit_code = 2
