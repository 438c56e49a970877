"""Demo monitoring: registries with progress over recent weeks in the four demo communes, the
targets their plans set, hand-reported indicators, spot checks and commendations. Idempotent.

The figures come from records made through the services (imports, milestones, visits), so the
counters are live and a rebuild gives the same numbers.
"""

import datetime
import random
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from hocvuso.accounts.models import User
from hocvuso.demo.data import COMMUNES
from hocvuso.field.models import Visit
from hocvuso.field.services.recognitions import recognitions_deferred
from hocvuso.monitoring.models import (
    AreaProfile,
    Commendation,
    CustomIndicator,
    CustomReport,
    PeerGroup,
    SpotCheck,
    Target,
)
from hocvuso.monitoring.services.commendations import record_commendation
from hocvuso.monitoring.services.custom import (
    approve_custom_report,
    save_custom_value,
    submit_custom_report,
)
from hocvuso.monitoring.services.quality import draw_spot_checks, record_spot_check
from hocvuso.monitoring.services.targets import set_target
from hocvuso.people.choices import Milestone, TargetGroup
from hocvuso.people.models import Household, MilestoneEvent, Resident
from hocvuso.people.services import ImportMode, ResidentRow, import_residents, record_milestones
from hocvuso.places.models import Area

DEMO_NAMESPACE = uuid.UUID("0b8f7a52-54a1-4c4c-9d0e-7f1b3f0c6d21")
PER_VILLAGE = 10
WEEKS = 16
ADMIN = "demo.quantri"
PROVINCE_OFFICER = "demo.canbotinh"

# (commune, indicator, year, percent, deadline): from the launches the brief reports.
TARGETS = [
    ("04399", "officials_skilled", 2025, 100, datetime.date(2025, 12, 31)),
    ("04399", "households_guided", 2025, 90, datetime.date(2025, 12, 31)),
    ("04399", "residents_guided", 2025, 80, datetime.date(2025, 12, 31)),
    ("04399", "officials_skilled", 2026, 100, datetime.date(2026, 12, 31)),
    ("04399", "households_guided", 2026, 90, datetime.date(2026, 12, 31)),
    ("04399", "residents_guided", 2026, 80, datetime.date(2026, 12, 31)),
    ("23473", "officials_skilled", 2025, 80, datetime.date(2025, 12, 31)),
    ("23473", "adults_skilled", 2025, 80, datetime.date(2025, 12, 31)),
    ("23473", "students_skilled", 2025, 100, datetime.date(2025, 12, 31)),
    ("23473", "adults_skilled", 2026, 80, datetime.date(2026, 12, 31)),
    ("23473", "students_skilled", 2026, 100, datetime.date(2026, 12, 31)),
    ("00235", "officials_skilled", 2025, 80, datetime.date(2025, 12, 31)),
    ("00235", "officials_skilled", 2026, 100, datetime.date(2026, 12, 31)),
    ("00235", "students_skilled", 2025, 100, datetime.date(2025, 12, 31)),
    ("00235", "students_skilled", 2026, 100, datetime.date(2026, 12, 31)),
    ("00235", "adults_skilled", 2025, 80, datetime.date(2025, 12, 31)),
    ("00235", "adults_skilled", 2026, 80, datetime.date(2026, 12, 31)),
    ("12364", "residents_guided", 2026, 80, datetime.date(2026, 12, 31)),
    ("12364", "households_guided", 2026, 85, datetime.date(2026, 12, 31)),
]

# The indicators of the Đông Cuông report that the platform cannot count itself.
CUSTOM = [
    ("public_service_index", "Chỉ số phục vụ người dân và doanh nghiệp", "decimal", "quarter"),
    (
        "on_time_processing",
        "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn",
        "percent",
        "month",
    ),
    ("digitised_records", "Tỷ lệ hồ sơ, kết quả giải quyết được số hoá", "percent", "month"),
    ("satisfaction", "Mức độ hài lòng của người dân", "percent", "quarter"),
]

