"""The personal-data audit log: record each viewing, export or change, and search it by area.

Law 91/2025/QH15 and Decree 356/2025/NĐ-CP ask who processed whose data, when and why. Every page
and API operation that shows a resident's or a household's personal data calls `record_access`
once: one INSERT; a list is one row with its area and how many people it showed.
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from hocvuso.accounts.authz import Perm, scope_q
from hocvuso.accounts.throttle import client_ip
from hocvuso.people.models import Household, PersonalDataAccess, Resident
from hocvuso.places.models import Area

Action = PersonalDataAccess.Action


def record_access(
    *,
    action: str,
    what: str,
    request: HttpRequest | None = None,
    user=None,
    area: Area | None = None,
    area_path: str = "",
    resident: Resident | None = None,
    household: Household | None = None,
    count: int = 0,
    purpose: str = "",
) -> PersonalDataAccess:
    """Append one row to the audit log and return it.

    `user` defaults to the request's; `area` to the resident's or household's village. For a list,
    pass the area listed (or, for a list over the user's whole scope, `area_path`) and `count`
    (how many people it showed). Example, from a view:
    `record_access(request=request, action=Action.VIEW, what="people:resident", resident=r)`.
    """
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if area is None:
        source = resident if resident is not None else household
        area = getattr(source, "village", None) if source is not None else None
    if resident is not None and household is None and resident.household_id is not None:
        household_id = resident.household_id
    else:
        household_id = household.pk if household is not None else None
    return PersonalDataAccess.objects.create(
        user=user,
        username=user.get_username() if user is not None else "",
        action=Action(action),
        what=what[:80],
        area=area,
        area_path=area.path if area is not None else area_path,
        resident_id=resident.pk if resident is not None else None,
        household_id=household_id,
        subject_count=count or (1 if resident is not None else 0),
        purpose=(purpose or "")[:300],
        # The same address the login throttle sees: one place decides how a proxy is trusted.
        ip=client_ip(request),
    )


@dataclass(frozen=True)
class LogFilter:
    """What the officer searches the log for; empty fields do not filter."""

    resident_id: int | None = None
    resident_name: str = ""
    username: str = ""
    action: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None


def access_log(user, filters: LogFilter) -> QuerySet[PersonalDataAccess]:
    """The log rows in the user's scope for Perm.MANAGE_PERSONAL_DATA, newest first, filtered.

    A row belongs to the area it was recorded for; rows without an area (a self-service export of
    a person with no village) are seen nationally only. A name matches the residents still on
    the register in scope; an erased resident is found by id.
    """
    rows = PersonalDataAccess.objects.filter(
        scope_q(user, Perm.MANAGE_PERSONAL_DATA, "area_path")
    ).order_by("-at", "-id")
    if filters.resident_id is not None:
        rows = rows.filter(resident_id=filters.resident_id)
    if filters.resident_name:
        matching = Resident.objects.filter(
            scope_q(user, Perm.MANAGE_PERSONAL_DATA, "village__path"),
            full_name__icontains=filters.resident_name,
        ).values_list("pk", flat=True)[:500]
        rows = rows.filter(resident_id__in=list(matching))
    if filters.username:
        rows = rows.filter(username__icontains=filters.username)
    if filters.action:
        rows = rows.filter(action=filters.action)
    zone = timezone.get_current_timezone()
    if filters.since:
        start = datetime.datetime.combine(filters.since, datetime.time.min, tzinfo=zone)
        rows = rows.filter(at__gte=start)
    if filters.until:
        end = datetime.datetime.combine(
            filters.until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        rows = rows.filter(at__lt=end)
    return rows


def accesses_of(resident_id: int) -> QuerySet[PersonalDataAccess]:
    """Every recorded access to one resident, oldest first: part of what they may ask to see."""
    return PersonalDataAccess.objects.filter(resident_id=resident_id).order_by("at", "id")
