"""Demo registry: the households of Thôn Sài Lương (Xã Đông Cuông, Lào Cai), Kinh, Dao and Tày.

Every record carries a client_id derived from a fixed namespace, so loading twice changes nothing.
"""

import datetime
import random
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hocvuso.accounts.models import User
from hocvuso.people.choices import Milestone, TargetGroup
from hocvuso.people.models import Consent, MilestoneEvent, Resident
from hocvuso.people.services import (
    record_consent,
    record_milestone,
    register_household,
    register_resident,
)
from hocvuso.places.models import Area

DEMO_NAMESPACE = uuid.UUID("6f1c1c4e-3f43-4a53-9a57-2b8f6a0e5a11")
COMMUNE_CODE = "04399"
VILLAGE_NAME = "Thôn Sài Lương"
RECORDER = "demo.totv"
HOUSEHOLDS = 30
# The CCCD province code of Lào Cai (Circular 07/2016/TT-BCA): the first three digits.
LAO_CAI_ID_PREFIX = "010"

# (ethnicity, family names, male given names, female given names, middle for men, for women)
_PEOPLES = (
    (
        "Dao",
        ("Triệu", "Bàn", "Lý", "Đặng", "Phùng", "Chảo"),
        ("Văn Sơn", "Văn Quý", "Tiến Dũng", "Văn Chàn", "Văn Tòng", "Văn Phin"),
        ("Thị Mây", "Thị Hoa", "Thị Nhất", "Thị Liên", "Thị Chài", "Thị Dung"),
    ),
    (
        "Tày",
        ("Hoàng", "Nông", "Ma", "Lương", "Vi", "Hà"),
        ("Văn Tuấn", "Văn Hải", "Đức Thịnh", "Văn Khánh", "Văn Lợi", "Minh Quân"),
        ("Thị Nguyệt", "Thị Thu", "Thị Thoa", "Thị Hằng", "Thị Lụa", "Thị Vân"),
    ),
    (
        "Kinh",
        ("Nguyễn", "Trần", "Phạm", "Vũ", "Đỗ", "Bùi", "Lê"),
        ("Văn Hùng", "Quang Minh", "Đức Anh", "Văn Thành", "Mạnh Hà", "Xuân Trường"),
        ("Thị Lan", "Thị Hương", "Thu Trang", "Thị Ngọc", "Thị Huyền", "Thị Bích"),
    ),
)


@dataclass(frozen=True)
class DemoPeopleResult:
    households: int
    residents: int
    milestones_created: int


def _client_id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, ":".join(str(p) for p in parts))


def _citizen_id(rng: random.Random, year: int, gender: str) -> str:
    century = 0 if year < 2000 else 2
    code = century + (1 if gender == Resident.Gender.FEMALE else 0)
    return f"{LAO_CAI_ID_PREFIX}{code}{year % 100:02d}{rng.randrange(10**6):06d}"


def _phone(rng: random.Random) -> str:
    return f"0{rng.choice('389')}{rng.randrange(10**8):08d}"


@transaction.atomic
def load_demo_people() -> DemoPeopleResult:
    """About 30 households and 100 residents of Thôn Sài Lương, with milestones and consent."""
    village = Area.objects.get(parent__code=COMMUNE_CODE, name=VILLAGE_NAME, is_active=True)
    recorder = User.objects.filter(username=RECORDER).first()
    rng = random.Random(2025)
    this_year = timezone.localdate().year
    today = timezone.localdate()
    residents = milestones = 0
    for number in range(1, HOUSEHOLDS + 1):
        ethnicity, families, men, women = _PEOPLES[number % len(_PEOPLES)]
        family = rng.choice(families)
        head_year = rng.randrange(1950, 1992)
        head_name = f"{family} {rng.choice(men)}"
        household = register_household(
            village=village,
            head_name=head_name,
            address=f"Xóm {1 + number // 10}, {VILLAGE_NAME}",
            number=f"{number:02d}",
            created_by=recorder,
            client_id=_client_id("household", number),
        )
        spouse_family = rng.choice([f for _e, fs, _m, _w in _PEOPLES for f in fs])
        members = [
            (head_name, head_year, Resident.Gender.MALE),
            (f"{spouse_family} {rng.choice(women)}", head_year + rng.randrange(0, 5), "female"),
        ]
        for child in range(rng.randrange(1, 4)):
            gender = rng.choice([Resident.Gender.MALE, Resident.Gender.FEMALE])
            given = rng.choice(men if gender == Resident.Gender.MALE else women)
            members.append(
                (f"{family} {given}", min(head_year + 22 + child * 3, this_year - 1), gender)
            )
        if head_year < 1962:
            members = members[:3]
        for index, (name, year, gender) in enumerate(members):
            resident = register_resident(
                village=village,
                household=household,
                full_name=name,
                created_by=recorder,
                year_of_birth=year,
                gender=gender,
                ethnicity=ethnicity,
                phone=_phone(rng) if this_year - year < 65 else "",
                citizen_id=_citizen_id(rng, year, gender) if this_year - year >= 14 else "",
                target_group=TargetGroup.STUDENTS
                if this_year - year < 22
                else TargetGroup.CITIZENS,
                has_disability=rng.random() < 0.04,
                preferred_language="tyz" if ethnicity == "Tày" and rng.random() < 0.3 else "vi",
                client_id=_client_id("resident", number, index),
            )
            residents += 1
            if not Consent.objects.filter(resident=resident).exists():
                record_consent(
                    resident=resident,
                    purpose=Consent.Purpose.SUPPORT,
                    text_version=settings.CONSENT_TEXT_VERSION,
                    recorded_by=recorder,
                )
            # Younger people have reached more milestones; a prefix of the list, in order.
            reached = max(0, min(len(Milestone.values), int((75 - (this_year - year)) / 7)))
            reached = rng.randrange(0, reached + 1) if reached else 0
            for step, milestone in enumerate(Milestone.values[:reached]):
                _event, created = record_milestone(
                    resident=resident,
                    milestone=milestone,
                    achieved_on=today - datetime.timedelta(days=120 - step * 12),
                    method=MilestoneEvent.Method.VISIT,
                    recorded_by=recorder,
                    source="demo",
                    client_id=_client_id("milestone", number, index, milestone),
                )
                milestones += int(created)
    return DemoPeopleResult(
        households=HOUSEHOLDS, residents=residents, milestones_created=milestones
    )