# How far each commune has come: share of residents reached, and of households visited.
PACE = {"04399": 0.82, "12364": 0.62, "23473": 0.7, "00235": 0.9}
_ORDER = [
    Milestone.HAS_SMARTPHONE,
    Milestone.VNEID_INSTALLED,
    Milestone.VNEID_LEVEL2,
    Milestone.USED_PUBLIC_SERVICE,
    Milestone.BANK_ACCOUNT,
    Milestone.PAYS_CASHLESS,
    Milestone.COMPLETED_BASIC_COURSE,
    Milestone.CONFIRMED_BASIC_LEVEL,
]
_FAMILIES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Triệu", "Bàn", "Lý", "Đặng", "Vũ", "Y", "A")
_GIVEN = (
    "Văn An",
    "Thị Bình",
    "Văn Cường",
    "Thị Dung",
    "Minh Đức",
    "Thu Hà",
    "Quang Huy",
    "Thị Lan",
)


@dataclass(frozen=True)
class DemoMonitoringResult:
    residents_imported: int
    targets: int


def _rows(rng: random.Random, village: Area, this_year: int) -> list[ResidentRow]:
    rows = []
    for i in range(PER_VILLAGE):
        household = i // 3
        year = rng.choice([rng.randrange(1950, 1990), rng.randrange(1990, 2008)])
        if i % 3 == 2:
            year = rng.randrange(this_year - 20, this_year - 8)
        group = TargetGroup.CITIZENS
        if this_year - year < 22:
            group = TargetGroup.STUDENTS
        elif i % 9 == 0:
            group = TargetGroup.OFFICIALS
        elif i % 7 == 0:
            group = TargetGroup.WORKERS
        rows.append(
            ResidentRow(
                row=i + 2,
                full_name=f"{rng.choice(_FAMILIES)} {rng.choice(_GIVEN)} {village.code[-3:]}{i:02d}",
                household_number=f"{village.code[-4:]}-{household + 1:02d}",
                head_name=f"Chủ hộ {household + 1:02d} {village.name}",
                year_of_birth=str(year),
                target_group=group.value,
            )
        )
    return rows


def _progress(rng, village: Area, pace: float, recorder, today: datetime.date) -> None:
    residents = list(
        Resident.objects.filter(village=village).select_related("village").order_by("pk")
    )
    by_week: dict[datetime.date, list] = {}
    for resident in residents:
        if rng.random() > pace + 0.1:
            continue
        reached = _ORDER[: rng.randrange(1, len(_ORDER) + 1)]
        if resident.target_group == TargetGroup.OFFICIALS:
            reached = _ORDER
        # Later weeks bring more people: the curve of a campaign gathering pace.
        weeks_ago = int(WEEKS * (1 - rng.random() ** 0.7))
        day = today - datetime.timedelta(weeks=weeks_ago, days=rng.randrange(0, 6))
        by_week.setdefault(max(day, today - datetime.timedelta(weeks=WEEKS)), []).append(
            (resident, reached)
        )
    with recognitions_deferred(known=residents):
        for day, pairs in sorted(by_week.items()):
            record_milestones(
                resident_milestones=pairs,
                achieved_on=min(day, today),
                method=MilestoneEvent.Method.VISIT,
                recorded_by=recorder,
                source="demo:monitoring",
            )
    for household in Household.objects.filter(village=village):
        if rng.random() < pace + 0.05:
            # Created directly: the visit service's per-visit checks would make the demo slow.
            Visit.objects.create(
                client_id=uuid.uuid5(DEMO_NAMESPACE, f"visit:{household.pk}"),
                area=village,
                recorded_by=recorder,
                visited_on=today - datetime.timedelta(days=rng.randrange(0, WEEKS * 7)),
                channel=Visit.Channel.DOOR_TO_DOOR,
                household=household,
                activities="Hướng dẫn cài đặt, kích hoạt VNeID và thanh toán bằng mã QR",
            )


