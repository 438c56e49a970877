"""A block of writes whose derived bookkeeping is gathered, then written once at the block's end.

An app low in the tree (field, people) opens `write_batch()` around many writes; an app above it
(monitoring) hands what each write adds to `defer()` instead of writing at once, and the batch
calls its finisher with everything gathered just before the block commits. Neither app imports
the other. What was deferred inside a savepoint that rolled back is dropped with it: each item
rides in the connection's on-commit list, which Django prunes on every savepoint rollback. An
app that must read what it deferred before the end looks at `deferred()`.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction


class _Batch:
    def __init__(self) -> None:
        # key → (stage, finisher); a finisher may defer more, for a later stage.
        self.finishers: dict[str, tuple[int, Callable[[list[Any]], None]]] = {}


class _Item:
    """One deferred value; run after commit it does nothing (its work was written before)."""

    __slots__ = ("batch", "key", "value")

    def __init__(self, batch: _Batch, key: str, value: Any) -> None:
        self.batch, self.key, self.value = batch, key, value

    def __call__(self) -> None:
        return None


_current: ContextVar[_Batch | None] = ContextVar("hocvuso_write_batch", default=None)


@contextmanager
def write_batch(*, savepoint: bool = True) -> Iterator[None]:
    """An atomic block whose deferred bookkeeping is written once, at its end.

    Nested in another batch it is a plain atomic block (`savepoint` as for `transaction.atomic`)
    and the outer batch writes what it gathered.
    """
    if _current.get() is not None:
        with transaction.atomic(savepoint=savepoint):
            yield
        return
    with transaction.atomic(savepoint=savepoint):
        batch = _Batch()
        token = _current.set(batch)
        try:
            yield
            _finish(batch)
        finally:
            _current.reset(token)


def _surviving(batch: _Batch) -> list[_Item]:
    """The batch's items still in the on-commit list: none of a rolled-back savepoint."""
    return [
        entry[1]
        for entry in connection.run_on_commit
        if isinstance(entry[1], _Item) and entry[1].batch is batch
    ]


def _finish(batch: _Batch) -> None:
    """Run the finishers, earliest stage first, until nothing deferred is left."""
    while True:
        items = _surviving(batch)
        if not items:
            return
        stage = min(batch.finishers[item.key][0] for item in items)
        keys = {key for key, (at, _run) in batch.finishers.items() if at == stage}
        taken = [item for item in items if item.key in keys]
        gone = {id(item) for item in taken}
        connection.run_on_commit = [
            entry for entry in connection.run_on_commit if id(entry[1]) not in gone
        ]
        gathered: dict[str, list[Any]] = defaultdict(list)
        for item in taken:
            gathered[item.key].append(item.value)
        for key, values in gathered.items():
            batch.finishers[key][1](values)


def defer(key: str, value: Any, finish: Callable[[list[Any]], None], *, stage: int = 0) -> bool:
    """Inside a batch: keep `value` for `finish(values)` at its end and answer True; else False.

    Finishers of a lower stage run first; what they defer in turn is finished after them.
    """
    batch = _current.get()
    if batch is None or not connection.in_atomic_block:
        return False
    batch.finishers.setdefault(key, (stage, finish))
    transaction.on_commit(_Item(batch, key, value))
    return True


def deferred(key: str) -> list[Any]:
    """The values deferred under `key` in the open batch so far, except those rolled back."""
    batch = _current.get()
    if batch is None:
        return []
    return [item.value for item in _surviving(batch) if item.key == key]
