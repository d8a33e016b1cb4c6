"""Connect: the device-code sign-in dialog. It shows the address to open and the code to type (large,
letter by letter, in a box: people copy it onto a phone), counts down to the code's expiry, copies the
code with OSC 52 on `c`, and `escape` cancels.

The sign-in runs in the dialog's own worker, so whatever closes the dialog (escape, the App quitting)
cancels the sign-in with it; nothing is stored until Microsoft says who signed in. The browser is never
opened from here: over SSH that would start a text browser inside this very terminal.

Dismissed with the `SignedIn` on success, the error's one line on a sign-in failure, None on cancel.
Given a `DeviceCode` and `sign_in=False`, it only shows that code (snapshots, previews).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui_sync import texts
from tui_sync.errors import UserError
from tui_sync.microsoft.auth import DeviceCode, SignedIn
from tui_sync.ui.advice import explain

if TYPE_CHECKING:
    from tui_sync.ui.app import TuiSyncApp

SIGN_IN_GROUP = "sign-in"
Outcome = SignedIn | str | None


def spaced(code: str) -> str:
    """The code letter by letter, so 0/O and 1/I/l are easier to tell apart and to type."""
    return " ".join(code)


class DeviceCodeDialog(ModalScreen[Outcome]):
    """Signs `user_code` (a CRM user) in; `device_code` shows a code already known."""

    BINDINGS = [
        Binding("c", "copy", texts.tui.UI_DEVICE_COPY, id="device-code.copy"),
        Binding("escape", "cancel", texts.tui.UI_DEVICE_CANCEL, id="device-code.cancel"),
    ]
    DEFAULT_CSS = """
    DeviceCodeDialog { align: center middle; }
    DeviceCodeDialog > Vertical { width: 70; height: auto; border: thick $primary; padding: 0 1;
                                  background: $surface; }
    DeviceCodeDialog .title { text-style: bold; margin-bottom: 1; }
    DeviceCodeDialog #url { text-style: bold; padding-left: 2; }
    DeviceCodeDialog #code { width: auto; min-width: 24; border: round $accent; padding: 0 2;
                             text-style: bold; margin-left: 2; }
    DeviceCodeDialog #countdown { margin-top: 1; }
    DeviceCodeDialog .hint { color: $text-muted; }
    DeviceCodeDialog Horizontal { height: auto; align-horizontal: right; margin-top: 1; }
    DeviceCodeDialog Button { margin-left: 1; }
    """

    def __init__(
        self, user_code: str, device_code: DeviceCode | None = None, *, sign_in: bool = True
    ) -> None:
        super().__init__()
        self.user_code = user_code
        self.device_code = device_code
        self.sign_in = sign_in
        self._over = False  # dismissed (or being dismissed): the worker's late outcome is dropped

    @property
    def tui(self) -> TuiSyncApp:
        return cast("TuiSyncApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(texts.tui.device_title(self.user_code), classes="title", markup=False)
            yield Static(texts.tui.DEVICE_ASKING, id="open", markup=False)
            yield Static(id="url", markup=False)
            yield Static(texts.tui.DEVICE_ENTER, id="enter", markup=False)
            yield Static(id="code", markup=False)
            yield Static(id="countdown", markup=False)
            waiting = texts.microsoft.waiting_for_sign_in(ctrl_c=False)
            if self.tui.demo_auto_approve is not None:  # `tui-sync demo`: nobody needs a phone
                waiting += "\n" + texts.tui.demo_auto_approve(self.tui.demo_auto_approve)
            yield Static(waiting, id="waiting", markup=False)
            yield Static(texts.tui.DEVICE_KEYS, classes="hint", markup=False)
            with Horizontal():
                yield Button(f"{texts.tui.UI_DEVICE_COPY} (c)", id="copy", compact=True)
                yield Button(f"{texts.tui.UI_DEVICE_CANCEL} (escape)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self._show()
        self.set_interval(1, self._tick)
        if self.sign_in:
            self._run_sign_in()

    def _show(self) -> None:
        """The code's part of the dialog: hidden until Microsoft handed out a code."""
        code = self.device_code
        for widget_id in ("url", "enter", "code", "countdown", "waiting"):
            self.query_one(f"#{widget_id}", Static).display = code is not None
        self.query_one("#copy", Button).disabled = code is None
        if code is None:
            return
        self.query_one("#open", Static).update(texts.tui.DEVICE_OPEN)
        self.query_one("#url", Static).update(code.verification_uri)
        self.query_one("#code", Static).update(spaced(code.user_code))
        self._tick()

    def _tick(self) -> None:
        if self.device_code is None:
            return
        left = self.device_code.seconds_left(self.tui.wall_clock())
        text = texts.tui.device_expires_in(left) if left > 0 else texts.tui.DEVICE_EXPIRED
        self.query_one("#countdown", Static).update(text)

    def _shown(self, code: DeviceCode) -> None:
        """The sign-in's `on_code`: Microsoft handed out the code, show it."""
        self.device_code = code
        self._show()

    @work(exclusive=True, group=SIGN_IN_GROUP, exit_on_error=False, description="device-code sign-in")
    async def _run_sign_in(self) -> None:
        try:
            signed = await self.tui.services.accounts.connect(self.user_code, self._shown)
        except asyncio.CancelledError:
            raise
        except UserError as error:  # declined, expired, unknown client ID, unreachable, cancelled
            self._finish(explain(error))
        except Exception as error:  # never a traceback: one line, and the dialog goes
            self._finish(f"{texts.tui.UNEXPECTED_FAILURE}: {error}")
        else:
            self._finish(signed)

    def _finish(self, outcome: Outcome) -> None:
        if self._over:
            return
        self._over = True
        self.dismiss(outcome)

    def action_copy(self) -> None:
        """OSC 52: the terminal puts the code in the clipboard (best effort: it cannot tell us)."""
        if self.device_code is None:
            return
        self.app.copy_to_clipboard(self.device_code.user_code)
        self.notify(texts.tui.DEVICE_COPIED, markup=False)

    async def action_cancel(self) -> None:
        """Stop the sign-in at once (the poll waiting on Microsoft, then the worker) and close."""
        if self._over:
            return
        self._over = True
        if self.sign_in:
            await self.tui.services.accounts.cancel_connect()
            self.workers.cancel_group(self, SIGN_IN_GROUP)
        self.dismiss(None)

    @on(Button.Pressed, "#copy")
    def _copy_pressed(self) -> None:
        self.action_copy()

    @on(Button.Pressed, "#cancel")
    async def _cancel_pressed(self) -> None:
        await self.action_cancel()
