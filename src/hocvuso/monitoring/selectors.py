"""Reads of the monitoring figures: counters only, a handful of rows whatever the population."""

import datetime
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from hocvuso.monitoring import metrics as m
from hocvuso.monitoring.indicators import BY_CODE, HEADLINE, INDICATORS, Indicator
from hocvuso.monitoring.models import (
    AreaCounter,
    AreaProfile,
    Commendation,
    CustomIndicator,
    CustomReport,
    PeerGroup,
    Target,
    WeeklyCounter,
)
from hocvuso.monitoring.services.rebuild import weekly_by_village
from hocvuso.places.models import Area
from hocvuso.places.selectors import sorted_by_name

TREND_WEEKS = 12
SMALL_COUNT = 5


def forecast_weeks() -> int:
    """How many recent weeks set the pace of a forecast (setting MONITORING_FORECAST_WEEKS)."""
    return int(getattr(settings, "MONITORING_FORECAST_WEEKS", 8))


# ---- Counters ---------------------------------------------------------------------------------


def metric_totals(area_ids: list[int], metrics: set[str] | None = None) -> dict[int, Counter]:
    """Every metric (or those named) of these areas, slots summed: one grouped query."""
    found: dict[int, Counter] = defaultdict(Counter)
    rows = AreaCounter.objects.filter(area_id__in=area_ids)
    if metrics is not None:
        rows = rows.filter(metric__in=metrics)
    rows = rows.values_list("area_id", "metric").annotate(total=Sum("value"))
    for area_id, metric, total in rows:
        found[area_id][metric] = total
    return found


def weekly_gains(
    areas: list[Area], since: datetime.date, metrics: set[str] | None = None
) -> dict[int, Counter]:
    """(metric, week) → gain per area since `since`; villages' from their own records."""
    found: dict[int, Counter] = defaultdict(Counter)
    upper = [a.pk for a in areas if a.level <= Area.Level.COMMUNE]
    if upper:
        rows = WeeklyCounter.objects.filter(area_id__in=upper, week__gte=since)
        if metrics is not None:
            rows = rows.filter(metric__in=metrics)
        rows = rows.values_list("area_id", "metric", "week").annotate(total=Sum("value"))
        for area_id, metric, week, total in rows:
            found[area_id][(metric, week)] = total
    villages = {a.pk for a in areas if a.level == Area.Level.VILLAGE}
    for area_id, counts in weekly_by_village(villages, since=since).items():
        found[area_id].update(counts)
    return found


def gains_over(
    area_ids: list[int], since: datetime.date, until: datetime.date, metrics: set[str]
) -> dict[int, Counter]:
    """Each area's gain per metric over the weeks [since, until), summed by the database.

    Keyed (metric, since), as weekly_gains would key a single week: forecast() reads it alike.
    A table of many children needs one sum per child and metric, not a row per week and slot.
    """
    found: dict[int, Counter] = defaultdict(Counter)
    rows = (
        WeeklyCounter.objects.filter(
            area_id__in=area_ids, week__gte=since, week__lt=until, metric__in=metrics
        )
        .values_list("area_id", "metric")
        .annotate(total=Sum("value"))
    )
    for area_id, metric, total in rows:
        found[area_id][(metric, since)] = total
    return found


# ---- Targets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EffectiveTarget:
    kind: str
    value: Decimal
    deadline: datetime.date
    area: Area
    is_own: bool


def _resolve(area: Area, targets: list[Target], by_id: dict[int, Area]) -> dict:
    found: dict[str, EffectiveTarget] = {}
    for target in sorted(targets, key=lambda t: by_id[t.area_id].level):
        own = target.area_id == area.pk
        if target.kind == Target.Kind.ABSOLUTE and not own:
            continue
        current = found.get(target.indicator)
        candidate = EffectiveTarget(
            target.kind, target.value, target.deadline, by_id[target.area_id], own
        )
        stricter = current is not None and (
            (candidate.kind != current.kind and own)
            or (
                candidate.kind == current.kind
                and (candidate.value, -candidate.deadline.toordinal())
                > (current.value, -current.deadline.toordinal())
            )
        )
        if current is None or stricter:
            found[target.indicator] = candidate
    return found


