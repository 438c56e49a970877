"""Keep the counters live: every write that changes an indicator updates them in its transaction.

Old values are read in pre_save/pre_delete (one indexed row) and kept on the instance, so that
post_save/post_delete move exactly what changed. Bulk writes that send no model signal send the
lower apps' own signals (people.signals, field.signals).
"""

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from hocvuso.field.models import Attendance, Class, Visit
from hocvuso.field.signals import attendances_marked
from hocvuso.learning.models import QuizAttempt
from hocvuso.monitoring.services import live
from hocvuso.people.models import Household, MilestoneEvent, Resident
from hocvuso.people.signals import residents_imported
from hocvuso.places.models import Area
from hocvuso.places.signals import village_merged, village_moved

_OLD = "_monitoring_old"


def _deleting_resident(origin) -> bool:
    """A resident's deletion counts its milestones itself: their own deletions are skipped."""
    if isinstance(origin, Resident):
        return True
    return isinstance(origin, QuerySet) and origin.model is Resident


# ---- Residents ---------------------------------------------------------------------------------


@receiver(pre_save, sender=Resident, dispatch_uid="monitoring.resident_before")
def resident_before(sender, instance, raw=False, **kwargs) -> None:
    if not raw and instance.pk is not None:
        setattr(instance, _OLD, live.stored_person(instance.pk))


@receiver(post_save, sender=Resident, dispatch_uid="monitoring.resident_saved")
def resident_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    before = getattr(instance, _OLD, None)
    if created or before is None:
        live.resident_created(instance)
    else:
        live.resident_changed(instance, before)
    setattr(instance, _OLD, live.person_of(instance))


@receiver(pre_delete, sender=Resident, dispatch_uid="monitoring.resident_leaving")
def resident_leaving(sender, instance, **kwargs) -> None:
    setattr(instance, _OLD, live.resident_leaving(instance.pk))


@receiver(post_delete, sender=Resident, dispatch_uid="monitoring.resident_deleted")
def resident_deleted(sender, instance, **kwargs) -> None:
    gone = getattr(instance, _OLD, None)
    if gone is not None:
        live.resident_deleted(instance.pk, gone)


@receiver(residents_imported, dispatch_uid="monitoring.residents_imported")
def imported(sender, *, resident_ids, household_ids, **kwargs) -> None:
    live.residents_imported(list(resident_ids), list(household_ids))


# ---- Milestones --------------------------------------------------------------------------------


@receiver(pre_save, sender=MilestoneEvent, dispatch_uid="monitoring.milestone_before")
def milestone_before(sender, instance, raw=False, **kwargs) -> None:
    if not raw and instance.pk is not None:
        setattr(
            instance,
            _OLD,
            MilestoneEvent.objects.filter(pk=instance.pk)
            .values_list("resident_id", "milestone", "achieved_on")
            .first(),
        )


@receiver(post_save, sender=MilestoneEvent, dispatch_uid="monitoring.milestone_saved")
def milestone_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    now = (instance.resident_id, instance.milestone, instance.achieved_on)
    before = None if created else getattr(instance, _OLD, None)
    if before == now:
        return
    if before is not None:
        person = live.stored_person(before[0])
        if person is not None:
            live.milestone_removed(person, *before)
    if MilestoneEvent.resident.is_cached(instance):
        person = live.person_of(instance.resident)
    else:
        person = live.stored_person(instance.resident_id)
    live.milestone_added(person, *now)
    setattr(instance, _OLD, now)


@receiver(pre_delete, sender=MilestoneEvent, dispatch_uid="monitoring.milestone_leaving")
def milestone_leaving(sender, instance, origin=None, **kwargs) -> None:
    if not _deleting_resident(origin):
        setattr(instance, _OLD, live.stored_person(instance.resident_id))


@receiver(post_delete, sender=MilestoneEvent, dispatch_uid="monitoring.milestone_deleted")
def milestone_deleted(sender, instance, origin=None, **kwargs) -> None:
    person = getattr(instance, _OLD, None)
    if person is not None and not _deleting_resident(origin):
        live.milestone_removed(
            person, instance.resident_id, instance.milestone, instance.achieved_on
        )