def _custom_reports(commune: Area, officer, approver, today: datetime.date) -> None:
    for code, name, value_type, frequency in CUSTOM:
        indicator, _created = CustomIndicator.objects.get_or_create(
            code=code, defaults={"name": name, "value_type": value_type, "frequency": frequency}
        )
        periods = []
        if frequency == "month":
            first = today.replace(day=1)
            for back in (3, 2, 1):
                month = (first.month - back - 1) % 12 + 1
                year = first.year + (first.month - back - 1) // 12
                periods.append(f"{year}-{month:02d}")
        else:
            quarter = (today.month - 1) // 3 + 1
            previous = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
            periods.append(f"{previous[0]}-Q{previous[1]}")
        for i, period in enumerate(periods):
            value = {"decimal": 88.6 + i, "percent": 92 + 2 * i}[value_type]
            if CustomReport.objects.filter(area=commune, indicator=indicator).count() > i:
                continue
            report = save_custom_value(
                area=commune, indicator=indicator, period=period, value=value, entered_by=officer
            )
            report = submit_custom_report(report=report, submitted_by=officer)
            if i < len(periods) - 1 or frequency != "month":
                approve_custom_report(report=report, approved_by=approver)


@transaction.atomic
def load_demo_monitoring() -> DemoMonitoringResult:
    """Residents with progress in every demo village, targets, reports, checks and awards."""
    today = timezone.localdate()
    admin = User.objects.get(username=ADMIN)
    province_officer = User.objects.get(username=PROVINCE_OFFICER)
    imported = 0
    for spec in COMMUNES:
        commune = Area.objects.get(code=spec.code)
        rng = random.Random(f"monitoring:{spec.code}")
        villages = Area.objects.filter(parent=commune, is_active=True).order_by("code")
        for village in villages:
            if Resident.objects.filter(village=village).exists():
                continue
            result = import_residents(
                village_or_commune=village,
                rows=_rows(rng, village, today.year),
                mode=ImportMode.GOOD_ROWS,
                imported_by=admin,
            )
            imported += result.residents
            _progress(rng, village, PACE[spec.code], admin, today)

    for code, indicator, year, value, deadline in TARGETS:
        set_target(
            area=Area.objects.get(code=code),
            indicator=indicator,
            year=year,
            kind=Target.Kind.PERCENT,
            value=value,
            deadline=deadline,
            set_by=admin,
        )
    for code in ("04399", "23473"):
        AreaProfile.objects.get_or_create(
            area=Area.objects.get(code=code),
            defaults={"peer_group": PeerGroup.MOUNTAIN, "updated_by": admin},
        )

    dong_cuong = Area.objects.get(code="04399")
    officer = User.objects.get(username="demo.canboxa")
    _custom_reports(dong_cuong, officer, province_officer, today)
    if not SpotCheck.objects.filter(commune=dong_cuong).exists():
        checks = draw_spot_checks(commune=dong_cuong, drawn_by=officer, size=8, seed=2025)
        results = [SpotCheck.Result.CONFIRMED] * 3 + [SpotCheck.Result.UNREACHABLE]
        for check, result in zip(checks, results, strict=False):
            record_spot_check(
                check=check, result=result, note="Gọi điện xác minh", checked_by=officer
            )
    if not Commendation.objects.exists():
        sai_luong = Area.objects.get(parent=dong_cuong, name="Thôn Sài Lương", is_active=True)
        record_commendation(
            area=sai_luong,
            kind=Commendation.Kind.PRAISE,
            recipient_type=Commendation.Recipient.TEAM,
            recipient_name="Tổ công nghệ số cộng đồng Thôn Sài Lương",
            reason="Hướng dẫn 100% hộ gia đình cài đặt và kích hoạt VNeID mức 2",
            decision_number="45/QĐ-BCĐ",
            awarded_on=today - datetime.timedelta(days=20),
            recorded_by=officer,
        )
        record_commendation(
            area=dong_cuong,
            kind=Commendation.Kind.AWARD,
            recipient_type=Commendation.Recipient.LOCALITY,
            recipient_name="Xã Đông Cuông",
            reason="Dẫn đầu tỉnh Lào Cai về tỷ lệ người dân được hướng dẫn kỹ năng số",
            decision_number="312/QĐ-UBND",
            awarded_on=today - datetime.timedelta(days=10),
            recorded_by=province_officer,
        )
    return DemoMonitoringResult(residents_imported=imported, targets=len(TARGETS))
