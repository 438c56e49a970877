"""Adding to the counters of an area and of every area above it, in the caller's transaction."""

import datetime
import random
from collections import Counter

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from hocvuso.monitoring.metrics import Contribution
from hocvuso.monitoring.models import AreaCounter, WeeklyCounter
from hocvuso.places.models import PATH_SEPARATOR, Area
from hocvuso.write_batch import defer

# Few rows per statement keep SQLite's parameter limit and PostgreSQL's lock sets small.
_ROWS_PER_STATEMENT = 150


def counter_slots() -> int:
    """How many slots each counter is spread over (setting MONITORING_COUNTER_SLOTS)."""
    return max(1, int(getattr(settings, "MONITORING_COUNTER_SLOTS", 8)))


# Key space of the advisory locks that give each PostgreSQL transaction a counter slot of its own.
_LOCK_CLASS = 0x68767363


def _holding_slot() -> None:
    """Marks, in the transaction's on-commit list, that it already holds its slot."""


def _slot() -> int:
    """The slot this transaction writes to.

    PostgreSQL: a slot is taken with a transaction-level advisory lock, trying the connection's
    usual slot first, then the others; transactions holding different slots never touch the same
    counter rows, so concurrent writers neither wait for each other nor deadlock. The lock is
    taken once per transaction (its on-commit list remembers it). SQLite serialises writers.
    """
    slots = counter_slots()
    preferred = getattr(connection, "_hocvuso_counter_slot", None)
    if preferred is None or preferred >= slots:
        preferred = random.randrange(slots)
    if connection.vendor != "postgresql":
        connection._hocvuso_counter_slot = preferred
        return preferred
    if any(item[1] is _holding_slot for item in connection.run_on_commit):
        return preferred
    with connection.cursor() as cursor:
        for step in range(slots):
            slot = (preferred + step) % slots
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, slot])
            if cursor.fetchone()[0]:
                break
        else:
            slot = preferred
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, slot])
    connection._hocvuso_counter_slot = slot
    transaction.on_commit(_holding_slot)
    return slot


def path_codes(path: str) -> list[str]:
    """Codes from the country down to the area itself; index = level."""
    return [code for code in path.split(PATH_SEPARATOR) if code]


class Deltas:
    """Changes to counters, gathered per area code, then written in one statement per table.

    Areas are named by code: the statement finds their ids by the unique code index itself, so
    a write costs no lookup of the areas above it.
    """

    def __init__(self) -> None:
        self.totals: Counter = Counter()
        self.weekly: Counter = Counter()

    def add(self, area_id: int, path: str, contribution: Contribution, sign: int = 1) -> None:
        """Add `contribution` (or take it away, sign=-1) at the area and every area above it."""
        self.add_chain(path_codes(path), contribution, sign)

    def add_chain(self, codes: list[str], contribution: Contribution, sign: int = 1) -> None:
        """Add `contribution` at each of `codes` (country first; index = level)."""
        for (metric, week), count in contribution.items():
            if not count:
                continue
            for level, code in enumerate(codes):
                if week is None:
                    self.totals[(code, metric)] += sign * count
                elif level <= Area.Level.COMMUNE:
                    self.weekly[(code, metric, week)] += sign * count

    def flush(self) -> None:
        """Write the gathered changes (at the end of the caller's write batch, if one is open)."""
        if not self.totals and not self.weekly:
            return
        gathered = (self.totals, self.weekly)
        # Stage 1: after the batch's tallies (stage 0), which add their own changes.
        if defer(_BATCH_KEY, gathered, _write_gathered, stage=1):
            self.totals, self.weekly = Counter(), Counter()
            return
        # One transaction for both tables, without a savepoint when the caller already has one.
        with transaction.atomic(savepoint=False):
            self._write()

    def merge(self, totals: Counter, weekly: Counter) -> None:
        """Add changes gathered by another Deltas."""
        self.totals.update(totals)
        self.weekly.update(weekly)

    def _write(self) -> None:
        slot = _slot()
        totals = sorted(
            (code, metric, slot, value) for (code, metric), value in self.totals.items() if value
        )
        weekly = sorted(
            (code, metric, week, slot, value)
            for (code, metric, week), value in self.weekly.items()
            if value
        )
        few = len(totals) <= _ROWS_PER_STATEMENT and len(weekly) <= _ROWS_PER_STATEMENT
        if connection.vendor == "postgresql" and totals and weekly and few:
            # The usual event touches a few rows of each table: one round trip for both.
            _upsert_both(totals, weekly)
        else:
            _upsert_by_code(AreaCounter, ("metric", "slot"), totals)
            _upsert_by_code(WeeklyCounter, ("metric", "week", "slot"), weekly)
        self.totals.clear()
        self.weekly.clear()