# ---- Households and visits ---------------------------------------------------------------------


def _place(area_id: int) -> tuple[int, str]:
    return area_id, Area.objects.values_list("path", flat=True).get(pk=area_id)


def _cached_place(instance, name: str) -> tuple[int, str] | None:
    """(id, path) of the area `instance.<name>` when the caller already loaded it, else None."""
    descriptor = getattr(type(instance), name)
    if descriptor.is_cached(instance):
        area = getattr(instance, name)
        if area is not None and area.path:
            return area.pk, area.path
    return None


@receiver(pre_save, sender=Household, dispatch_uid="monitoring.household_before")
def household_before(sender, instance, raw=False, **kwargs) -> None:
    if not raw and instance.pk is not None:
        setattr(
            instance,
            _OLD,
            Household.objects.filter(pk=instance.pk)
            .values_list("village_id", "village__path")
            .first(),
        )


@receiver(post_save, sender=Household, dispatch_uid="monitoring.household_saved")
def household_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    before = None if created else getattr(instance, _OLD, None)
    if before is not None and before[0] == instance.village_id:
        return
    if before is not None:
        live.household_counted(*before, instance.pk, -1)
    place = _cached_place(instance, "village") or _place(instance.village_id)
    live.household_counted(*place, instance.pk, 1)


@receiver(pre_delete, sender=Household, dispatch_uid="monitoring.household_leaving")
def household_leaving(sender, instance, **kwargs) -> None:
    setattr(instance, _OLD, _place(instance.village_id))


@receiver(post_delete, sender=Household, dispatch_uid="monitoring.household_deleted")
def household_deleted(sender, instance, **kwargs) -> None:
    live.household_counted(*getattr(instance, _OLD), instance.pk, -1)


def _visit_facts(visit_id: int):
    return (
        Visit.objects.filter(pk=visit_id)
        .values_list("area_id", "area__path", "visited_on", "household_id")
        .first()
    )


@receiver(pre_save, sender=Visit, dispatch_uid="monitoring.visit_before")
def visit_before(sender, instance, raw=False, **kwargs) -> None:
    if not raw and instance.pk is not None:
        setattr(instance, _OLD, _visit_facts(instance.pk))


@receiver(post_save, sender=Visit, dispatch_uid="monitoring.visit_saved")
def visit_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    before = None if created else getattr(instance, _OLD, None)
    now = (instance.area_id, instance.visited_on, instance.household_id)
    if before is not None and (before[0], before[2], before[3]) == now:
        return
    if before is not None:
        live.visit_counted(*before, -1)
    # The visit's area and its household's village come loaded from the service: no reads.
    place = _cached_place(instance, "area") or _place(instance.area_id)
    household_place = None
    if instance.household_id is not None and Visit.household.is_cached(instance):
        household_place = _cached_place(instance.household, "village")
    live.visit_counted(
        *place, instance.visited_on, instance.household_id, 1, household_place=household_place
    )


@receiver(pre_delete, sender=Visit, dispatch_uid="monitoring.visit_leaving")
def visit_leaving(sender, instance, **kwargs) -> None:
    setattr(instance, _OLD, _visit_facts(instance.pk))


@receiver(post_delete, sender=Visit, dispatch_uid="monitoring.visit_deleted")
def visit_deleted(sender, instance, **kwargs) -> None:
    before = getattr(instance, _OLD, None)
    if before is not None:
        live.visit_counted(*before, -1)


# ---- Classes, attendance, quizzes ----------------------------------------------------------


def _class_facts(class_id: int):
    row = (
        Class.objects.filter(pk=class_id)
        .values_list("site__area_id", "site__area__path", "starts_at")
        .first()
    )
    return None if row is None else (row[0], row[1], live.local_date(row[2]))


def _attendance_facts(attendance: Attendance):
    resident = (
        Resident.objects.filter(pk=attendance.resident_id)
        .values_list("village_id", "village__path")
        .first()
    )
    klass = _class_facts(attendance.class_session_id)
    if resident is None or klass is None:
        return None
    return resident, klass[:2], attendance.class_session_id, klass[2]