def effective_targets(area: Area, year: int) -> dict[str, EffectiveTarget]:
    """The target of each indicator for `area` and `year`.

    A percentage set above applies below unless a stricter one was set lower down (the strictest
    wins, with the earliest deadline), so a target is never loosened; an absolute quota belongs
    to its own area only.
    """
    return effective_targets_of([area], year)[area.pk]


def effective_targets_of(areas: list[Area], year: int) -> dict[int, dict[str, EffectiveTarget]]:
    """effective_targets of several areas (the children of one area) in two queries."""
    codes = {code for area in areas for code in area.ancestor_codes}
    # Only the areas that set a target are read, with their targets: one query.
    targets = list(Target.objects.filter(area__code__in=codes, year=year).select_related("area"))
    by_id = {t.area_id: t.area for t in targets}
    found = {}
    for area in areas:
        above = set(area.ancestor_codes)
        mine = [t for t in targets if by_id[t.area_id].code in above]
        found[area.pk] = _resolve(area, mine, by_id)
    return found


# ---- Indicator values -------------------------------------------------------------------------


@dataclass
class Forecast:
    """When the target is reached at the recent pace: reached, a date, or not before the deadline."""

    status: str  # "reached", "on_track", "late", "none"
    date: datetime.date | None = None
    pace: float = 0.0


@dataclass
class IndicatorValue:
    indicator: Indicator
    numerator: int
    denominator: int | None
    target: EffectiveTarget | None = None
    forecast: Forecast = field(default_factory=lambda: Forecast("none"))
    trend: list[tuple[datetime.date, float]] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def value(self) -> float | None:
        """The percentage (one decimal) or the count; None when there is no denominator yet."""
        if not self.indicator.is_percent:
            return float(self.numerator)
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)

    @property
    def needed(self) -> int | None:
        """The numerator the target asks for."""
        if self.target is None:
            return None
        if self.target.kind == Target.Kind.PERCENT:
            if not self.denominator:
                return None
            return math.ceil(float(self.target.value) * self.denominator / 100 - 1e-9)
        return int(self.target.value)

    @property
    def progress(self) -> int:
        """Share of the target reached, 0–100, for the bar."""
        needed = self.needed
        if needed is None:
            return min(100, round(self.value or 0)) if self.indicator.is_percent else 0
        if needed <= 0:
            return 100
        return min(100, round(100 * self.numerator / needed))

    @property
    def is_behind(self) -> bool:
        return self.forecast.status == "late"


def _sum(counts: Counter, metrics: tuple[str, ...]) -> int:
    return sum(counts.get(metric, 0) for metric in metrics)


def numerator_at(total: int, gains: Counter, metrics, after: datetime.date) -> int:
    """The numerator at the end of the week before `after`: the total less later weekly gains."""
    later = sum(v for (metric, week), v in gains.items() if metric in metrics and week >= after)
    return total - later


def forecast(value: IndicatorValue, gains: Counter, today: datetime.date) -> Forecast:
    """At the pace of the last weeks, the date the target is reached, or that it is not in time."""
    needed = value.needed
    if needed is None or value.target is None:
        return Forecast("none")
    if value.numerator >= needed:
        return Forecast("reached")
    weeks = forecast_weeks()
    this_week = m.week_of(today)
    since = this_week - datetime.timedelta(weeks=weeks)
    gained = sum(
        v
        for (metric, week), v in gains.items()
        if metric in value.indicator.numerator and since <= week < this_week
    )
    pace = gained / weeks
    if pace <= 0:
        return Forecast("late", None, 0.0)
    days = math.ceil((needed - value.numerator) / pace * 7)
    reached_on = today + datetime.timedelta(days=days)
    if reached_on > value.target.deadline:
        return Forecast("late", reached_on, pace)
    return Forecast("on_track", reached_on, pace)


def on_schedule(value: IndicatorValue, today: datetime.date) -> Forecast:
    """Without a weekly series (villages in a table): behind when below the target's share of
    the year gone by, counted from 1 January to the deadline."""
    needed = value.needed
    if needed is None or value.target is None:
        return Forecast("none")
    if value.numerator >= needed:
        return Forecast("reached")
    deadline = value.target.deadline
    start = datetime.date(deadline.year, 1, 1)
    gone = min(1.0, max(0.0, (today - start).days / max((deadline - start).days, 1)))
    return Forecast("late" if value.numerator < needed * gone else "on_track")


