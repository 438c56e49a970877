"""Applying what the offline field app queued: each item once, on its own.

A batch is a list of items, each with a client_id made on the device. Every item is applied in its
own savepoint, so a bad item is rejected (with a Vietnamese reason) while the good ones are kept,
and a batch cut off halfway can be sent again whole: what was applied before comes back as
"duplicate", from the SyncReceipt kept under its client_id. An edit of a resident made from an older
copy is a "conflict": the server's version is kept and the device's is stored in SyncConflict.
"""

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PayloadError

from hocvuso.accounts.authz import Perm, can, scope_q
from hocvuso.field.models import Team, Visit
from hocvuso.field.models_sync import SyncConflict, SyncItemType, SyncReceipt
from hocvuso.field.services.recognitions import recognitions_deferred
from hocvuso.field.services.visits import Preloaded, preload_visits, record_visit
from hocvuso.people.models import Household, MilestoneEvent, Resident
from hocvuso.people.services import (
    ConflictError,
    PeopleError,
    record_milestone,
    register_resident,
    update_resident,
)
from hocvuso.places.models import Area
from hocvuso.write_batch import write_batch

MAX_BATCH = 1000
# Items applied in one transaction: fewer commits, while a long batch still commits as it goes.
SYNC_CHUNK = 100


class ItemStatus:
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class SyncItem:
    client_id: uuid.UUID
    type: str
    payload: dict[str, Any]
    base_version: int | None = None


@dataclass
class ItemResult:
    client_id: uuid.UUID
    status: str
    reason: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    conflict: dict[str, Any] | None = None


class Rejected(Exception):
    """An item that cannot be applied; the message says why, in Vietnamese."""


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class VisitPayload(_Payload):
    visited_on: datetime.date
    channel: str = Visit.Channel.DOOR_TO_DOOR
    team_id: int | None = None
    household_id: int | None = None
    resident_ids: list[int] = Field(default_factory=list, max_length=50)
    activities: str = Field("", max_length=5000)
    # Resident id → milestone codes reached during the visit.
    milestones: dict[int, list[str]] = Field(default_factory=dict)
    problems_received: int = Field(0, ge=0)
    problems_resolved: int = Field(0, ge=0)
    problems_forwarded: int = Field(0, ge=0)
    note: str = Field("", max_length=5000)


class MilestonePayload(_Payload):
    resident_id: int
    milestone: str
    achieved_on: datetime.date
    method: str = MilestoneEvent.Method.VISIT


class ResidentPayload(_Payload):
    village: str
    full_name: str
    household_id: int | None = None
    year_of_birth: int | None = None
    gender: str = Resident.Gender.UNKNOWN
    ethnicity: str = ""
    phone: str = ""
    citizen_id: str = ""
    target_group: str = "citizens"
    has_disability: bool = False
    preferred_language: str = "vi"


class ResidentUpdatePayload(_Payload):
    resident_id: int
    full_name: str | None = None
    household_id: int | None = None
    year_of_birth: int | None = None
    gender: str | None = None
    ethnicity: str | None = None
    phone: str | None = None
    citizen_id: str | None = None
    target_group: str | None = None
    has_disability: bool | None = None
    preferred_language: str | None = None


_FIELD_LABELS = {
    "visited_on": gettext_lazy("ngày hỗ trợ"),
    "achieved_on": gettext_lazy("ngày đạt"),
    "resident_id": gettext_lazy("người dân"),
    "resident_ids": gettext_lazy("người được hỗ trợ"),
    "household_id": gettext_lazy("hộ gia đình"),
    "milestones": gettext_lazy("mốc kỹ năng số"),
    "full_name": gettext_lazy("họ và tên"),
    "village": gettext_lazy("thôn"),
    "year_of_birth": gettext_lazy("năm sinh"),
}


def _parse(schema: type[_Payload], payload: dict[str, Any]) -> _Payload:
    try:
        return schema.model_validate(payload)
    except PayloadError as error:
        names = []
        for problem in error.errors():
            name = str(problem["loc"][0]) if problem["loc"] else "payload"
            names.append(str(_FIELD_LABELS.get(name, name)))
        raise Rejected(
            _("Dữ liệu gửi lên không hợp lệ: %(fields)s.")
            % {"fields": ", ".join(dict.fromkeys(names))}
        ) from None


def _not_found(resident_id: int) -> Rejected:
    # The same answer for "no such resident" and "not in your area": existence must not leak.
    return Rejected(
        _("Không tìm thấy người dân số %(id)s trong địa bàn bạn phụ trách.") % {"id": resident_id}
    )


