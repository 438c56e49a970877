"""A random mix of the events that move the counters, and snapshots to compare live with rebuilt."""

import datetime
import random
import uuid
from collections import Counter

from django.db.models import Sum
from django.utils import timezone

from hocvuso.field.models import Attendance, Class, LearningSite, Visit
from hocvuso.field.models_sync import SyncItemType
from hocvuso.field.services.classes import mark_attendance, take_attendance
from hocvuso.field.services.visits import record_visit
from hocvuso.field.sync import SyncItem, sync_batch
from hocvuso.learning.models import QuizAttempt
from hocvuso.monitoring.models import AreaCounter, Tally, WeeklyCounter
from hocvuso.people.choices import Milestone, TargetGroup
from hocvuso.people.models import Household, MilestoneEvent, Resident
from hocvuso.people.services import (
    ImportMode,
    ResidentRow,
    import_residents,
    record_milestone,
    record_milestones,
    register_household,
    register_resident,
    update_resident,
)
from hocvuso.places.services import create_village, merge_villages, move_village
from tests.learning.factories import add_lesson, make_course, make_publisher


def snapshot() -> tuple[dict, dict, dict]:
    """Counters (slots summed, zeros dropped), weekly series, and tallies."""
    totals = {
        (row["area_id"], row["metric"]): row["total"]
        for row in AreaCounter.objects.values("area_id", "metric").annotate(total=Sum("value"))
        if row["total"]
    }
    weekly = {
        (row["area_id"], row["metric"], row["week"]): row["total"]
        for row in WeeklyCounter.objects.values("area_id", "metric", "week").annotate(
            total=Sum("value")
        )
        if row["total"]
    }
    tallies = {
        (t.kind, t.object_id): (t.count, t.first_on) for t in Tally.objects.filter(count__gt=0)
    }
    return totals, weekly, tallies


def differences(live: dict, rebuilt: dict) -> dict:
    keys = set(live) | set(rebuilt)
    return {k: (live.get(k), rebuilt.get(k)) for k in keys if live.get(k) != rebuilt.get(k)}


