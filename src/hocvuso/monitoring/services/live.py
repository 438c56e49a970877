"""What each recorded event adds to the counters, applied in the event's own transaction.

The receivers (`hocvuso.monitoring.receivers`) call these functions; each reads the few rows it
needs (the resident, its village's path, a tally row under lock) and writes one statement per
counter table.
"""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Min
from django.utils import timezone

from hocvuso.accounts.models import User
from hocvuso.field.models import Attendance, Visit
from hocvuso.monitoring import metrics as m
from hocvuso.monitoring.metrics import Contribution, Person
from hocvuso.monitoring.models import AreaCounter, Tally
from hocvuso.monitoring.services.counters import Deltas, local_day, path_codes, upsert
from hocvuso.people.models import Household, MilestoneEvent, Resident
from hocvuso.places.models import Area
from hocvuso.write_batch import defer, deferred

# ---- Tallies: objects counted once however many records they have ------------------------


def _tally_add(kind: str, object_id: int, day: datetime.date, n: int = 1) -> tuple[tuple, tuple]:
    """`n` more records of the object, the earliest dated `day`: (count, first day) before, after.

    One statement when the object already has a tally row (the usual case): the row is locked and
    its old values read by the sub-select, then updated.
    """
    table = connection.ops.quote_name(Tally._meta.db_table)
    with connection.cursor() as cursor:
        for _attempt in range(2):
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"UPDATE {table} SET count = old.count + %s, "
                    f"first_on = LEAST(COALESCE(old.first_on, %s), %s) "
                    f"FROM (SELECT id, count, first_on FROM {table} "
                    f"WHERE kind = %s AND object_id = %s FOR UPDATE) old "
                    f"WHERE {table}.id = old.id RETURNING old.count, old.first_on",
                    [n, day, day, kind, object_id],
                )
                row = cursor.fetchone()
            else:
                # SQLite runs one writer at a time: read, then write.
                cursor.execute(
                    f"SELECT count, first_on FROM {table} WHERE kind = %s AND object_id = %s",
                    [kind, object_id],
                )
                row = cursor.fetchone()
                if row is not None:
                    cursor.execute(
                        f"UPDATE {table} SET count = %s, first_on = %s "
                        "WHERE kind = %s AND object_id = %s",
                        [row[0] + n, min(_as_date(row[1]) or day, day), kind, object_id],
                    )
            if row is not None:
                return _before_after(row, n, day)
            cursor.execute(
                f"INSERT INTO {table} (kind, object_id, count, first_on) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (kind, object_id) DO NOTHING RETURNING id",
                [kind, object_id, n, day],
            )
            if cursor.fetchone() is not None:
                return (0, None), (n, day)
            # A concurrent transaction made the row first and has committed: update it.
    raise RuntimeError("tally row neither updated nor inserted")


def _before_after(old: tuple, n: int, day: datetime.date) -> tuple[tuple, tuple]:
    count, first_on = old[0], _as_date(old[1])
    after = first_on if first_on is not None and first_on <= day else day
    return (count, first_on), (count + n, after)