def _residents(
    user, perm: Perm, ids: list[int], preloaded: Preloaded | None = None
) -> list[Resident]:
    if preloaded is not None and all(pk in preloaded.residents for pk in ids):
        # The same test as scope_q's, made on the rows the batch already read.
        found = {
            pk: preloaded.residents[pk]
            for pk in ids
            if can(user, perm, preloaded.residents[pk].village)
        }
    else:
        found = {
            r.pk: r
            for r in Resident.objects.filter(
                scope_q(user, perm, "village__path"), pk__in=set(ids)
            ).select_related("village")
        }
    for resident_id in ids:
        if resident_id not in found:
            raise _not_found(resident_id)
    return [found[resident_id] for resident_id in dict.fromkeys(ids)]


def _household(
    user, perm: Perm, household_id: int | None, preloaded: Preloaded | None = None
) -> Household | None:
    if household_id is None:
        return None
    if preloaded is not None and household_id in preloaded.households:
        household = preloaded.households[household_id]
        if not can(user, perm, household.village):
            household = None
    else:
        household = (
            Household.objects.filter(scope_q(user, perm, "village__path"), pk=household_id)
            .select_related("village")
            .first()
        )
    if household is None:
        raise Rejected(
            _("Không tìm thấy hộ gia đình số %(id)s trong địa bàn bạn phụ trách.")
            % {"id": household_id}
        )
    return household


def _apply_visit(*, user, item: SyncItem, preloaded: Preloaded | None) -> tuple[dict, bool]:
    data = _parse(VisitPayload, item.payload)
    perm = Perm.RECORD_FIELD_WORK
    team = None
    if data.team_id is not None:
        team = (
            Team.objects.filter(scope_q(user, perm, "village__path"), pk=data.team_id)
            .select_related("village")
            .first()
        )
        if team is None:
            raise Rejected(_("Tổ công nghệ số này không thuộc địa bàn bạn phụ trách."))
    visit, created = record_visit(
        client_id=item.client_id,
        recorded_by=user,
        team=team,
        visited_on=data.visited_on,
        channel=data.channel,
        household=_household(user, perm, data.household_id, preloaded),
        residents=_residents(user, perm, data.resident_ids, preloaded),
        activities=data.activities,
        milestones=data.milestones,
        problems_received=data.problems_received,
        problems_resolved=data.problems_resolved,
        problems_forwarded=data.problems_forwarded,
        note=data.note,
        preloaded=preloaded,
    )
    if not created and visit.recorded_by_id != user.pk:
        raise Rejected(_("Mã gửi này đã được dùng cho một mục khác."))
    return {"visit_id": visit.pk}, created


def _apply_milestone(*, user, item: SyncItem, preloaded: Preloaded | None) -> tuple[dict, bool]:
    data = _parse(MilestonePayload, item.payload)
    (resident,) = _residents(user, Perm.RECORD_FIELD_WORK, [data.resident_id], preloaded)
    event, created = record_milestone(
        resident=resident,
        milestone=data.milestone,
        achieved_on=data.achieved_on,
        method=data.method,
        recorded_by=user,
        source=f"sync:{item.client_id}",
        client_id=item.client_id,
    )
    return {"milestone_event_id": event.pk, "resident_id": resident.pk}, created


def _apply_resident(*, user, item: SyncItem, preloaded: Preloaded | None) -> tuple[dict, bool]:
    data = _parse(ResidentPayload, item.payload)
    village = Area.objects.filter(code=data.village, level=Area.Level.VILLAGE).first()
    if village is None or not can(user, Perm.EDIT_PEOPLE, village):
        raise Rejected(
            _("Thôn mã %(code)s không thuộc địa bàn bạn phụ trách.") % {"code": data.village}
        )
    existing = Resident.objects.filter(client_id=item.client_id).first()
    if existing is not None:
        if existing.created_by_id != user.pk:
            raise Rejected(_("Mã gửi này đã được dùng cho một mục khác."))
        return {"resident_id": existing.pk, "version": existing.version}, False
    resident = register_resident(
        village=village,
        household=_household(user, Perm.EDIT_PEOPLE, data.household_id),
        full_name=data.full_name,
        year_of_birth=data.year_of_birth,
        gender=data.gender,
        ethnicity=data.ethnicity,
        phone=data.phone,
        citizen_id=data.citizen_id,
        target_group=data.target_group,
        has_disability=data.has_disability,
        preferred_language=data.preferred_language,
        created_by=user,
        client_id=item.client_id,
    )
    return {"resident_id": resident.pk, "version": resident.version}, True


