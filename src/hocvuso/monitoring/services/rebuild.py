"""Recomputing every counter from the records, set-based: GROUP BY in the database, tree in memory.

Each metric family is one grouped query per table (by the record's own area for running totals,
by its commune for weekly series); the sums then climb the tree in memory, one pass per level,
and are written back in bulk (COPY on PostgreSQL). Writers wait for the rebuild (an exclusive lock
on the counter tables on PostgreSQL; SQLite serialises writes anyway), so nothing is counted twice.
"""

import datetime
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from hocvuso.accounts.models import User
from hocvuso.field.models import Attendance, Class, LearningSite, Visit
from hocvuso.learning.models import QuizAttempt
from hocvuso.monitoring import metrics as m
from hocvuso.monitoring.models import AreaCounter, CounterRebuild, Tally, WeeklyCounter
from hocvuso.monitoring.services.counters import Deltas, path_codes
from hocvuso.people.models import Household, MilestoneEvent, Resident
from hocvuso.places.models import Area


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _local_date_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE '{timezone.get_current_timezone_name()}')::date"
    # SQLite keeps aware datetimes as UTC text; Việt Nam has one fixed offset all year.
    offset = int(timezone.localtime().utcoffset().total_seconds() // 60)
    return f"date({column}, '{offset:+d} minutes')"


def _week_sql(expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"(date_trunc('week', {expression}))::date"
    return f"date({expression}, '-6 days', 'weekday 1')"


def _as_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


_BUCKET = "CASE WHEN a.level = 3 THEN a.parent_id ELSE a.id END"


def _adult_sql(limit: int) -> str:
    # `limit` is a year computed here, never input: safe to write into the statement.
    return f"CASE WHEN r.year_of_birth IS NULL OR r.year_of_birth <= {int(limit)} THEN 1 ELSE 0 END"


@dataclass(frozen=True)
class _Family:
    """One grouped query: FROM … (with the record's area as `a`), extra keys, and its date."""

    source: str
    keys: tuple[str, ...]
    day: str | None


def _families(*, from_tallies: bool = False) -> dict[str, _Family]:
    """The grouped queries; `from_tallies` reads "first record" days from the live tallies,
    which a read of one village or commune can afford, instead of grouping whole tables."""
    resident, household, milestone = _t(Resident), _t(Household), _t(MilestoneEvent)
    visit, attendance, klass, site = _t(Visit), _t(Attendance), _t(Class), _t(LearningSite)
    area, user, attempt, tally = _t(Area), _t(User), _t(QuizAttempt), _t(Tally)
    adult = _adult_sql(m.adult_birth_year_limit())
    families = {
        "residents": _Family(
            f"{resident} r JOIN {area} a ON a.id = r.village_id",
            ("r.target_group", adult),
            None,
        ),
        "milestones": _Family(
            f"{milestone} e JOIN {resident} r ON r.id = e.resident_id "
            f"JOIN {area} a ON a.id = r.village_id",
            # Group and age matter only for the basic-level confirmation: the other milestones
            # collapse to one row per area, milestone (and week).
            (
                "e.milestone",
                f"CASE WHEN e.milestone = '{m.CONFIRMED}' THEN r.target_group ELSE '' END",
                f"CASE WHEN e.milestone = '{m.CONFIRMED}' THEN {adult} ELSE 0 END",
            ),
            "e.achieved_on",
        ),
        m.GUIDED: _Family(
            f"{tally} g JOIN {resident} r ON r.id = g.object_id "
            f"JOIN {area} a ON a.id = r.village_id WHERE g.kind = '{m.TALLY_RESIDENT}'"
            if from_tallies
            else f"(SELECT resident_id, MIN(achieved_on) AS first_on FROM {milestone} "
            f"GROUP BY resident_id) g JOIN {resident} r ON r.id = g.resident_id "
            f"JOIN {area} a ON a.id = r.village_id",
            (),
            "g.first_on",
        ),
        m.HOUSEHOLDS: _Family(f"{household} h JOIN {area} a ON a.id = h.village_id", (), None),
        m.HOUSEHOLDS_GUIDED: _Family(
            f"{tally} g JOIN {household} h ON h.id = g.object_id "
            f"JOIN {area} a ON a.id = h.village_id WHERE g.kind = '{m.TALLY_HOUSEHOLD}'"
            if from_tallies
            else f"(SELECT household_id, MIN(visited_on) AS first_on FROM {visit} "
            f"WHERE household_id IS NOT NULL GROUP BY household_id) g "
            f"JOIN {household} h ON h.id = g.household_id JOIN {area} a ON a.id = h.village_id",
            (),
            "g.first_on",
        ),
        m.VISITS: _Family(f"{visit} v JOIN {area} a ON a.id = v.area_id", (), "v.visited_on"),
        m.ATTENDANCES: _Family(
            f"{attendance} t JOIN {klass} c ON c.id = t.class_session_id "
            f"JOIN {resident} r ON r.id = t.resident_id JOIN {area} a ON a.id = r.village_id",
            (),
            _local_date_sql("c.starts_at"),
        ),
        m.CLASSES_HELD: _Family(
            f"{klass} c JOIN {site} s ON s.id = c.site_id JOIN {area} a ON a.id = s.area_id "
            f"WHERE EXISTS (SELECT 1 FROM {attendance} t WHERE t.class_session_id = c.id)",
            (),
            _local_date_sql("c.starts_at"),
        ),
        m.QUIZ_PASSES: _Family(
            f"{attempt} q JOIN {user} u ON u.id = q.learner_id "
            f"JOIN {area} a ON a.id = u.home_area_id WHERE q.passed",
            (),
            _local_date_sql("COALESCE(q.submitted_at, q.started_at)"),
        ),
    }
    if apps.is_installed("hocvuso.skills"):
        confirmation = _t(apps.get_model("skills", "Confirmation"))
        families["confirmed"] = _Family(
            f"{confirmation} k JOIN {area} a ON a.id = k.area_id WHERE k.revoked_at IS NULL",
            ("k.target_group",),
            "k.confirmed_on",
        )
    return families


def _metrics_of(family: str, keys: tuple) -> list[str]:
    """The metrics one grouped row of a family counts for."""
    if family == "residents":
        group, adult = keys
        found = [m.RESIDENTS, m.group_metric(group)]
        return [*found, m.ADULTS] if adult else found
    if family == "milestones":
        milestone, group, adult = keys
        found = [m.milestone_metric(milestone)]
        if milestone == m.CONFIRMED:
            found.append(m.skilled_metric(group))
            if adult:
                found.append(m.ADULTS_CONFIRMED)
        return found
    if family == "confirmed":
        return [m.confirmed_metric(keys[0])]
    return [family]


def _grouped(
    family: _Family, *, weekly: bool, where: str, params: list, by_own_area: bool = False
) -> list[tuple]:
    """Rows (area id, *keys, [week], count) of one family, by own area or by weekly bucket."""
    area_expr = _BUCKET if weekly and not by_own_area else "a.id"
    columns = [area_expr, *family.keys]
    if weekly:
        columns.append(_week_sql(family.day))
    joiner = " AND " if " WHERE " in family.source else " WHERE "
    group_by = ", ".join(str(i) for i in range(1, len(columns) + 1))
    sql = (
        f"SELECT {', '.join(columns)}, COUNT(*) FROM {family.source}"
        f"{joiner}{where} GROUP BY {group_by}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _scope(root: Area | None) -> tuple[str, list]:
    if root is None:
        return "1 = 1", []
    return "a.path LIKE %s", [root.path + "%"]


def own_counts(root: Area | None) -> tuple[dict, dict]:
    """(totals by own area, weekly by bucket) for the records of areas under `root`."""
    where, params = _scope(root)
    totals: dict[int, Counter] = defaultdict(Counter)
    weekly: dict[int, Counter] = defaultdict(Counter)
    for name, family in _families().items():
        for area_id, *keys, n in _grouped(family, weekly=False, where=where, params=params):
            for metric in _metrics_of(name, tuple(keys)):
                totals[area_id][metric] += n
        if family.day is None:
            continue
        for area_id, *keys, week, n in _grouped(family, weekly=True, where=where, params=params):
            for metric in _metrics_of(name, tuple(keys)):
                if metric in m.WEEKLY_METRICS:
                    weekly[area_id][(metric, _as_date(week))] += n
    return totals, weekly


def own_weekly(village: Area) -> Counter:
    """The weekly gains the records of one village bring to its commune: (metric, week) → n."""
    found: Counter = Counter()
    for name, family in _families(from_tallies=True).items():
        if family.day is None:
            continue
        for _area, *keys, week, n in _grouped(
            family, weekly=True, where="a.id = %s", params=[village.pk]
        ):
            for metric in _metrics_of(name, tuple(keys)):
                if metric in m.WEEKLY_METRICS:
                    found[(metric, _as_date(week))] += n
    return found


def weekly_by_village(village_ids: set[int], *, since: datetime.date) -> dict[int, Counter]:
    """Weekly gains since `since` of each village, read from its records (villages keep no series).

    Bounded by these villages' own records, so its cost does not grow with the country.
    """
    found: dict[int, Counter] = defaultdict(Counter)
    if not village_ids:
        return found
    ids = sorted(village_ids)
    for name, family in _families(from_tallies=True).items():
        if family.day is None:
            continue
        rows = _grouped(
            family,
            weekly=True,
            where=f"a.id IN ({', '.join(['%s'] * len(ids))}) AND {family.day} >= %s",
            params=[*ids, since],
            by_own_area=True,
        )
        for area_id, *keys, week, n in rows:
            for metric in _metrics_of(name, tuple(keys)):
                if metric in m.WEEKLY_METRICS:
                    found[area_id][(metric, _as_date(week))] += n
    return found


def _rolled_up(areas: list[tuple[int, int | None, int]], own: dict[int, Counter]) -> dict:
    """Sums per area of its own counts and all its descendants', deepest level first."""
    total: dict[int, Counter] = {
        area_id: Counter(own.get(area_id, ())) for area_id, _p, _l in areas
    }
    for area_id, parent_id, _level in sorted(areas, key=lambda row: -row[2]):
        if parent_id in total and total[area_id]:
            total[parent_id].update(total[area_id])
    return total


def _write(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {_t(model)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(
            f"INSERT INTO {_t(model)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",
            rows,
        )


def _rebuild_tallies(where: str, params: list, *, is_whole: bool) -> None:
    tally, milestone, resident = _t(Tally), _t(MilestoneEvent), _t(Resident)
    visit, household, attendance = _t(Visit), _t(Household), _t(Attendance)
    klass, site, area = _t(Class), _t(LearningSite), _t(Area)
    day = _local_date_sql("c.starts_at")
    statements = [
        (
            m.TALLY_RESIDENT,
            f"SELECT r.id FROM {resident} r JOIN {area} a ON a.id = r.village_id WHERE {where}",
            f"SELECT e.resident_id, COUNT(*), MIN(e.achieved_on) FROM {milestone} e "
            f"JOIN {resident} r ON r.id = e.resident_id JOIN {area} a ON a.id = r.village_id "
            f"WHERE {where} GROUP BY e.resident_id",
        ),
        (
            m.TALLY_HOUSEHOLD,
            f"SELECT h.id FROM {household} h JOIN {area} a ON a.id = h.village_id WHERE {where}",
            f"SELECT v.household_id, COUNT(*), MIN(v.visited_on) FROM {visit} v "
            f"JOIN {household} h ON h.id = v.household_id JOIN {area} a ON a.id = h.village_id "
            f"WHERE {where} GROUP BY v.household_id",
        ),
        (
            m.TALLY_CLASS,
            f"SELECT c.id FROM {klass} c JOIN {site} s ON s.id = c.site_id "
            f"JOIN {area} a ON a.id = s.area_id WHERE {where}",
            f"SELECT t.class_session_id, COUNT(*), MIN({day}) FROM {attendance} t "
            f"JOIN {klass} c ON c.id = t.class_session_id JOIN {site} s ON s.id = c.site_id "
            f"JOIN {area} a ON a.id = s.area_id WHERE {where} GROUP BY t.class_session_id",
        ),
    ]
    with connection.cursor() as cursor:
        for kind, objects, grouped in statements:
            if is_whole:
                cursor.execute(f"DELETE FROM {tally} WHERE kind = %s", [kind])
            else:
                cursor.execute(
                    f"DELETE FROM {tally} WHERE kind = %s AND object_id IN ({objects})",
                    [kind, *params],
                )
            cursor.execute(
                f"INSERT INTO {tally} (kind, object_id, count, first_on) "
                f"SELECT %s, g.* FROM ({grouped}) g",
                [kind, *params],
            )


@dataclass(frozen=True)
class RebuildResult:
    area: Area
    rows: int
    seconds: float


def _stored(model, area_id: int, *, weekly: bool) -> Counter:
    found: Counter = Counter()
    fields = ("metric", "week", "value") if weekly else ("metric", "value")
    for row in model.objects.filter(area_id=area_id).values_list(*fields):
        found[row[:-1] if weekly else (row[0], None)] += row[-1]
    return found


@transaction.atomic
def rebuild_counters(*, area: Area | None = None) -> RebuildResult:
    """Recompute the counters of `area` and everything under it (the whole country by default).

    The counters of the areas above `area` are corrected by the difference, so every level stays
    consistent. A village is rebuilt with its commune (its weekly series live at the commune).
    """
    started = time.monotonic()
    started_at = timezone.now()
    root = area or Area.objects.get(level=Area.Level.COUNTRY)
    if root.level == Area.Level.VILLAGE:
        root = root.parent
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {_t(AreaCounter)}, {_t(WeeklyCounter)}, {_t(Tally)} IN EXCLUSIVE MODE"
            )
    is_whole = root.level == Area.Level.COUNTRY
    where, params = _scope(None if is_whole else root)
    old_total = _stored(AreaCounter, root.pk, weekly=False)
    old_weekly = _stored(WeeklyCounter, root.pk, weekly=True)

    areas = list(
        Area.objects.filter(path__startswith=root.path).values_list("id", "parent_id", "level")
    )
    own, own_weekly_counts = own_counts(None if is_whole else root)
    totals = _rolled_up(areas, own)
    weekly = _rolled_up([a for a in areas if a[2] <= Area.Level.COMMUNE], own_weekly_counts)

    area_ids = f"SELECT id FROM {_t(Area)} WHERE path LIKE %s"
    with connection.cursor() as cursor:
        for model in (AreaCounter, WeeklyCounter):
            if is_whole:
                cursor.execute(f"DELETE FROM {_t(model)}")
            else:
                cursor.execute(
                    f"DELETE FROM {_t(model)} WHERE area_id IN ({area_ids})", [root.path + "%"]
                )
    total_rows = [
        (area_id, metric, 0, value)
        for area_id, counts in totals.items()
        for metric, value in counts.items()
        if value
    ]
    weekly_rows = [
        (area_id, metric, week, 0, value)
        for area_id, counts in weekly.items()
        for (metric, week), value in counts.items()
        if value
    ]
    _write(AreaCounter, ("area_id", "metric", "slot", "value"), total_rows)
    _write(WeeklyCounter, ("area_id", "metric", "week", "slot", "value"), weekly_rows)
    _rebuild_tallies(where, params, is_whole=is_whole)

    if not is_whole:
        change = Counter({(metric, None): v for metric, v in totals[root.pk].items()})
        change.subtract(old_total)
        for key, value in weekly.get(root.pk, Counter()).items():
            change[key] += value
        change.subtract(old_weekly)
        deltas = Deltas()
        deltas.add_chain(path_codes(root.path)[:-1], change)
        deltas.flush()

    seconds = time.monotonic() - started
    rows = len(total_rows) + len(weekly_rows)
    CounterRebuild.objects.create(area=root, started_at=started_at, seconds=seconds, rows=rows)
    return RebuildResult(area=root, rows=rows, seconds=seconds)