def _tally_add_many(wanted: dict[tuple[str, int], tuple[int, datetime.date]]) -> dict:
    """_tally_add of many objects: (kind, id) → (n, earliest day) in, → (before, after) out.

    PostgreSQL: one statement updates the rows that exist (locked in id order, so that two
    batches never wait on each other in a circle) and one inserts the others.
    """
    found: dict = {}
    if connection.vendor == "postgresql" and len(wanted) > 1:
        table = connection.ops.quote_name(Tally._meta.db_table)
        keys = sorted(wanted)
        rows = ", ".join(["(%s, %s::bigint, %s::int, %s::date)"] * len(keys))
        params = [v for key in keys for v in (*key, *wanted[key])]
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH v(kind, object_id, n, day) AS (VALUES {rows}), "
                f"old AS (SELECT t.id, t.kind, t.object_id, t.count, t.first_on FROM {table} t "
                "JOIN v ON t.kind = v.kind AND t.object_id = v.object_id "
                "ORDER BY t.id FOR UPDATE OF t) "
                f"UPDATE {table} SET count = old.count + v.n, "
                "first_on = LEAST(COALESCE(old.first_on, v.day), v.day) "
                "FROM old JOIN v ON v.kind = old.kind AND v.object_id = old.object_id "
                f"WHERE {table}.id = old.id RETURNING old.kind, old.object_id, old.count, "
                "old.first_on",
                params,
            )
            for kind, object_id, count, first_on in cursor.fetchall():
                n, day = wanted[(kind, object_id)]
                found[(kind, object_id)] = _before_after((count, first_on), n, day)
            missing = [key for key in keys if key not in found]
            if missing:
                rows = ", ".join(["(%s, %s, %s, %s)"] * len(missing))
                cursor.execute(
                    f"INSERT INTO {table} (kind, object_id, count, first_on) VALUES {rows} "
                    "ON CONFLICT (kind, object_id) DO NOTHING RETURNING kind, object_id",
                    [v for key in missing for v in (*key, *wanted[key])],
                )
                for kind, object_id in cursor.fetchall():
                    n, day = wanted[(kind, object_id)]
                    found[(kind, object_id)] = ((0, None), (n, day))
    # SQLite, a single object, or a row another transaction inserted meanwhile: one by one.
    for key, (n, day) in wanted.items():
        if key not in found:
            found[key] = _tally_add(*key, day, n)
    return found


@dataclass(eq=False)
class _Record:
    """A record of an object counted "at least once": its tally, and `metric` at `place`."""

    kind: str
    object_id: int
    day: datetime.date
    metric: str
    place: tuple[int, str] | None


@dataclass(eq=False)
class _Settled:
    """Deferred records already applied, inside the batch, by a read that needed them."""

    records: frozenset[int]


_TALLY_KEY = "monitoring.tallies"


def _count_record(
    kind: str,
    object_id: int,
    day: datetime.date,
    metric: str,
    place: tuple[int, str] | None,
    deltas: Deltas,
) -> None:
    """One more record of the object, its change added to `deltas`; in a write batch, at its end."""
    record = _Record(kind, object_id, day, metric, place)
    # Stage 0: the counter changes the tallies give join the batch's one counter write after.
    if not defer(_TALLY_KEY, record, _apply_deferred, stage=0):
        _apply_records([record], deltas)


def _apply_records(records: list[_Record], into: Deltas | None = None) -> None:
    wanted: dict[tuple[str, int], tuple[int, datetime.date]] = {}
    about: dict[tuple[str, int], _Record] = {}
    for record in records:
        key = (record.kind, record.object_id)
        n, day = wanted.get(key, (0, record.day))
        wanted[key] = (n + 1, min(day, record.day))
        about[key] = record
    deltas = Deltas() if into is None else into
    for key, (before, after) in _tally_add_many(wanted).items():
        record = about[key]
        if record.place is not None:
            deltas.add(*record.place, _first_change(record.metric, before, after))
    if into is None:
        deltas.flush()


def _unapplied(values: list) -> list[_Record]:
    settled = {
        record for value in values if isinstance(value, _Settled) for record in value.records
    }
    return [v for v in values if isinstance(v, _Record) and id(v) not in settled]


def _apply_deferred(values: list) -> None:
    _apply_records(_unapplied(values))


def _settle_tallies() -> None:
    """Apply the records deferred so far in the open batch: a tally about to be read must hold them.

    Marked settled rather than taken away: if the savepoint around this read rolls back, the
    marker goes with the writes it stood for, and the batch's end applies the records again.
    """
    todo = _unapplied(deferred(_TALLY_KEY))
    if todo:
        _apply_records(todo)
        defer(_TALLY_KEY, _Settled(frozenset(id(r) for r in todo)), _apply_deferred, stage=0)


def _as_date(value) -> datetime.date | None:
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


