"""Data quality: implausible records flagged, and random spot checks of recorded milestones."""

import datetime
import random
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.authz import Perm, can
from hocvuso.field.models import Visit
from hocvuso.monitoring import metrics as m
from hocvuso.monitoring.models import SpotCheck
from hocvuso.monitoring.selectors import metric_totals, weekly_gains
from hocvuso.people.models import MilestoneEvent, Resident
from hocvuso.places.models import Area

# More door-to-door visits than one person can make in a day (about 20 minutes each, 8 hours).
MAX_VISITS_PER_DAY = 24
# A week that brings this many times the usual weekly gain, and at least JUMP_MIN records.
JUMP_FACTOR = 4
JUMP_MIN = 30
SPOT_CHECK_SIZE = 10
SPOT_CHECK_DAYS = 90


@dataclass(frozen=True)
class Flag:
    kind: str
    label: str
    detail: str
    area: Area | None = None


def quality_flags(commune: Area) -> list[Flag]:
    """Implausible records in a commune: too many visits a day, above 100%, duplicates, jumps."""
    flags: list[Flag] = []
    under = {"area__path__startswith": commune.path}
    busy = (
        Visit.objects.filter(**under)
        .values("recorded_by__username", "recorded_by__full_name", "visited_on")
        .annotate(n=Count("id"))
        .filter(n__gt=MAX_VISITS_PER_DAY)
        .order_by("-n")[:50]
    )
    for row in busy:
        flags.append(
            Flag(
                "visits_per_day",
                _("Số lượt thăm trong một ngày vượt khả năng"),
                _("%(who)s ghi %(n)s lượt thăm ngày %(day)s (tối đa hợp lý: %(max)s).")
                % {
                    "who": row["recorded_by__full_name"] or row["recorded_by__username"],
                    "n": row["n"],
                    "day": row["visited_on"].strftime("%d/%m/%Y"),
                    "max": MAX_VISITS_PER_DAY,
                },
            )
        )
    villages = list(Area.objects.filter(parent=commune, is_active=True))
    totals = metric_totals([v.pk for v in villages])
    for village in villages:
        counts = totals.get(village.pk, {})
        residents, households = counts.get(m.RESIDENTS, 0), counts.get(m.HOUSEHOLDS, 0)
        over = [
            metric
            for metric, value in counts.items()
            if metric.startswith("ms:") and value > residents
        ]
        if counts.get(m.HOUSEHOLDS_GUIDED, 0) > households or over:
            flags.append(
                Flag(
                    "above_100",
                    _("Tỷ lệ vượt 100%"),
                    _("%(village)s có số đạt lớn hơn số người, số hộ trong sổ.")
                    % {"village": village.name},
                    village,
                )
            )
    duplicates = (
        Resident.objects.filter(village__path__startswith=commune.path)
        .values("village__name", "full_name", "year_of_birth")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by("village__name", "full_name")[:50]
    )
    for row in duplicates:
        flags.append(
            Flag(
                "duplicate",
                _("Có thể trùng người"),
                _("%(name)s (sinh năm %(year)s) xuất hiện %(n)s lần ở %(village)s.")
                % {
                    "name": row["full_name"],
                    "year": row["year_of_birth"] or "?",
                    "n": row["n"],
                    "village": row["village__name"],
                },
            )
        )
    today = timezone.localdate()
    since = m.week_of(today) - datetime.timedelta(weeks=9)
    gains = weekly_gains(villages, since)
    for village in villages:
        by_week: dict[datetime.date, int] = {}
        for (metric, week), value in gains.get(village.pk, {}).items():
            if metric.startswith("ms:"):
                by_week[week] = by_week.get(week, 0) + value
        weeks = sorted(by_week)
        if len(weeks) < 2:
            continue
        last = weeks[-1]
        before = [by_week[w] for w in weeks[:-1]]
        usual = sum(before) / 8
        if by_week[last] >= JUMP_MIN and by_week[last] > JUMP_FACTOR * max(usual, 1):
            flags.append(
                Flag(
                    "jump",
                    _("Tăng đột biến"),
                    _("%(village)s ghi %(n)s mốc trong tuần từ %(week)s, gấp nhiều lần thường lệ.")
                    % {
                        "village": village.name,
                        "n": by_week[last],
                        "week": last.strftime("%d/%m/%Y"),
                    },
                    village,
                )
            )
    return flags


@transaction.atomic
def draw_spot_checks(
    *, commune: Area, drawn_by, size: int = SPOT_CHECK_SIZE, seed: int | None = None
) -> list[SpotCheck]:
    """Draw a random sample of recent milestones of the commune for an officer to confirm."""
    if commune.level != Area.Level.COMMUNE:
        raise ValidationError(_("Kiểm tra xác suất làm theo từng xã."))
    if not can(drawn_by, Perm.MANAGE_MONITORING, commune):
        raise PermissionDenied(_("Bạn không có quyền kiểm tra số liệu của xã này."))
    since = timezone.localdate() - datetime.timedelta(days=SPOT_CHECK_DAYS)
    already = SpotCheck.objects.filter(commune=commune, milestone__isnull=False).values(
        "milestone_id"
    )
    ids = list(
        MilestoneEvent.objects.filter(
            resident__village__path__startswith=commune.path, achieved_on__gte=since
        )
        .exclude(pk__in=already)
        .values_list("pk", flat=True)
    )
    if not ids:
        raise ValidationError(_("Không có mốc nào ghi nhận trong 90 ngày qua để kiểm tra."))
    chosen = random.Random(seed).sample(ids, min(size, len(ids)))
    events = MilestoneEvent.objects.filter(pk__in=chosen).select_related(
        "resident__village", "recorded_by"
    )
    checks = [
        SpotCheck(
            commune=commune,
            milestone=event,
            drawn_by=drawn_by,
            description=_("%(name)s, %(village)s: %(milestone)s (%(day)s, %(how)s, %(who)s)")
            % {
                "name": event.resident.full_name,
                "village": event.resident.village.name,
                "milestone": event.get_milestone_display(),
                "day": event.achieved_on.strftime("%d/%m/%Y"),
                "how": event.get_method_display(),
                "who": (event.recorded_by.full_name or event.recorded_by.username)
                if event.recorded_by
                else "—",
            },
        )
        for event in events
    ]
    return SpotCheck.objects.bulk_create(checks)


@transaction.atomic
def record_spot_check(*, check: SpotCheck, result: str, note: str = "", checked_by) -> SpotCheck:
    """Keep the result of one spot check."""
    if not can(checked_by, Perm.MANAGE_MONITORING, check.commune):
        raise PermissionDenied(_("Bạn không có quyền kiểm tra số liệu của xã này."))
    if result not in SpotCheck.Result.values or result == SpotCheck.Result.PENDING:
        raise ValidationError(_("Hãy chọn kết quả kiểm tra."))
    check.result = result
    check.note = (note or "").strip()[:300]
    check.checked_by = checked_by
    check.checked_at = timezone.now()
    check.save(update_fields=["result", "note", "checked_by", "checked_at"])
    return check
