"""Visits: a door-to-door visit or a help-desk session, recorded once whatever the retries."""

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.authz import Perm, can
from hocvuso.field.models import Team, Visit
from hocvuso.field.services.recognitions import recognitions_deferred
from hocvuso.people.choices import Milestone
from hocvuso.people.models import Household, MilestoneEvent, Resident
from hocvuso.people.services import (
    PeopleError,
    record_milestones,
    refuse_if_withdrawn,
    residents_who_withdrew,
)
from hocvuso.places.models import Area
from hocvuso.write_batch import write_batch


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


@dataclass
class Preloaded:
    """Registry rows read once for a batch of visits, in the batch's transaction.

    `residents` holds the residents named and every member of the households named, with their
    village; `teams` the team of each of their villages; `visits` those already recorded under the
    batch's client_ids; `withdrawn` those residents who withdrew consent; `milestones` every
    milestone of those residents. The batch must not change residents while it uses them.
    """

    residents: dict[int, Resident]
    households: dict[int, Household]
    teams: dict[int, Team | None]
    visits: dict[uuid.UUID, Visit]
    withdrawn: set[int]
    milestones: dict[tuple[int, str], MilestoneEvent]


def preload_visits(
    *, client_ids: Iterable[uuid.UUID], household_ids: Iterable[int], resident_ids: Iterable[int]
) -> Preloaded:
    """Read, in six queries, what record_visit would read once per visit of a batch."""
    household_ids, resident_ids = set(household_ids), set(resident_ids)
    households = {
        h.pk: h for h in Household.objects.filter(pk__in=household_ids).select_related("village")
    }
    residents = {
        r.pk: r
        for r in Resident.objects.filter(
            Q(pk__in=resident_ids) | Q(household_id__in=households)
        ).select_related("village")
    }
    villages = {h.village_id for h in households.values()} | {
        r.village_id for r in residents.values()
    }
    # A village without a team is known too (None): record_visit need not look for it again.
    teams: dict[int, Team | None] = dict.fromkeys(villages)
    teams.update(
        (t.village_id, t)
        for t in Team.objects.filter(village_id__in=villages).select_related("village")
    )
    visits = {v.client_id: v for v in Visit.objects.filter(client_id__in=set(client_ids))}
    milestones = {
        (event.resident_id, event.milestone): event
        for event in MilestoneEvent.objects.filter(resident_id__in=residents)
    }
    return Preloaded(
        residents=residents,
        households=households,
        teams=teams,
        visits=visits,
        withdrawn=residents_who_withdrew(residents),
        milestones=milestones,
    )


def _preloaded_members(preloaded: Preloaded, *, residents, household) -> list[Resident] | None:
    """What the registry read of _create_visit gives, from a batch's rows; None if they lack some."""
    if residents:
        wanted = sorted({r.pk for r in residents})
        if any(pk not in preloaded.residents for pk in wanted):
            return None
        return [preloaded.residents[pk] for pk in wanted]
    if household is not None:
        if household.pk not in preloaded.households:
            return None
        return sorted(
            (r for r in preloaded.residents.values() if r.household_id == household.pk),
            key=lambda r: r.pk,
        )
    return []


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
    preloaded: Preloaded | None = None,
) -> tuple[Visit, bool]:
    """Record a visit and the milestones reached in it; a replayed client_id returns the first one.

    Returns (visit, created). A replay changes nothing even if its payload differs: the visit first
    recorded under that client_id wins, and created=False tells the caller so. `preloaded` (from
    preload_visits, for a batch) stands in for the registry reads.
    """
    try:
        client_id = uuid.UUID(str(client_id))
    except ValueError:
        raise ValidationError(_("Mã lượt hỗ trợ không hợp lệ.")) from None
    if preloaded is not None:
        existing = preloaded.visits.get(client_id)
    else:
        existing = Visit.objects.filter(client_id=client_id).first()
    if existing is not None:
        return existing, False
    try:
        # In a batch, the caller's savepoint per item already undoes a failed visit, and it
        # answers a clash of client_ids (or of milestones) itself, see field.sync: no second
        # savepoint here.
        with write_batch(savepoint=preloaded is None):
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
                preloaded=preloaded,
            )
    except IntegrityError:
        if preloaded is not None:
            # Without a savepoint of its own the transaction is broken here: the batch answers.
            raise
        # The same client_id committed by a concurrent request between the lookup and the insert.
        existing = Visit.objects.filter(client_id=client_id).first()
        if existing is None:
            raise
        return existing, False
    if preloaded is not None:
        preloaded.visits[client_id] = visit
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
    preloaded,
) -> Visit:
    if channel not in Visit.Channel.values:
        raise ValidationError(_("Hình thức hỗ trợ không hợp lệ."))
    if not isinstance(visited_on, datetime.date):
        raise ValidationError(_("Ngày hỗ trợ không hợp lệ."))
    if visited_on > timezone.localdate():
        raise ValidationError(_("Ngày hỗ trợ không thể ở tương lai."))
    _check_counts(*counts)
    # Read again from the registry: the caller's copies may be stale or come from another village.
    found = None
    if preloaded is not None:
        found = _preloaded_members(preloaded, residents=residents, household=household)
    if found is not None:
        residents = found
    else:
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
        if preloaded is not None and village_id in preloaded.teams:
            team = preloaded.teams[village_id]
        else:
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
    try:
        # The batch's reads hold these residents only when they came from it (found).
        refuse_if_withdrawn(residents, withdrawn=preloaded.withdrawn if found is not None else None)
    except PeopleError as error:
        raise ValidationError(str(error)) from None

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
        # A new visit has no residents yet: insert the links without the lookup add() makes first.
        link = Visit.residents.through
        link.objects.bulk_create([link(visit_id=visit.pk, resident_id=r.pk) for r in residents])
    by_id = {r.pk: r for r in residents}
    with recognitions_deferred(known=residents):
        record_milestones(
            resident_milestones=[(by_id[pk], codes) for pk, codes in cleaned.items()],
            achieved_on=visited_on,
            method=MilestoneEvent.Method.VISIT,
            recorded_by=recorded_by,
            source=f"visit:{client_id}",
            savepoint=preloaded is None,
            consent_checked=True,
            recorded=preloaded.milestones if found is not None else None,
        )
    return visit