@receiver(post_save, sender=Attendance, dispatch_uid="monitoring.attendance_saved")
def attendance_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        facts = _attendance_facts(instance)
        if facts is not None:
            live.attendance_counted(*facts, 1)


@receiver(attendances_marked, dispatch_uid="monitoring.attendances_marked")
def attendances_bulk(sender, *, attendances, **kwargs) -> None:
    for attendance in attendances:
        attendance_saved(Attendance, attendance, created=True)


@receiver(pre_delete, sender=Attendance, dispatch_uid="monitoring.attendance_leaving")
def attendance_leaving(sender, instance, **kwargs) -> None:
    setattr(instance, _OLD, _attendance_facts(instance))


@receiver(post_delete, sender=Attendance, dispatch_uid="monitoring.attendance_deleted")
def attendance_deleted(sender, instance, **kwargs) -> None:
    facts = getattr(instance, _OLD, None)
    if facts is not None:
        live.attendance_counted(*facts, -1)


@receiver(pre_save, sender=Class, dispatch_uid="monitoring.class_before")
def class_before(sender, instance, raw=False, **kwargs) -> None:
    if not raw and instance.pk is not None:
        setattr(instance, _OLD, _class_facts(instance.pk))


@receiver(post_save, sender=Class, dispatch_uid="monitoring.class_saved")
def class_saved(sender, instance, created, raw=False, **kwargs) -> None:
    before = None if created or raw else getattr(instance, _OLD, None)
    if before is None:
        return
    after = _class_facts(instance.pk)
    if after is not None and (before[0], before[2]) != (after[0], after[2]):
        live.class_moved(instance.pk, before, after)


def _pass_day(attempt: QuizAttempt):
    return live.local_date(attempt.submitted_at or attempt.started_at)


@receiver(pre_save, sender=QuizAttempt, dispatch_uid="monitoring.attempt_before")
def attempt_before(sender, instance, raw=False, **kwargs) -> None:
    if not raw and instance.pk is not None:
        setattr(
            instance,
            _OLD,
            QuizAttempt.objects.filter(pk=instance.pk)
            .values_list("passed", "submitted_at", "started_at")
            .first(),
        )


@receiver(post_save, sender=QuizAttempt, dispatch_uid="monitoring.attempt_saved")
def attempt_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    before = None if created else getattr(instance, _OLD, None)
    was = bool(before and before[0])
    if was and not instance.passed:
        live.quiz_pass_counted(instance.learner_id, live.local_date(before[1] or before[2]), -1)
    elif instance.passed and not was:
        live.quiz_pass_counted(instance.learner_id, _pass_day(instance), 1)
    setattr(instance, _OLD, (instance.passed, instance.submitted_at, instance.started_at))


@receiver(post_delete, sender=QuizAttempt, dispatch_uid="monitoring.attempt_deleted")
def attempt_deleted(sender, instance, **kwargs) -> None:
    if instance.passed:
        live.quiz_pass_counted(instance.learner_id, _pass_day(instance), -1)


# ---- The village map ---------------------------------------------------------------------------


@receiver(village_merged, dispatch_uid="monitoring.village_merged")
def merged(sender, *, source, target, **kwargs) -> None:
    live.village_merged(source, target)


@receiver(village_moved, dispatch_uid="monitoring.village_moved")
def moved(sender, *, village, old_commune, new_commune, **kwargs) -> None:
    live.village_moved(village, old_commune, new_commune)


# ---- Basic-level confirmations (when the skills app is installed) ------------------------------


def confirmed(sender, *, confirmation, area, target_group, **kwargs) -> None:
    live.confirmation_counted(area, target_group, confirmation.confirmed_on, 1)


def revoked(sender, *, confirmation, area, target_group, **kwargs) -> None:
    live.confirmation_counted(area, target_group, confirmation.confirmed_on, -1)


def connect_skills() -> None:
    """Count confirmations as the skills app issues and revokes them."""
    from hocvuso.skills.signals import confirmation_revoked, person_confirmed

    person_confirmed.connect(confirmed, dispatch_uid="monitoring.person_confirmed")
    confirmation_revoked.connect(revoked, dispatch_uid="monitoring.confirmation_revoked")
