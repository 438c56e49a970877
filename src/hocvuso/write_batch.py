"""A block of writes whose derived bookkeeping is gathered, then written once at the block's end.

An app low in the tree (field, people) opens `write_batch()` around many writes; an app above it
(monitoring) hands what each write adds to `defer()` instead of writing at once, and the batch
calls its finisher with everything gathered just before the block commits. Neither app imports
the other. What was deferred inside a savepoint that rolled back is dropped with it: each item
rides in the connection's on-commit list, which Django prunes on every savepoint rollback.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction


class _Batch:
    def __init__(self) -> None:
        self.finishers: dict[str, Callable[[list[Any]], None]] = {}


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
        finally:
            _current.reset(token)
        _finish(batch)


def _finish(batch: _Batch) -> None:
    gathered: dict[str, list[Any]] = defaultdict(list)
    kept = []
    for entry in connection.run_on_commit:
        item = entry[1]
        if isinstance(item, _Item) and item.batch is batch:
            gathered[item.key].append(item.value)
        else:
            kept.append(entry)
    connection.run_on_commit = kept
    for key, finish in batch.finishers.items():
        if gathered[key]:
            finish(gathered[key])


def defer(key: str, value: Any, finish: Callable[[list[Any]], None]) -> bool:
    """Inside a batch: keep `value` for `finish(values)` at its end and answer True; else False."""
    batch = _current.get()
    if batch is None or not connection.in_atomic_block:
        return False
    batch.finishers.setdefault(key, finish)
    transaction.on_commit(_Item(batch, key, value))
    return True