def _tally_remove(
    kind: str, object_id: int, day: datetime.date, earliest: Callable[[], datetime.date | None]
) -> tuple[tuple, tuple]:
    """One record fewer: (count, first day) before and after; `earliest` reads what remains."""
    _settle_tallies()
    row = Tally.objects.select_for_update().filter(kind=kind, object_id=object_id).first()
    if row is None:
        return (0, None), (0, None)
    before = (row.count, row.first_on)
    row.count -= 1
    if row.count <= 0:
        row.delete()
        return before, (0, None)
    if day == row.first_on:
        # Records deleted together are all gone already: then nothing remains to read, and the
        # last of them takes the object away at the day it was counted on.
        found = earliest()
        if found is not None:
            row.first_on = found
    row.save(update_fields=["count", "first_on"])
    return before, (row.count, row.first_on)


def _first_change(metric: str, before: tuple, after: tuple) -> Contribution:
    """The "at least one record" metric, from a tally's (count, first day) before and after."""
    change: Contribution = Counter()
    if before[0] > 0:
        change[(metric, None)] -= 1
        change[(metric, m.week_of(before[1]))] -= 1
    if after[0] > 0:
        change[(metric, None)] += 1
        change[(metric, m.week_of(after[1]))] += 1
    return Counter({key: value for key, value in change.items() if value})


def _drop_tally(kind: str, object_id: int) -> None:
    _settle_tallies()
    Tally.objects.filter(kind=kind, object_id=object_id).delete()


def _tally_of(kind: str, object_id: int) -> datetime.date | None:
    _settle_tallies()
    row = Tally.objects.filter(kind=kind, object_id=object_id, count__gt=0).first()
    return row.first_on if row else None


# ---- Residents and milestones ------------------------------------------------------------------


def person_of(resident: Resident) -> Person:
    """The counted facts of a resident instance (its village's path read if not loaded)."""
    village = resident.village
    return Person(resident.village_id, village.path, resident.year_of_birth, resident.target_group)


def stored_person(resident_id: int) -> Person | None:
    """The counted facts of a resident as stored now."""
    row = (
        Resident.objects.filter(pk=resident_id)
        .values_list("village_id", "village__path", "year_of_birth", "target_group")
        .first()
    )
    return Person(*row) if row else None


def _stored_contribution(resident_id: int, person: Person) -> Contribution:
    milestones = dict(
        MilestoneEvent.objects.filter(resident_id=resident_id).values_list(
            "milestone", "achieved_on"
        )
    )
    return m.person_contribution(person, milestones, _tally_of(m.TALLY_RESIDENT, resident_id))


def resident_created(resident: Resident) -> None:
    """A new resident (with no milestone yet)."""
    person = person_of(resident)
    deltas = Deltas()
    deltas.add(person.village_id, person.path, m.person_base(person))
    deltas.flush()


def resident_changed(resident: Resident, before: Person) -> None:
    """A resident's village, age or target group changed: move everything it counts for."""
    after = person_of(resident)
    same = (before.village_id, before.adult, before.target_group) == (
        after.village_id,
        after.adult,
        after.target_group,
    )
    if same:
        return
    deltas = Deltas()
    deltas.add(before.village_id, before.path, _stored_contribution(resident.pk, before), -1)
    deltas.add(after.village_id, after.path, _stored_contribution(resident.pk, after))
    deltas.flush()


def resident_leaving(resident_id: int) -> tuple[Person, Contribution] | None:
    """Before a resident is deleted: everything it counts for, milestones included."""
    person = stored_person(resident_id)
    if person is None:
        return None
    return person, _stored_contribution(resident_id, person)


def resident_deleted(resident_id: int, gone: tuple[Person, Contribution]) -> None:
    """After a resident was deleted: take away what `resident_leaving` found."""
    person, contribution = gone
    deltas = Deltas()
    deltas.add(person.village_id, person.path, contribution, -1)
    deltas.flush()
    _drop_tally(m.TALLY_RESIDENT, resident_id)