def _trend(value: IndicatorValue, gains: Counter, today: datetime.date) -> list:
    """(week, value at the week's end) for the last TREND_WEEKS weeks, oldest first.

    One pass over the gains, then back from this week: each week's value is the total less
    what was gained after it.
    """
    by_week: Counter = Counter()
    for (metric, week), gained in gains.items():
        if metric in value.indicator.numerator:
            by_week[week] += gained
    this_week = m.week_of(today)
    later = sum(gained for week, gained in by_week.items() if week > this_week)
    points = []
    for back in range(TREND_WEEKS):
        week = this_week - datetime.timedelta(weeks=back)
        numerator = value.numerator - later
        if value.indicator.is_percent:
            point = 100 * numerator / value.denominator if value.denominator else 0.0
        else:
            point = float(numerator)
        points.append((week, point))
        later += by_week.get(week, 0)
    points.reverse()
    return points


def indicator_values(
    area: Area,
    *,
    year: int | None = None,
    codes: tuple[str, ...] | None = None,
    counts: Counter | None = None,
    gains: Counter | None = None,
    targets: dict[str, EffectiveTarget] | None = None,
    schedule: bool = False,
    with_trend: bool = True,
    with_forecast: bool = True,
) -> list[IndicatorValue]:
    """Each indicator of the area with its target, forecast and 12-week trend."""
    today = timezone.localdate()
    year = year or today.year
    if counts is None:
        counts = metric_totals([area.pk]).get(area.pk, Counter())
    if gains is None:
        since = m.week_of(today) - datetime.timedelta(weeks=max(TREND_WEEKS, forecast_weeks()))
        gains = weekly_gains([area], since).get(area.pk, Counter())
    if targets is None:
        targets = effective_targets(area, year)
    found = []
    for indicator in INDICATORS:
        if codes is not None and indicator.code not in codes:
            continue
        value = IndicatorValue(
            indicator,
            _sum(counts, indicator.numerator),
            _sum(counts, indicator.denominator) if indicator.denominator else None,
            targets.get(indicator.code),
        )
        if with_forecast:
            value.forecast = (
                on_schedule(value, today) if schedule else forecast(value, gains, today)
            )
        if with_trend:
            value.trend = _trend(value, gains, today)
        found.append(value)
    return found


# ---- Children, completeness, peer groups ------------------------------------------------------


def active_children(area: Area) -> list[Area]:
    """The living children of an area, "Thôn 2" before "Thôn 10"."""
    return sorted_by_name(Area.objects.filter(parent=area, is_active=True))


def completeness(area: Area, *, rows: list["ChildRow"] | None = None) -> tuple:
    """(children with data, children): how complete the reporting below this area is.

    `rows`, the area's children_rows when the caller has them, already know.
    """
    if rows:
        return sum(1 for row in rows if row.has_residents), len(rows)
    children = active_children(area)
    if not children:
        own = metric_totals([area.pk], {m.RESIDENTS}).get(area.pk, Counter())
        return (1 if own.get(m.RESIDENTS) else 0), 1
    totals = metric_totals([c.pk for c in children], {m.RESIDENTS})
    return sum(1 for c in children if totals.get(c.pk, {}).get(m.RESIDENTS)), len(children)


def peer_group_of(area: Area, profiles: dict[int, str] | None = None) -> str:
    """The peer group set for the area, else the one its official type implies."""
    if profiles is not None and area.pk in profiles:
        return profiles[area.pk]
    if profiles is None:
        profile = AreaProfile.objects.filter(area=area).first()
        if profile is not None:
            return profile.peer_group
    kind = area.kind.casefold()
    if kind.startswith("phường"):
        return PeerGroup.URBAN
    if kind.startswith("đặc khu"):
        return PeerGroup.SPECIAL
    return PeerGroup.RURAL


