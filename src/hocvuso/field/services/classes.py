"""Learning sites, the classes held there, and attendance taken from the registry."""

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hocvuso.accounts.authz import Perm, can
from hocvuso.field.models import Attendance, Class, LearningSite
from hocvuso.field.signals import attendances_marked
from hocvuso.learning.models import Course
from hocvuso.people.models import Resident
from hocvuso.places.models import Area


@transaction.atomic
def save_site(
    *,
    area: Area,
    kind: str,
    name: str,
    address: str = "",
    computers: int = 0,
    has_printer: bool = False,
    has_scanner: bool = False,
    has_wifi: bool = False,
    funding: str = LearningSite.Funding.BUDGET,
    sponsor: str = "",
    site: LearningSite | None = None,
) -> LearningSite:
    """Create a learning site in a village or commune, or update `site`."""
    if area.level not in (Area.Level.COMMUNE, Area.Level.VILLAGE):
        raise ValidationError(_("Điểm học tập đặt tại một xã hoặc một thôn."))
    if funding == LearningSite.Funding.SPONSOR and not sponsor.strip():
        raise ValidationError(_("Hãy ghi tên đơn vị tài trợ."))
    site = site or LearningSite()
    site.area = area
    site.kind = kind
    site.name = name.strip()
    site.address = address.strip()
    site.computers = computers
    site.has_printer = has_printer
    site.has_scanner = has_scanner
    site.has_wifi = has_wifi
    site.funding = funding
    site.sponsor = sponsor.strip() if funding == LearningSite.Funding.SPONSOR else ""
    site.full_clean()
    site.save()
    return site


@transaction.atomic
def schedule_class(
    *,
    site: LearningSite,
    title: str,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    created_by,
    topic: str = "",
    course: Course | None = None,
    trainer=None,
    for_elderly: bool = False,
    for_disability: bool = False,
    for_ethnic_minority: bool = False,
    capacity: int = 20,
) -> Class:
    """Schedule a class at a site; the one who schedules needs field-work rights over the site."""
    if not can(created_by, Perm.RECORD_FIELD_WORK, site.area):
        raise PermissionDenied
    if ends_at <= starts_at:
        raise ValidationError(_("Giờ kết thúc phải sau giờ bắt đầu."))
    if not topic and course is None:
        raise ValidationError(_("Hãy chọn chủ đề hoặc khoá học của lớp."))
    session = Class(
        site=site,
        title=title.strip(),
        topic=topic or (course.topic if course else ""),
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        trainer=trainer,
        for_elderly=for_elderly,
        for_disability=for_disability,
        for_ethnic_minority=for_ethnic_minority,
        capacity=capacity,
        created_by=created_by,
    )
    session.full_clean()
    session.save()
    return session


def _check_attendee(class_session: Class, resident: Resident, marked_by) -> None:
    site_area = class_session.site.area
    if not resident.village.path.startswith(site_area.path) and not (
        site_area.level == Area.Level.VILLAGE and resident.village.parent_id == site_area.parent_id
    ):
        raise ValidationError(
            _("%(name)s không ở địa bàn của điểm học này.") % {"name": resident.full_name}
        )
    if not can(marked_by, Perm.RECORD_FIELD_WORK, resident.village):
        raise PermissionDenied


def mark_attendance(
    *,
    class_session: Class,
    resident: Resident,
    marked_by,
    client_id: uuid.UUID | str | None = None,
) -> tuple[Attendance, bool]:
    """Mark one resident present; marking again (or replaying client_id) changes nothing."""
    if client_id is not None:
        existing = Attendance.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing, False
    _check_attendee(class_session, resident, marked_by)
    try:
        with transaction.atomic():
            return Attendance.objects.get_or_create(
                class_session=class_session,
                resident=resident,
                defaults={"marked_by": marked_by, "client_id": client_id},
            )
    except IntegrityError:
        existing = (
            Attendance.objects.filter(class_session=class_session, resident=resident).first()
            or Attendance.objects.filter(client_id=client_id).first()
        )
        if existing is None:
            raise
        return existing, False


@transaction.atomic
def take_attendance(
    *, class_session: Class, present: Iterable[Resident], marked_by
) -> tuple[int, int]:
    """Make the attendance list exactly `present`; (added, removed). Submitting twice changes nothing."""
    present = list(present)
    if len(present) > class_session.capacity:
        raise ValidationError(
            _("Lớp chỉ có %(capacity)s chỗ.") % {"capacity": class_session.capacity}
        )
    for resident in present:
        _check_attendee(class_session, resident, marked_by)
    keep = {r.pk for r in present}
    already = set(class_session.attendances.values_list("resident_id", flat=True))
    gone = class_session.attendances.exclude(resident_id__in=keep)
    for attendance in gone.select_related("resident__village"):
        if not can(marked_by, Perm.RECORD_FIELD_WORK, attendance.resident.village):
            raise PermissionDenied
    removed, _details = gone.delete()
    added = Attendance.objects.bulk_create(
        [
            Attendance(class_session=class_session, resident=r, marked_by=marked_by)
            for r in present
            if r.pk not in already
        ]
    )
    attendances_marked.send(sender=Attendance, attendances=added)
    return len(keep - already), removed