def milestone_added(person: Person, resident_id: int, milestone: str, day: datetime.date) -> None:
    """A resident reached a milestone."""
    deltas = Deltas()
    deltas.add(person.village_id, person.path, m.milestone_contribution(person, milestone, day))
    place = (person.village_id, person.path)
    _count_record(m.TALLY_RESIDENT, resident_id, day, m.GUIDED, place, deltas)
    deltas.flush()


def milestone_removed(person: Person, resident_id: int, milestone: str, day: datetime.date) -> None:
    """A resident's milestone was deleted."""
    contribution = m.milestone_contribution(person, milestone, day)
    before, after = _tally_remove(
        m.TALLY_RESIDENT,
        resident_id,
        day,
        lambda: MilestoneEvent.objects.filter(resident_id=resident_id).aggregate(
            first=Min("achieved_on")
        )["first"],
    )
    deltas = Deltas()
    deltas.add(person.village_id, person.path, contribution, -1)
    deltas.add(person.village_id, person.path, _first_change(m.GUIDED, before, after))
    deltas.flush()


def residents_imported(resident_ids: list[int], household_ids: list[int]) -> None:
    """Residents and households written in bulk by an import: counted by group, set-based."""
    deltas = Deltas()
    if resident_ids:
        groups = (
            Resident.objects.filter(pk__in=resident_ids)
            .values_list("village_id", "village__path", "year_of_birth", "target_group")
            .annotate(n=Count("id"))
        )
        for village_id, path, year, group, n in groups:
            base = m.person_base(Person(village_id, path, year, group))
            deltas.add(village_id, path, Counter({k: v * n for k, v in base.items()}))
    if household_ids:
        groups = (
            Household.objects.filter(pk__in=household_ids)
            .values_list("village_id", "village__path")
            .annotate(n=Count("id"))
        )
        for village_id, path, n in groups:
            deltas.add(village_id, path, Counter({(m.HOUSEHOLDS, None): n}))
    deltas.flush()


# ---- Households and visits ---------------------------------------------------------------------


def household_counted(village_id: int, path: str, household_id: int, sign: int) -> None:
    """A household created (sign 1) or deleted (-1) in a village."""
    contribution: Contribution = Counter({(m.HOUSEHOLDS, None): 1})
    first = _tally_of(m.TALLY_HOUSEHOLD, household_id)
    if first is not None:
        contribution.update(_first_change(m.HOUSEHOLDS_GUIDED, (0, None), (1, first)))
    deltas = Deltas()
    deltas.add(village_id, path, contribution, sign)
    deltas.flush()
    if sign < 0:
        _drop_tally(m.TALLY_HOUSEHOLD, household_id)


def _household_place(household_id: int) -> tuple[int, str] | None:
    return (
        Household.objects.filter(pk=household_id).values_list("village_id", "village__path").first()
    )


def visit_counted(
    area_id: int,
    path: str,
    day: datetime.date,
    household_id: int | None,
    sign: int,
    *,
    household_place: tuple[int, str] | None = None,
) -> None:
    """A visit recorded (sign 1) or deleted (-1): the visit, and the household's first visit.

    `household_place` is the household's (village id, path) when the caller has it loaded.
    """
    deltas = Deltas()
    deltas.add(area_id, path, m.counted(m.VISITS, day), sign)
    if household_id is not None:
        place = household_place or _household_place(household_id)
        if sign > 0:
            _count_record(m.TALLY_HOUSEHOLD, household_id, day, m.HOUSEHOLDS_GUIDED, place, deltas)
        else:
            before, after = _tally_remove(
                m.TALLY_HOUSEHOLD,
                household_id,
                day,
                lambda: Visit.objects.filter(household_id=household_id).aggregate(
                    first=Min("visited_on")
                )["first"],
            )
            if place is not None:
                deltas.add(*place, _first_change(m.HOUSEHOLDS_GUIDED, before, after))
    deltas.flush()


# ---- Classes, attendance, quizzes ----------------------------------------------------------