_BATCH_KEY = "monitoring.counters"


def _write_gathered(gathered: list[tuple[Counter, Counter]]) -> None:
    """The changes of a whole write batch, written in one statement per table."""
    deltas = Deltas()
    for totals, weekly in gathered:
        deltas.merge(totals, weekly)
    deltas._write()


def _upsert_parts(model, keys: tuple[str, ...], rows: list[tuple], alias: str):
    """(CTE, INSERT, params) adding rows (area code, *keys, value) to a counter table."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    area = quote(Area._meta.db_table)
    names = ", ".join(quote(k) for k in keys)
    one = "(" + ", ".join(["%s"] * (len(keys) + 2)) + ")"
    selected = ", ".join(f"{alias}.{quote(k)}" for k in keys)
    order = ", ".join(str(i) for i in range(1, len(keys) + 2))
    value = quote("value")
    cte = f"{alias}(code, {names}, delta) AS (VALUES {', '.join([one] * len(rows))})"
    # "WHERE true" lets SQLite tell the upsert clause from a join constraint.
    insert = (
        f"INSERT INTO {table} (area_id, {names}, {value}) "
        f"SELECT a.id, {selected}, {alias}.delta FROM {alias} "
        f"JOIN {area} a ON a.code = {alias}.code WHERE true ORDER BY {order} "
        f"ON CONFLICT (area_id, {names}) DO UPDATE SET {value} = {table}.{value} + excluded.{value}"
    )
    return cte, insert, [v for row in rows for v in row]


def _upsert_by_code(model, keys: tuple[str, ...], rows: list[tuple]) -> None:
    """Rows (area code, *keys, value) added to the counters, in one statement per batch."""
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            cte, insert, params = _upsert_parts(
                model, keys, rows[start : start + _ROWS_PER_STATEMENT], "v"
            )
            cursor.execute(f"WITH {cte} {insert}", params)


def _upsert_both(totals: list[tuple], weekly: list[tuple]) -> None:
    """PostgreSQL: totals and weekly series in one statement (a data-modifying WITH)."""
    cte_t, insert_t, params_t = _upsert_parts(AreaCounter, ("metric", "slot"), totals, "t")
    cte_w, insert_w, params_w = _upsert_parts(
        WeeklyCounter, ("metric", "week", "slot"), weekly, "w"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {cte_t}, {cte_w}, totals_written AS ({insert_t}) {insert_w}",
            [*params_t, *params_w],
        )


def upsert(model, keys: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT DO UPDATE SET value = value + excluded.value (SQLite and PostgreSQL)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(c) for c in (*keys, "value"))
    one = "(" + ", ".join(["%s"] * (len(keys) + 1)) + ")"
    conflict = ", ".join(quote(k) for k in keys)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            batch = rows[start : start + _ROWS_PER_STATEMENT]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(batch))} "
                f"ON CONFLICT ({conflict}) DO UPDATE SET "
                f"{quote('value')} = {table}.{quote('value')} + excluded.{quote('value')}",
                [value for row in batch for value in row],
            )


def local_day(value: datetime.date | datetime.datetime | None) -> datetime.date | None:
    """The local date of a date or of an aware datetime."""
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value
