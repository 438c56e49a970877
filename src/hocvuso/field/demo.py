"""Demo field work in Thôn Sài Lương (Xã Đông Cuông, Lào Cai): its team, visits, class and events.

Runs after the people demo (it visits those households; half the visits help a whole family to
"Gia đình số", and the first one makes a trader of "Chợ số"). Every visit carries a client_id from a
fixed namespace and every other record is looked up before it is made, so loading twice changes
nothing.
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hocvuso.accounts.models import User
from hocvuso.field.models import (
    Class,
    ContestEntry,
    Event,
    LearningSite,
    RecognitionRule,
    Team,
    TeamMembership,
    Visit,
)
from hocvuso.field.services.classes import save_site, schedule_class
from hocvuso.field.services.events import create_event, record_contest_score
from hocvuso.field.services.mentorships import assign_mentee
from hocvuso.field.services.recognitions import ADULT_AGE, set_recognition_rule
from hocvuso.field.services.teams import add_team_member, save_team, set_quota
from hocvuso.field.services.visits import record_visit
from hocvuso.learning.models import Topic
from hocvuso.people.choices import Milestone
from hocvuso.people.models import Household, MilestoneEvent, Resident
from hocvuso.places.models import Area

DEMO_NAMESPACE = uuid.UUID("0b7d5c56-2a8e-4c1e-9f43-5d1f0c7e2b90")
COMMUNE_CODE = "04399"
VILLAGE_NAME = "Thôn Sài Lương"
LEADER, MEMBER, AMBASSADOR = "demo.totruong", "demo.totv", "demo.daisuso"
VISITS = 6
MENTEES = 3

DONG_CUONG_RULES = {
    RecognitionRule.Kind.DIGITAL_FAMILY: {
        "every_adult": [Milestone.VNEID_LEVEL2],
        "at_least_one": [Milestone.PAYS_CASHLESS],
    },
    RecognitionRule.Kind.DIGITAL_MARKET: {
        "all_of": [Milestone.SELLS_ONLINE, Milestone.TAKES_QR_PAYMENT],
    },
}


@dataclass(frozen=True)
class DemoFieldResult:
    team: Team
    visits_created: int
    recognitions: int


def _next_missing(reached: set[str]) -> list[str]:
    missing = [code for code in Milestone.values if code not in reached]
    return missing[:1]


def _whole_family(members: list[Resident], reached: dict[int, set[str]], *, trader: bool):
    """What a visit that helps the whole family reaches: VNeID level 2 for every adult, cashless
    payment for the head (and, for a trader, selling online and taking QR payments)."""
    year = timezone.localdate().year
    wanted = {
        r.pk: [Milestone.VNEID_LEVEL2]
        for r in members
        if r.year_of_birth is None or year - r.year_of_birth >= ADULT_AGE
    }
    head = members[0]
    wanted.setdefault(head.pk, []).append(Milestone.PAYS_CASHLESS)
    if trader:
        wanted[head.pk] += [Milestone.SELLS_ONLINE, Milestone.TAKES_QR_PAYMENT]
    milestones = {
        pk: [code for code in codes if code not in reached[pk]] for pk, codes in wanted.items()
    }
    return {pk: codes for pk, codes in milestones.items() if codes}


def _visits(team: Team, recorder: User) -> int:
    today = timezone.localdate()
    created_count = 0
    households = Household.objects.filter(village=team.village).order_by("number", "id")[:VISITS]
    for index, household in enumerate(households):
        members = list(Resident.objects.filter(household=household).order_by("id"))
        reached = {r.pk: set() for r in members}
        for resident_id, code in MilestoneEvent.objects.filter(resident__in=members).values_list(
            "resident_id", "milestone"
        ):
            reached[resident_id].add(code)
        if index % 2 == 0:
            milestones = _whole_family(members, reached, trader=index == 0)
        else:
            milestones = {
                r.pk: codes for r in members[:2] if (codes := _next_missing(reached[r.pk]))
            }
        _visit, created = record_visit(
            client_id=uuid.uuid5(DEMO_NAMESPACE, f"visit:{household.client_id or household.pk}"),
            recorded_by=recorder,
            team=team,
            visited_on=today - datetime.timedelta(days=3 * index + 1),
            channel=Visit.Channel.DOOR_TO_DOOR,
            household=household,
            residents=members,
            activities="Hướng dẫn cài đặt, kích hoạt VNeID và nhận diện tin nhắn lừa đảo.",
            milestones=milestones,
            problems_received=2 if index % 2 else 1,
            problems_resolved=1,
            problems_forwarded=1 if index % 2 else 0,
        )
        created_count += int(created)
    return created_count


def _site_and_class(village: Area, trainer: User) -> LearningSite:
    name = "Nhà văn hoá thôn Sài Lương"
    site = LearningSite.objects.filter(area=village, name=name).first() or save_site(
        area=village,
        kind=LearningSite.Kind.CULTURAL_HOUSE,
        name=name,
        address=VILLAGE_NAME + ", Xã Đông Cuông",
        computers=1,
        has_printer=True,
        has_wifi=True,
        funding=LearningSite.Funding.BUDGET,
    )
    title = "Cài đặt và dùng VNeID cho người cao tuổi"
    if not Class.objects.filter(site=site, title=title).exists():
        start = timezone.localtime().replace(hour=8, minute=0, second=0, microsecond=0)
        start += datetime.timedelta(days=7)
        schedule_class(
            site=site,
            title=title,
            topic=Topic.VNEID,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            trainer=trainer,
            created_by=trainer,
            for_elderly=True,
            capacity=15,
        )
    return site


def _events(commune: Area, village: Area, team: Team, organiser: User) -> None:
    today = timezone.localdate()
    tenth = datetime.date(today.year, 10, 10)
    if tenth < today:
        tenth = tenth.replace(year=today.year + 1)
    title = f"Ngày hội toàn dân học tập số {tenth:%d/%m/%Y}"
    if not Event.objects.filter(area=commune, title=title).exists():
        create_event(
            area=commune,
            kind=Event.Kind.LEARNING_DAY,
            title=title,
            date=tenth,
            place="Hội trường UBND Xã Đông Cuông",
            created_by=organiser,
        )
    contest_title = "Hội thi “Kỹ năng số cho mọi nhà” thôn Sài Lương"
    contest = Event.objects.filter(area=village, title=contest_title).first()
    if contest is None:
        contest = create_event(
            area=village,
            kind=Event.Kind.CONTEST,
            title=contest_title,
            date=today - datetime.timedelta(days=10),
            place="Nhà văn hoá thôn Sài Lương",
            created_by=organiser,
        )
    if not ContestEntry.objects.filter(event=contest).exists():
        contestants = Resident.objects.filter(village=village, year_of_birth__lt=2008)
        for rank, resident in enumerate(contestants.order_by("id")[:5]):
            record_contest_score(event=contest, resident=resident, score=Decimal(95 - 7 * rank))


@transaction.atomic
def load_demo_field() -> DemoFieldResult:
    """The team of Thôn Sài Lương with its quota, visits, site, class, events and recognitions."""
    commune = Area.objects.get(code=COMMUNE_CODE)
    village = Area.objects.get(parent=commune, name=VILLAGE_NAME, is_active=True)
    users = {u.username: u for u in User.objects.filter(username__in=[LEADER, MEMBER, AMBASSADOR])}
    leader, member, ambassador = users[LEADER], users[MEMBER], users[AMBASSADOR]

    team = Team.objects.filter(village=village).first() or save_team(
        village=village,
        decision_number="112/QĐ-UBND",
        decision_date=datetime.date(2025, 7, 15),
        contact_phone=leader.phone or "",
    )
    training = "Tập huấn kỹ năng hướng dẫn VNeID, dịch vụ công trực tuyến, thanh toán số"
    for user, role in ((leader, TeamMembership.Role.LEADER), (member, TeamMembership.Role.MEMBER)):
        if not team.memberships.filter(user=user).exists():
            add_team_member(
                team=team,
                user=user,
                role=role,
                joined_on=datetime.date(2025, 7, 15),
                training=training,
                trained_on=datetime.date(2025, 8, 2),
            )
    set_quota(
        team=team,
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 12, 31),
        people_supported_target=120,
        sessions_held_target=6,
        problems_solved_target=40,
    )
    visits_created = _visits(team, member)
    _site_and_class(village, leader)
    _events(commune, village, team, leader)

    for resident in Resident.objects.filter(village=village, year_of_birth__lt=1966).order_by("id")[
        :MENTEES
    ]:
        if not resident.mentorships.filter(ended_on__isnull=True).exists():
            assign_mentee(ambassador=ambassador, resident=resident, assigned_by=leader)

    for kind, criteria in DONG_CUONG_RULES.items():
        rule = RecognitionRule.objects.filter(commune=commune, kind=kind).first()
        if rule is None or rule.criteria != criteria:
            set_recognition_rule(commune=commune, kind=kind, criteria=criteria, updated_by=leader)
    recognitions = sum(
        rule.recognitions.filter(revoked_on__isnull=True).count()
        for rule in RecognitionRule.objects.filter(commune=commune)
    )
    return DemoFieldResult(team=team, visits_created=visits_created, recognitions=recognitions)