def _children_with_residents(parent_ids: list[int]) -> dict[int, tuple[int, int]]:
    """For each of these areas: (active children with residents, active children), in one query.

    Each child's residents are summed over its slots from the partial index on that metric.
    """
    counter, area = AreaCounter._meta.db_table, Area._meta.db_table
    marks = ", ".join(["%s"] * len(parent_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.parent_id, SUM(CASE WHEN (SELECT SUM(c.value) FROM {counter} c "
            "WHERE c.area_id = a.id AND c.metric = %s) > 0 THEN 1 ELSE 0 END), COUNT(*) "
            f"FROM {area} a WHERE a.parent_id IN ({marks}) AND a.is_active GROUP BY a.parent_id",
            [m.RESIDENTS, *parent_ids],
        )
        return {parent: (int(done), total) for parent, done, total in cursor.fetchall()}


@dataclass
class ChildRow:
    area: Area
    values: dict[str, IndicatorValue]
    completeness: tuple[int, int]
    peer_group: str
    has_residents: bool = False

    @property
    def is_laggard(self) -> bool:
        return any(v.is_behind for v in self.values.values())


def children_rows(
    area: Area, *, year: int | None = None, codes=HEADLINE, with_forecast: bool = True
) -> list[ChildRow]:
    """The children of an area with their headline indicators: drill-down and laggards.

    A ranking, which marks no laggard, asks `with_forecast=False` and reads no weekly series.
    """
    today = timezone.localdate()
    children = active_children(area)
    if not children:
        return []
    ids = [c.pk for c in children]
    wanted = {m.RESIDENTS}
    for code in codes:
        wanted.update(BY_CODE[code].numerator, BY_CODE[code].denominator)
    counts = metric_totals(ids, wanted)
    this_week = m.week_of(today)
    since = this_week - datetime.timedelta(weeks=forecast_weeks())
    # Villages keep no weekly series: their laggards are judged against the calendar instead.
    villages = children[0].level == Area.Level.VILLAGE
    # A forecast reads the pace of the numerators only.
    paced = {metric for code in codes for metric in BY_CODE[code].numerator}
    gains = {} if villages or not with_forecast else gains_over(ids, since, this_week, paced)
    targets = effective_targets_of(children, year or today.year)
    below = _children_with_residents(ids)
    profiles = dict(AreaProfile.objects.filter(area__in=ids).values_list("area_id", "peer_group"))
    rows = []
    for child in children:
        values = indicator_values(
            child,
            year=year,
            codes=codes,
            counts=counts.get(child.pk, Counter()),
            gains=gains.get(child.pk, Counter()),
            targets=targets[child.pk],
            schedule=villages,
            with_trend=False,
            with_forecast=with_forecast,
        )
        if child.pk in below:
            complete = below[child.pk]
        else:
            complete = (1 if counts.get(child.pk, {}).get(m.RESIDENTS) else 0, 1)
        rows.append(
            ChildRow(
                child,
                {v.code: v for v in values},
                complete,
                peer_group_of(child, profiles),
                bool(counts.get(child.pk, {}).get(m.RESIDENTS)),
            )
        )
    return rows


# ---- Rankings ---------------------------------------------------------------------------------


@dataclass
class RankRow:
    rank: int
    area: Area
    score: float | None
    numerator: int
    denominator: int | None
    completeness: tuple[int, int]
    peer_group: str
    details: dict[str, float | None] = field(default_factory=dict)


def _score(value: IndicatorValue, numerator: int) -> float | None:
    if value.indicator.is_percent:
        return round(100 * numerator / value.denominator, 1) if value.denominator else None
    return float(numerator)


def ranking(
    area: Area,
    *,
    weights: dict[str, float],
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    peer_group: str | None = None,
    progress: bool = False,
    year: int | None = None,
) -> list[RankRow]:
    """The children of `area` ranked on one indicator (one weight) or a weighted score.

    Each indicator's value is taken at the end of the period (percentages; counts gained within
    the period when it starts); with `progress`, the gain since the start of the period, so that
    a locality is compared with its own starting point. With several indicators the score is the
    weighted mean of each value as a share of its target (or of 100% / the best child). Ties
    share a rank; children with no data rank last.
    """
    today = timezone.localdate()
    end = min(end or today, today)
    rows = children_rows(area, year=year or end.year, codes=tuple(weights), with_forecast=False)
    if peer_group:
        rows = [row for row in rows if row.peer_group == peer_group]
    since = m.week_of(start) if start else None
    gains_since = since or (m.week_of(end) - datetime.timedelta(weeks=1))
    numerators = {metric for code in weights for metric in BY_CODE[code].numerator}
    if since is None and m.week_of(end) == m.week_of(today):
        gains = {}
    else:
        gains = weekly_gains(
            [row.area for row in rows], min(gains_since, m.week_of(end)), numerators
        )
    after_end = m.week_of(end) + datetime.timedelta(weeks=1)
    scored = []
    for row in rows:
        details: dict[str, float | None] = {}
        numerator_total, denominator_total = 0, None
        for code in weights:
            value = row.values[code]
            child_gains = gains.get(row.area.pk, Counter())
            at_end = numerator_at(
                value.numerator, child_gains, value.indicator.numerator, after_end
            )
            score = _score(value, at_end)
            if (progress or not value.indicator.is_percent) and since is not None:
                at_start = numerator_at(
                    value.numerator, child_gains, value.indicator.numerator, since
                )
                before = _score(value, at_start)
                score = None if score is None or before is None else round(score - before, 1)
            details[code] = score
            numerator_total, denominator_total = at_end, value.denominator
        scored.append((row, details, numerator_total, denominator_total))
    best = {
        code: max((d[code] for _r, d, _n, _dn in scored if d[code] is not None), default=0) or 1
        for code in weights
    }
    total_weight = sum(weights.values()) or 1
    results = []
    for row, details, numerator, denominator in scored:
        if len(weights) == 1:
            score = next(iter(details.values()))
        elif any(value is None for value in details.values()):
            score = None
        else:
            parts = []
            for code, weight in weights.items():
                value = row.values[code]
                goal = (
                    float(value.target.value)
                    if value.target is not None and value.target.kind == Target.Kind.PERCENT
                    else (100.0 if value.indicator.is_percent and not progress else best[code])
                )
                parts.append(weight * min(1.0, details[code] / goal) if goal else 0.0)
            score = round(100 * sum(parts) / total_weight, 1)
        results.append(
            RankRow(
                0,
                row.area,
                score,
                numerator,
                denominator,
                row.completeness,
                row.peer_group,
                details,
            )
        )
    results.sort(key=lambda r: (r.score is None, -(r.score or 0), r.area.name))
    rank = 0
    previous = object()
    for position, row in enumerate(results, start=1):
        if row.score is None:
            row.rank = 0
            continue
        if row.score != previous:
            rank, previous = position, row.score
        row.rank = rank
    return results


def suppressed(count: int | None) -> str:
    """A count for the public: below 5 shown as "<5", so that no one is singled out."""
    if count is None:
        return "—"
    return "<5" if 0 < count < SMALL_COUNT else f"{count:,}".replace(",", ".")


# ---- Hand-reported indicators, commendations -------------------------------------------------


def custom_reports(
    area: Area, period_start: datetime.date
) -> list[tuple[CustomIndicator, CustomReport | None]]:
    """Each active hand-reported indicator with the area's report of the period (None: missing)."""
    reports = {
        r.indicator_id: r
        for r in CustomReport.objects.filter(area=area, period_start=period_start).select_related(
            "submitted_by", "approved_by", "entered_by"
        )
    }
    return [(i, reports.get(i.pk)) for i in CustomIndicator.objects.filter(is_active=True)]


def custom_completeness(
    area: Area, indicator: CustomIndicator, period_start: datetime.date
) -> tuple:
    """(communes under `area` whose value of the period is approved, communes under it)."""
    communes = Area.objects.filter(
        path__startswith=area.path, level=Area.Level.COMMUNE, is_active=True
    )
    approved = CustomReport.objects.filter(
        indicator=indicator,
        period_start=period_start,
        status=CustomReport.Status.APPROVED,
        area__in=communes,
    ).count()
    return approved, communes.count()


def commendations_under(area: Area, *, limit: int = 20) -> list[Commendation]:
    """The latest awards to people, teams and localities in or under `area`."""
    return list(
        Commendation.objects.filter(area__path__startswith=area.path).select_related("area")[:limit]
    )


def indicator_by_code(code: str) -> Indicator | None:
    return BY_CODE.get(code)
