"""aiosqlite's statements run on the event loop's own thread, for the state machines' in-memory mode.

aiosqlite runs every statement in a thread of its own connection and hands the result back through the
event loop (a queue, then a wake-up of the loop): with the mailbox in memory, that hop is most of a
sync's time — about two thirds of an in-memory history (measured: the agenda machine ran 266 examples a
minute with it, 889 without). `sqlite_in_loop` runs each statement where it is awaited, then yields to
the loop once, so a cancellation (a sync killed at a given statement) lands where it lands with the
thread: after the statement ran, before its caller sees the result. SQLite itself is the real one, on a
real file; the HTTPS machines keep aiosqlite's thread, so both ways are still exercised.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import aiosqlite
from aiosqlite import core


async def _execute_here(self: core.Connection, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`Connection._execute` without the thread: run, then give the loop one turn."""
    if not self._running or not self._connection:
        raise ValueError("Connection closed")
    result = fn(*args, **kwargs)
    await asyncio.sleep(0)
    return result


@contextmanager
def sqlite_in_loop() -> Iterator[None]:
    """Within: connections opened through `aiosqlite.connect` run their statements on the loop's thread
    (the connection is still made by aiosqlite's thread, so it may be used from another one)."""
    connect, execute = aiosqlite.connect, core.Connection._execute

    def connect_anywhere(*args: Any, **kwargs: Any) -> core.Connection:
        return connect(*args, check_same_thread=False, **kwargs)

    aiosqlite.connect = connect_anywhere  # type: ignore[assignment]
    core.Connection._execute = _execute_here  # type: ignore[method-assign]
    try:
        yield
    finally:
        aiosqlite.connect, core.Connection._execute = connect, execute  # type: ignore[method-assign]
