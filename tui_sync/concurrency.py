"""Running awaitables at once so that a failure surfaces as itself, shared by the Graph client and
the sync engine (neither owns it: the engine must not need a provider's module to run its own work)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable


async def together(*work: Awaitable[object]) -> None:
    """Run these at once until all are done; the first to fail cancels the others and is raised as
    itself (not in an exception group), so callers catch our errors as usual."""
    try:
        async with asyncio.TaskGroup() as group:
            for each in work:
                group.create_task(_awaited(each))
    except BaseExceptionGroup as failed:
        raise first_error(failed) from None


async def _awaited(work: Awaitable[object]) -> None:
    await work


def first_error(group: BaseExceptionGroup) -> BaseException:
    """The first real failure inside a (possibly nested) exception group, to raise it as itself."""
    error: BaseException = group
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error
