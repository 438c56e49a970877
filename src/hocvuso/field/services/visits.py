"""Visits: a door-to-door visit or a help-desk session, recorded once whatever the retries."""

import datetime
import uuid
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.authz import Perm, can
from hocvuso.field.models import Team, Visit
from hocvuso.field.services.recognitions import recognitions_deferred
from hocvuso.people.choices import Milestone
from hocvuso.people.models import Household, MilestoneEvent, Resident
from hocvuso.people.services import record_milestone
from hocvuso.places.models import Area


def _clean_milestones(milestones: dict, resident_ids: set[int]) -> dict[int, list[str]]:
    known = set(Milestone.values)
    cleaned: dict[int, list[str]] = {}
    for key, codes in (milestones or {}).items():
        try:
            resident_id = int(key)
        except (TypeError, ValueError):
            raise ValidationError(_("Mã người dân không hợp lệ.")) from None
        if resident_id not in resident_ids:
            raise ValidationError(_("Mốc kỹ năng số chỉ ghi cho người có trong lượt hỗ trợ này."))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise ValidationError(
                _("Mốc không có trong danh mục: %(codes)s.")
                % {"codes": ", ".join(map(str, unknown))}
            )
        cleaned[resident_id] = list(dict.fromkeys(codes))
    return cleaned


def _visit_area(channel: str, *, team, household, residents) -> Area:
    """The village visited, or the commune whose help desk received the person."""
    if team is not None:
        village = team.village
    elif household is not None:
        village = household.village
    elif residents:
        village = residents[0].village
    else:
        raise ValidationError(_("Hãy chọn hộ gia đình hoặc người được hỗ trợ."))
    if channel == Visit.Channel.HELP_DESK:
        return Area.objects.get(pk=village.parent_id)
    return village


def _check_counts(received: int, resolved: int, forwarded: int) -> None:
    if min(received, resolved, forwarded) < 0:
        raise ValidationError(_("Số vướng mắc không được âm."))
    if resolved + forwarded > received:
        raise ValidationError(
            _("Số vướng mắc giải quyết tại chỗ và chuyển lên xã không được vượt số tiếp nhận.")
        )


def record_visit(
    *,
    client_id: uuid.UUID | str,
    recorded_by,
    team: Team | None = None,
    visited_on: datetime.date,
    channel: str,
    household: Household | None = None,
    residents: Iterable[Resident] = (),
    activities: str = "",
    milestones: dict[int, list[str]] | None = None,
    problems_received: int = 0,
    problems_resolved: int = 0,
    problems_forwarded: int = 0,
    note: str = "",
) -> tuple[Visit, bool]:
    """Record a visit and the milestones reached in it; a replayed client_id returns the first one.

    Returns (visit, created). A replay changes nothing even if its payload differs: the visit first
    recorded under that client_id wins, and created=False tells the caller so.
    """
    try:
        client_id = uuid.UUID(str(client_id))
    except ValueError:
        raise ValidationError(_("Mã lượt hỗ trợ không hợp lệ.")) from None
    existing = Visit.objects.filter(client_id=client_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            visit = _create_visit(
                client_id=client_id,
                recorded_by=recorded_by,
                team=team,
                visited_on=visited_on,
                channel=channel,
                household=household,
                residents=list(residents),
                activities=activities,
                milestones=milestones or {},
                counts=(problems_received, problems_resolved, problems_forwarded),
                note=note,
            )
    except IntegrityError:
        # The same client_id committed by a concurrent request between the lookup and the insert.
        existing = Visit.objects.filter(client_id=client_id).first()
        if existing is None:
            raise
        return existing, False
    return visit, True


def _create_visit(
    *,
    client_id,
    recorded_by,
    team,
    visited_on,
    channel,
    household,
    residents,
    activities,
    milestones,
    counts,
    note,
) -> Visit:
    if channel not in Visit.Channel.values:
        raise ValidationError(_("Hình thức hỗ trợ không hợp lệ."))
    if not isinstance(visited_on, datetime.date):
        raise ValidationError(_("Ngày hỗ trợ không hợp lệ."))
    if visited_on > timezone.localdate():
        raise ValidationError(_("Ngày hỗ trợ không thể ở tương lai."))
    _check_counts(*counts)
    # Read again from the registry: the caller's copies may be stale or come from another village.
    members = Resident.objects.select_related("village")
    if residents:
        residents = list(members.filter(pk__in={r.pk for r in residents}))
    elif household is not None:
        residents = list(members.filter(household=household))
    if household is not None and any(r.household_id != household.pk for r in residents):
        raise ValidationError(_("Người được chọn không thuộc hộ gia đình này."))
    if team is None and channel == Visit.Channel.DOOR_TO_DOOR:
        village_id = (
            household.village_id if household else (residents[0].village_id if residents else None)
        )
        team = Team.objects.filter(village_id=village_id).select_related("village").first()
    area = _visit_area(channel, team=team, household=household, residents=residents)
    cleaned = _clean_milestones(milestones, {r.pk for r in residents})

    villages = {r.village_id: r.village for r in residents}
    if household is not None and household.village_id not in villages:
        villages[household.village_id] = household.village
    scopes = [area, *villages.values()]
    if not all(can(recorded_by, Perm.RECORD_FIELD_WORK, scope) for scope in scopes):
        raise PermissionDenied(_("Bạn không có quyền ghi nhận hỗ trợ cho người dân ở địa bàn này."))
    if channel == Visit.Channel.DOOR_TO_DOOR and any(v.pk != area.pk for v in villages.values()):
        raise ValidationError(_("Một lượt đến nhà chỉ ghi cho người dân của cùng một thôn."))

    visit = Visit(
        client_id=client_id,
        team=team,
        area=area,
        recorded_by=recorded_by,
        visited_on=visited_on,
        channel=channel,
        household=household,
        activities=activities.strip(),
        problems_received=counts[0],
        problems_resolved=counts[1],
        problems_forwarded=counts[2],
        note=note.strip(),
    )
    visit.save()
    if residents:
        visit.residents.add(*residents)
    by_id = {r.pk: r for r in residents}
    with recognitions_deferred(known=residents):
        for resident_id, codes in cleaned.items():
            for code in codes:
                record_milestone(
                    resident=by_id[resident_id],
                    milestone=code,
                    achieved_on=visited_on,
                    method=MilestoneEvent.Method.VISIT,
                    recorded_by=recorded_by,
                    source=f"visit:{client_id}",
                )
    return visit