def _update_fields(user, data: ResidentUpdatePayload) -> dict[str, Any]:
    changes = data.model_dump(exclude_unset=True, exclude={"resident_id"})
    if "household_id" in changes:
        changes["household"] = _household(user, Perm.EDIT_PEOPLE, changes.pop("household_id"))
    if not changes:
        raise Rejected(_("Không có thông tin nào được sửa."))
    return changes


def _apply_resident_update(
    *, user, item: SyncItem, preloaded: Preloaded | None
) -> tuple[dict, bool]:
    if item.base_version is None:
        raise Rejected(_("Thiếu phiên bản gốc (base_version) của bản ghi đã sửa."))
    data = _parse(ResidentUpdatePayload, item.payload)
    (resident,) = _residents(user, Perm.EDIT_PEOPLE, [data.resident_id])
    updated = update_resident(
        resident=resident,
        changed_by=user,
        expected_version=item.base_version,
        **_update_fields(user, data),
    )
    return {"resident_id": updated.pk, "version": updated.version}, True


_PRELOADABLE = {SyncItemType.VISIT, SyncItemType.MILESTONE}

_HANDLERS = {
    SyncItemType.VISIT: _apply_visit,
    SyncItemType.MILESTONE: _apply_milestone,
    SyncItemType.RESIDENT: _apply_resident,
    SyncItemType.RESIDENT_UPDATE: _apply_resident_update,
}


def conflict_data(conflict: SyncConflict) -> dict[str, Any]:
    """Both versions of a conflicting edit, as the field app shows them."""
    return {
        "id": conflict.pk,
        "client_id": str(conflict.client_id),
        "resident_id": conflict.resident_id,
        "resident_name": conflict.server_values.get("full_name", ""),
        "base_version": conflict.base_version,
        "server_version": conflict.server_version,
        "device_values": conflict.device_values,
        "server_values": conflict.server_values,
        "created_at": conflict.created_at.isoformat(),
        "dismissed": conflict.dismissed_at is not None,
    }


def _from_receipt(receipt: SyncReceipt, *, user, item: SyncItem) -> ItemResult:
    if receipt.user_id != user.pk or receipt.item_type != item.type:
        return ItemResult(
            item.client_id, ItemStatus.REJECTED, _("Mã gửi này đã được dùng cho một mục khác.")
        )
    if receipt.outcome == SyncReceipt.Outcome.CONFLICT:
        conflict = SyncConflict.objects.get(client_id=receipt.client_id)
        return ItemResult(
            item.client_id,
            ItemStatus.CONFLICT,
            _("Bản ghi đã được sửa trên máy chủ; bản trên máy chủ được giữ lại."),
            receipt.result,
            conflict_data(conflict),
        )
    return ItemResult(item.client_id, ItemStatus.DUPLICATE, "", receipt.result)


def _store_conflict(*, user, item: SyncItem, error: ConflictError) -> ItemResult:
    data = ResidentUpdatePayload.model_validate(item.payload)
    device_values = data.model_dump(mode="json", exclude_unset=True, exclude={"resident_id"})
    # A citizen ID number is never kept outside its encrypted column: only that it was changed.
    if device_values.pop("citizen_id", None) is not None:
        device_values["citizen_id_changed"] = True
    with transaction.atomic():
        conflict = SyncConflict.objects.create(
            client_id=item.client_id,
            resident_id=data.resident_id,
            submitted_by=user,
            base_version=item.base_version,
            server_version=error.version,
            device_values=device_values,
            server_values=error.current,
        )
        result = {"resident_id": data.resident_id, "version": error.version}
        SyncReceipt.objects.create(
            client_id=item.client_id,
            item_type=item.type,
            user=user,
            outcome=SyncReceipt.Outcome.CONFLICT,
            result=result,
        )
    return ItemResult(
        item.client_id, ItemStatus.CONFLICT, str(error), result, conflict_data(conflict)
    )


def _messages(error: ValidationError | PermissionDenied | PeopleError) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Bạn không có quyền ghi nhận mục này.")


_UNKNOWN = object()


def apply_item(
    *,
    user,
    item: SyncItem,
    receipt: SyncReceipt | object | None = _UNKNOWN,
    preloaded: Preloaded | None = None,
) -> ItemResult:
    """Apply one queued item in its own transaction (or savepoint); never raises for its own faults.

    `receipt` is the item's receipt when the caller has already looked it up (None: there is none);
    `preloaded` the registry rows its batch read at once.
    """
    result = _apply_item(user=user, item=item, receipt=receipt, preloaded=preloaded)
    if preloaded is not None and result.status != ItemStatus.APPLIED:
        # A visit made under this id may have been undone with the item: forget it, so that a
        # later copy in the batch looks in the database.
        preloaded.visits.pop(item.client_id, None)
    return result


