"""The one way a sync applies its writes to the remote: each write carries its own completion.

After vdirsyncer's `Action` classes, where each action updates the sync status itself once its write
is done: a `Change` is one write and what its answer means (the link to save or forget, the CRM copy to
stamp, the error to report, the writes it leads to). Nothing has to find out afterwards which item a
result belongs to.

`Applier.apply` sends a round of changes through the provider's batch writer. As each `$batch` is
answered, while the others are still in flight, it awaits the completion of each of its writes and
records what they asked for in ONE store transaction: a sync killed at any moment loses at most the
batches in flight, never a write the remote confirmed and the store forgot. The follow-up writes the
answers asked for (a photo after a contact's creation, the deletion of a contact it replaced) go out as
the next round, once the whole round is answered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from tui_sync.domain.remote import Write
from tui_sync.store.links import Link

if TYPE_CHECKING:
    from tui_sync.store import Store


@dataclass
class Batch:
    """What the answers of one `$batch` leave to record, written together in its transaction (the
    links saved, then those forgotten), and the follow-up changes they lead to."""

    links: list[Link] = field(default_factory=list)
    forgotten: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # kind → CRM keys
    follow_ups: list[Change[Any]] = field(default_factory=list)

    def save(self, link: Link) -> None:
        self.links.append(link)

    def forget(self, kind: str, crm_key: str) -> None:
        self.forgotten[kind].append(crm_key)

    def then(self, change: Change[Any]) -> None:
        """Send `change` in the next round, once every write of this round is answered."""
        self.follow_ups.append(change)


R = TypeVar("R")  # a write's answer, as the provider reads it (`EventResult`, `ContactResult`)

Done = Callable[[R, Batch], Awaitable[None]]
"""A write's completion: awaited with its answer inside its batch's store transaction."""

Recorded = Callable[[list[tuple[int, R]]], Awaitable[None]]
"""Awaited with one batch's answers, each beside the position of its write in the writes sent."""

Send = Callable[[Sequence[Write], Recorded[R]], Awaitable[object]]
"""The provider's batch writer: sends the writes, awaits `Recorded` with each batch's answers."""


@dataclass(frozen=True, eq=False)
class Change(Generic[R]):
    """One write and its completion."""

    write: Write
    done: Done[R]


class Applier(Generic[R]):
    """Applies one engine's changes for one user: `send` is the provider's batch writer, `on_batch` is
    told how many writes each recorded batch held (the engine's progress)."""

    def __init__(self, store: Store, user: str, send: Send[R], on_batch: Callable[[int], None]) -> None:
        self.store = store
        self.user = user
        self.send = send
        self.on_batch = on_batch

    async def apply(self, changes: Sequence[Change[R]]) -> None:
        """Send `changes`, then, round after round, the follow-ups their answers asked for."""
        while changes:
            changes = await self._round(changes)

    async def _round(self, changes: Sequence[Change[R]]) -> list[Change[R]]:
        follow_ups: list[Change[R]] = []

        async def settled(answers: list[tuple[int, R]]) -> None:
            batch = Batch()
            async with self.store.transaction():  # the batch's effects, all or none
                for index, result in answers:
                    await changes[index].done(result, batch)
                await self.store.save_links(batch.links)
                for kind, keys in batch.forgotten.items():
                    await self.store.delete_links(self.user, kind, keys)
            follow_ups.extend(batch.follow_ups)
            self.on_batch(len(answers))

        await self.send([change.write for change in changes], settled)
        return follow_ups
