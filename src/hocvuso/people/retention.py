"""Retention of personal data: what is past AUDIT_RETENTION_DAYS / INACTIVE_RESIDENT_RETENTION_DAYS.

A resident is past retention when no consent of theirs is in force and nothing about them has
changed for INACTIVE_RESIDENT_RETENTION_DAYS: their record, a milestone, a consent given or
withdrawn, or a sign-in of their learner account. Such a resident is erased as on request
(rights.erase_resident: through the ORM, so the live counters follow, and audited).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.people.models import Consent, MilestoneEvent, PersonalDataAccess, Resident
from hocvuso.people.rights import erase_resident


@dataclass
class RetentionReport:
    audit_cutoff: datetime.datetime | None
    resident_cutoff: datetime.datetime | None
    audit_rows: int = 0
    residents: int = 0
    resident_ids: list[int] = field(default_factory=list)
    applied: bool = False


def _cutoff(days: int, now: datetime.datetime) -> datetime.datetime | None:
    return now - datetime.timedelta(days=days) if days > 0 else None


def inactive_residents(cutoff: datetime.datetime) -> QuerySet[Resident]:
    """Residents with no consent in force and nothing recorded about them since `cutoff`."""
    active_consent = Consent.objects.filter(resident=OuterRef("pk"), withdrawn_at__isnull=True)
    recent_consent = Consent.objects.filter(resident=OuterRef("pk")).filter(
        Q(given_at__gte=cutoff) | Q(withdrawn_at__gte=cutoff)
    )
    recent_milestone = MilestoneEvent.objects.filter(
        resident=OuterRef("pk"), recorded_at__gte=cutoff
    )
    return (
        Resident.objects.filter(updated_at__lt=cutoff)
        .exclude(Exists(active_consent))
        .exclude(Exists(recent_consent))
        .exclude(Exists(recent_milestone))
        .exclude(user__last_login__gte=cutoff)
        .order_by("pk")
    )


def apply_retention(
    *,
    apply: bool = False,
    now: datetime.datetime | None = None,
    audit_days: int | None = None,
    resident_days: int | None = None,
) -> RetentionReport:
    """What is past retention, and with apply=True purge it; a dry run changes nothing.

    Residents are erased one by one (each its own transaction, so a failure leaves the others
    done and the failed one whole); the old audit rows go last, so this run's own erasures stay.
    """
    now = now or timezone.now()
    audit_days = settings.AUDIT_RETENTION_DAYS if audit_days is None else audit_days
    resident_days = (
        settings.INACTIVE_RESIDENT_RETENTION_DAYS if resident_days is None else resident_days
    )
    report = RetentionReport(
        audit_cutoff=_cutoff(audit_days, now), resident_cutoff=_cutoff(resident_days, now)
    )
    old_audit = (
        PersonalDataAccess.objects.filter(at__lt=report.audit_cutoff)
        if report.audit_cutoff
        else PersonalDataAccess.objects.none()
    )
    if report.resident_cutoff:
        report.resident_ids = list(
            inactive_residents(report.resident_cutoff).values_list("pk", flat=True)
        )
    report.residents = len(report.resident_ids)
    report.audit_rows = old_audit.count()
    if not apply:
        return report
    purpose = _("Hết thời hạn lưu trữ (%(days)d ngày không còn được phục vụ)") % {
        "days": resident_days
    }
    for resident in Resident.objects.filter(pk__in=report.resident_ids).select_related("village"):
        erase_resident(resident=resident, erased_by=None, purpose=purpose, with_account=False)
    if report.audit_cutoff:
        report.audit_rows, _per_model = old_audit.delete()
    report.applied = True
    return report