def _apply_item(*, user, item: SyncItem, receipt, preloaded: Preloaded | None) -> ItemResult:
    if receipt is _UNKNOWN:
        receipt = SyncReceipt.objects.filter(client_id=item.client_id).first()
    if receipt is not None:
        return _from_receipt(receipt, user=user, item=item)
    handler = _HANDLERS.get(item.type)
    if handler is None:
        return ItemResult(
            item.client_id,
            ItemStatus.REJECTED,
            _("Loại mục “%(type)s” không được hỗ trợ.") % {"type": item.type},
        )
    try:
        with transaction.atomic():
            result, created = handler(user=user, item=item, preloaded=preloaded)
            SyncReceipt.objects.create(
                client_id=item.client_id,
                item_type=item.type,
                user=user,
                outcome=SyncReceipt.Outcome.APPLIED,
                result=result,
            )
    except Rejected as error:
        return ItemResult(item.client_id, ItemStatus.REJECTED, str(error))
    except ConflictError as error:
        return _store_conflict(user=user, item=item, error=error)
    except (ValidationError, PermissionDenied, PeopleError) as error:
        return ItemResult(item.client_id, ItemStatus.REJECTED, _messages(error))
    except IntegrityError:
        # The same client_id applied by a concurrent request of the same batch, sent twice.
        receipt = SyncReceipt.objects.filter(client_id=item.client_id).first()
        if receipt is None:
            if preloaded is not None:
                # A visit or milestone recorded meanwhile by another request: once more without
                # the batch's shortcuts, record_visit then sorts it out as it does on its own.
                return _apply_item(user=user, item=item, receipt=None, preloaded=None)
            raise
        return _from_receipt(receipt, user=user, item=item)
    return ItemResult(
        item.client_id, ItemStatus.APPLIED if created else ItemStatus.DUPLICATE, "", result
    )


def _preload(items: list[SyncItem]) -> Preloaded | None:
    """The registry rows a run of visits and milestones reads, in four queries instead of per item.

    None when an item of the run registers or edits a resident: rows read beforehand could then
    be stale, and each item reads its own.
    """
    if any(item.type not in _PRELOADABLE for item in items):
        return None
    household_ids, resident_ids = set(), set()
    for item in items:
        payload = item.payload
        for key, into in (("household_id", household_ids), ("resident_id", resident_ids)):
            if type(payload.get(key)) is int:
                into.add(payload[key])
        ids = payload.get("resident_ids")
        if isinstance(ids, list):
            resident_ids.update(pk for pk in ids if type(pk) is int)
    return preload_visits(
        client_ids=[item.client_id for item in items if item.type == SyncItemType.VISIT],
        household_ids=household_ids,
        resident_ids=resident_ids,
    )


def sync_batch(*, user, items: list[SyncItem]) -> list[ItemResult]:
    """Apply a batch item by item, each on its own, answering for every item in order.

    Items are applied SYNC_CHUNK at a time in one transaction, each item in a savepoint of it: a
    bad item is undone alone, and a batch cut off halfway keeps the chunks already committed.
    Recognitions are evaluated once per chunk, for every household its items touched.
    """
    if len(items) > MAX_BATCH:
        raise Rejected(_("Mỗi lần gửi tối đa %(n)d mục.") % {"n": MAX_BATCH})
    # One query finds what was applied before: a resent batch is then answered almost for free.
    receipts = SyncReceipt.objects.in_bulk(
        [item.client_id for item in items], field_name="client_id"
    )
    results = []
    seen: set[uuid.UUID] = set()
    for start in range(0, len(items), SYNC_CHUNK):
        chunk = items[start : start + SYNC_CHUNK]
        fresh = [item for item in chunk if item.client_id not in receipts]
        with write_batch(), recognitions_deferred():
            preloaded = _preload(fresh) if fresh else None
            for item in chunk:
                # An id met twice in one batch is looked up again: its first copy may just have
                # been applied.
                known = receipts.get(item.client_id) if item.client_id not in seen else _UNKNOWN
                seen.add(item.client_id)
                results.append(apply_item(user=user, item=item, receipt=known, preloaded=preloaded))
    return results


@transaction.atomic
def dismiss_conflict(*, conflict: SyncConflict) -> None:
    """Take a conflict off the member's list once they have seen both versions."""
    SyncConflict.objects.filter(pk=conflict.pk, dismissed_at__isnull=True).update(
        dismissed_at=timezone.now()
    )