def attendance_counted(
    resident_place: tuple[int, str],
    class_place: tuple[int, str],
    class_id: int,
    day: datetime.date,
    sign: int,
) -> None:
    """An attendance marked (1) or removed (-1); the class counts as held from its first attendee."""
    deltas = Deltas()
    deltas.add(*resident_place, m.counted(m.ATTENDANCES, day), sign)
    if sign > 0:
        _count_record(m.TALLY_CLASS, class_id, day, m.CLASSES_HELD, class_place, deltas)
    else:
        before, after = _tally_remove(m.TALLY_CLASS, class_id, day, lambda: None)
        deltas.add(*class_place, _first_change(m.CLASSES_HELD, before, after))
    deltas.flush()


def class_moved(class_id: int, before: tuple, after: tuple) -> None:
    """A class changed its day or its site's area: move its attendances and its "held"."""
    (old_area, old_path, old_day), (new_area, new_path, new_day) = before, after
    deltas = Deltas()
    if m.week_of(old_day) != m.week_of(new_day):
        by_village = (
            Attendance.objects.filter(class_session_id=class_id)
            .values_list("resident__village_id", "resident__village__path")
            .annotate(n=Count("id"))
        )
        for village_id, path, n in by_village:
            deltas.add(village_id, path, Counter({(m.ATTENDANCES, m.week_of(old_day)): n}), -1)
            deltas.add(village_id, path, Counter({(m.ATTENDANCES, m.week_of(new_day)): n}))
    first = _tally_of(m.TALLY_CLASS, class_id)
    if first is not None:
        deltas.add(old_area, old_path, _first_change(m.CLASSES_HELD, (1, old_day), (0, None)))
        deltas.add(new_area, new_path, _first_change(m.CLASSES_HELD, (0, None), (1, new_day)))
        Tally.objects.filter(kind=m.TALLY_CLASS, object_id=class_id).update(first_on=new_day)
    deltas.flush()


def quiz_pass_counted(learner_id: int, day: datetime.date, sign: int) -> None:
    """A passed check, counted at the learner's home area (nothing when it has none)."""
    place = (
        User.objects.filter(pk=learner_id, home_area__isnull=False)
        .values_list("home_area_id", "home_area__path")
        .first()
    )
    if place is None:
        return
    deltas = Deltas()
    deltas.add(*place, m.counted(m.QUIZ_PASSES, day), sign)
    deltas.flush()


# ---- The village map rearranged ---------------------------------------------------------------


def village_merged(source: Area, target: Area) -> None:
    """Everything counted at the merged village now counts at the one that absorbed it.

    Both lie in one commune, so nothing above them changes.
    """
    rows = list(AreaCounter.objects.filter(area=source).values_list("metric", "slot", "value"))
    upsert(
        AreaCounter,
        ("area_id", "metric", "slot"),
        sorted((target.pk, metric, slot, value) for metric, slot, value in rows),
    )
    AreaCounter.objects.filter(area=source).delete()


def village_moved(village: Area, old_commune: Area, new_commune: Area) -> None:
    """The village's counts leave the old commune's chain and join the new one's."""
    from hocvuso.monitoring.services.rebuild import own_weekly

    totals = Counter()
    for metric, value in AreaCounter.objects.filter(area=village).values_list("metric", "value"):
        totals[(metric, None)] += value
    weekly = own_weekly(village)
    contribution = totals + weekly
    deltas = Deltas()
    deltas.add_chain(path_codes(old_commune.path), contribution, -1)
    deltas.add_chain(path_codes(new_commune.path), contribution)
    deltas.flush()


def local_date(value) -> datetime.date:
    """The local day of a date or datetime (today when missing)."""
    return local_day(value) or timezone.localdate()


def confirmation_counted(
    area: Area | None, target_group: str, day: datetime.date, sign: int
) -> None:
    """A basic-level confirmation issued (1) or revoked (-1) by the skills app."""
    if area is None:
        return
    deltas = Deltas()
    deltas.add(area.pk, area.path, m.counted(m.confirmed_metric(target_group), day), sign)
    deltas.flush()