class EventMix:
    """Drives random events through the real services, as users would."""

    def __init__(self, *, rng: random.Random, villages: list, recorder, learners: list):
        self.rng = rng
        self.villages = villages
        self.recorder = recorder
        self.learners = learners
        self.today = timezone.localdate()

    def _day(self) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randrange(0, 120))

    def _village(self):
        return self.rng.choice([v for v in self.villages if v.is_active])

    def _resident(self):
        return Resident.objects.filter(village__in=[v for v in self.villages]).order_by("?").first()

    def create_household(self):
        village = self._village()
        household = register_household(
            village=village, head_name=f"Hộ {self.rng.randrange(10**6)}", created_by=self.recorder
        )
        for _ in range(self.rng.randrange(1, 4)):
            register_resident(
                village=village,
                household=household,
                full_name=f"Người {self.rng.randrange(10**6)}",
                year_of_birth=self.rng.choice([None, 1950, 1985, 2005, self.today.year - 3]),
                target_group=self.rng.choice(TargetGroup.values),
                created_by=self.recorder,
            )

    def milestone(self):
        resident = self._resident()
        if resident is not None:
            record_milestone(
                resident=resident,
                milestone=self.rng.choice(Milestone.values),
                achieved_on=self._day(),
                method=MilestoneEvent.Method.VISIT,
                recorded_by=self.recorder,
            )

    def milestones_in_bulk(self):
        residents = list(Resident.objects.filter(village__in=self.villages).order_by("?")[:3])
        record_milestones(
            resident_milestones=[
                (r, self.rng.sample(Milestone.values, 2)) for r in residents if r is not None
            ],
            achieved_on=self._day(),
            method=MilestoneEvent.Method.CLASS,
            recorded_by=self.recorder,
        )

    def delete_milestone(self):
        event = MilestoneEvent.objects.filter(resident__village__in=self.villages).order_by("?")
        event = event.first()
        if event is not None:
            event.delete()

    def delete_milestones_of_a_resident(self):
        resident = self._resident()
        if resident is not None:
            MilestoneEvent.objects.filter(resident=resident).delete()

    def delete_resident(self):
        resident = (
            Resident.objects.filter(village__in=self.villages, attendances__isnull=True)
            .order_by("?")
            .first()
        )
        if resident is not None and not resident.field_visits.exists():
            resident.delete()

    def change_resident(self):
        resident = self._resident()
        if resident is not None:
            update_resident(
                resident=resident,
                changed_by=self.recorder,
                year_of_birth=self.rng.choice([None, 1960, 2015]),
                target_group=self.rng.choice(TargetGroup.values),
            )

    def visit(self):
        household = Household.objects.filter(village__in=self.villages).order_by("?").first()
        if household is None:
            return
        residents = list(household.members.all()[:2])
        record_visit(
            client_id=uuid.UUID(int=self.rng.getrandbits(128)),
            recorded_by=self.recorder,
            visited_on=self._day(),
            channel=Visit.Channel.DOOR_TO_DOOR,
            household=household,
            residents=residents,
            milestones={r.pk: [self.rng.choice(Milestone.values)] for r in residents},
        )

    def sync_visits(self):
        """A field member's batch of visits, one of them bad: the bad one is undone alone."""
        households = list(Household.objects.filter(village__in=self.villages).order_by("?")[:4])
        items = []
        for household in households:
            members = list(household.members.all()[:2])
            items.append(
                SyncItem(
                    client_id=uuid.UUID(int=self.rng.getrandbits(128)),
                    type=SyncItemType.VISIT,
                    payload={
                        "visited_on": self._day().isoformat(),
                        "household_id": household.pk,
                        "resident_ids": [r.pk for r in members],
                        "milestones": {
                            str(r.pk): [self.rng.choice(Milestone.values)] for r in members
                        },
                    },
                )
            )
        if items:
            # Dated in the future: refused, and the rest of the batch applied.
            bad = dict(items[0].payload, visited_on="2999-01-01")
            items.insert(self.rng.randrange(len(items) + 1), SyncItem(uuid.uuid4(), "visit", bad))
        results = sync_batch(user=self.recorder, items=items)
        assert sum(r.status == "rejected" for r in results) == (1 if items else 0), results

    def delete_visit(self):
        visit = Visit.objects.filter(area__in=self.villages).order_by("?").first()
        if visit is not None:
            visit.delete()

    def attendance(self):
        village = self._village()
        site = LearningSite.objects.filter(area=village).first()
        if site is None:
            site = LearningSite.objects.create(
                area=village, kind="cultural_house", name="Nhà văn hoá"
            )
        start = timezone.now() - datetime.timedelta(days=self.rng.randrange(0, 60))
        session = Class.objects.create(
            site=site, title="VNeID", starts_at=start, ends_at=start + datetime.timedelta(hours=2)
        )
        residents = list(Resident.objects.filter(village=village).order_by("?")[:4])
        if self.rng.random() < 0.5:
            take_attendance(class_session=session, present=residents, marked_by=self.recorder)
        else:
            for resident in residents:
                mark_attendance(class_session=session, resident=resident, marked_by=self.recorder)

    def unmark(self):
        attendance = Attendance.objects.filter(resident__village__in=self.villages)
        attendance = attendance.order_by("?").first()
        if attendance is not None:
            attendance.delete()

    def reschedule(self):
        session = Class.objects.filter(site__area__in=self.villages).order_by("?").first()
        if session is not None:
            session.starts_at -= datetime.timedelta(days=self.rng.randrange(3, 30))
            session.ends_at = session.starts_at + datetime.timedelta(hours=2)
            session.save()

    def quiz_pass(self):
        learner = self.rng.choice(self.learners)
        lesson = getattr(self, "_lesson", None)
        if lesson is None:
            lesson = self._lesson = add_lesson(make_course(publisher=make_publisher()), "check")
        number = QuizAttempt.objects.filter(learner=learner, lesson=lesson).count() + 1
        attempt = QuizAttempt.objects.create(learner=learner, lesson=lesson, number=number)
        attempt.submitted_at = timezone.now() - datetime.timedelta(days=self.rng.randrange(30))
        attempt.score_percent = self.rng.choice([40, 90])
        attempt.passed = attempt.score_percent >= 80
        attempt.save(update_fields=["submitted_at", "score_percent", "passed"])

    def import_list(self):
        village = self._village()
        n = self.rng.randrange(10**6)
        rows = [
            ResidentRow(
                row=i + 2,
                full_name=f"Nhập {n} {i}",
                head_name=f"Chủ hộ {n} {i // 2}",
                household_number=f"N{n}-{i // 2}",
                year_of_birth=str(self.rng.choice([1950, 1990, 2012])),
                target_group=self.rng.choice(["Người dân", "Học sinh, sinh viên"]),
            )
            for i in range(5)
        ]
        import_residents(
            village_or_commune=village,
            rows=rows,
            mode=ImportMode.GOOD_ROWS,
            imported_by=self.recorder,
        )

    def new_village(self):
        commune = self.villages[0].parent
        self.villages.append(
            create_village(commune=commune, name=f"Thôn mới {self.rng.randrange(10**6)}")
        )

    def merge(self):
        active = [v for v in self.villages if v.is_active]
        same = [(a, b) for a in active for b in active if a != b and a.parent_id == b.parent_id]
        if same:
            source, target = self.rng.choice(same)
            merge_villages(source=source, target=target, changed_by=self.recorder)
            source.refresh_from_db()

    def move(self, communes):
        village = self._village()
        others = [c for c in communes if c.pk != village.parent_id]
        move_village(village=village, to_commune=self.rng.choice(others), changed_by=self.recorder)
        village.refresh_from_db()

    def run(self, steps: int, communes) -> Counter:
        """Run `steps` random events; return how many of each kind ran."""
        kinds = [
            (self.create_household, 6),
            (self.milestone, 6),
            (self.milestones_in_bulk, 2),
            (self.delete_milestone, 2),
            (self.delete_milestones_of_a_resident, 1),
            (self.delete_resident, 1),
            (self.change_resident, 2),
            (self.visit, 3),
            (self.sync_visits, 2),
            (self.delete_visit, 1),
            (self.attendance, 2),
            (self.unmark, 1),
            (self.reschedule, 1),
            (self.quiz_pass, 2),
            (self.import_list, 1),
        ]
        if communes:
            kinds += [
                (self.new_village, 1),
                (self.merge, 1),
                (lambda: self.move(communes), 1),
            ]
        ran: Counter = Counter()
        actions = [action for action, weight in kinds for _ in range(weight)]
        for _ in range(steps):
            action = self.rng.choice(actions)
            action()
            ran[getattr(action, "__name__", "move")] += 1
        return ran
