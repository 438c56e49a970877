"""The field app's API: the registry of the member's villages to take offline, sync, and conflicts.

Every operation needs a bearer token (accounts.tokens) and sees only the token owner's scope.
"""

import uuid
from collections import defaultdict
from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from hocvuso.accounts.authz import Perm, scope_paths, scope_q
from hocvuso.accounts.phone import mask_phone
from hocvuso.accounts.tokens import token_auth
from hocvuso.field.models_sync import SyncConflict
from hocvuso.field.sync import (
    MAX_BATCH,
    ItemResult,
    ItemStatus,
    SyncItem,
    conflict_data,
    sync_batch,
)
from hocvuso.field.sync import dismiss_conflict as dismiss_conflict_of
from hocvuso.people.models import Household, MilestoneEvent, Resident

router = Router(tags=["field"], auth=token_auth)
PAGE_SIZE = 500


class SyncIn(Schema):
    # Items are checked one by one, so that one malformed item is rejected alone.
    items: list[dict[str, Any]]


class ItemOut(Schema):
    client_id: str
    status: str
    reason: str
    result: dict[str, Any]
    conflict: dict[str, Any] | None


class SyncOut(Schema):
    results: list[ItemOut]
    applied: int
    duplicate: int
    rejected: int
    conflict: int


class HouseholdOut(Schema):
    id: int
    village: str
    head_name: str
    number: str
    address: str


class ResidentOut(Schema):
    id: int
    village: str
    household_id: int | None
    full_name: str
    year_of_birth: int | None
    gender: str
    phone_masked: str
    version: int
    milestones: list[str]


class Page(Schema):
    next_after: int | None


class HouseholdPage(Page):
    items: list[HouseholdOut]


class ResidentPage(Page):
    items: list[ResidentOut]


class ConflictOut(Schema):
    id: int
    client_id: str
    resident_id: int
    resident_name: str
    base_version: int
    server_version: int
    device_values: dict[str, Any]
    server_values: dict[str, Any]
    created_at: str
    dismissed: bool


def _item(raw: dict[str, Any]) -> SyncItem | ItemResult:
    given = str(raw.get("client_id", ""))
    try:
        client_id = uuid.UUID(given)
    except ValueError:
        return ItemResult(given, ItemStatus.REJECTED, _("Mã gửi (client_id) không hợp lệ."))
    payload = raw.get("payload")
    base_version = raw.get("base_version")
    if not isinstance(payload, dict) or not (
        base_version is None or (isinstance(base_version, int) and base_version >= 0)
    ):
        return ItemResult(client_id, ItemStatus.REJECTED, _("Dữ liệu gửi lên không hợp lệ."))
    return SyncItem(client_id, str(raw.get("type", "")), payload, base_version)


@router.post("/sync", response=SyncOut)
def sync(request, batch: SyncIn):
    """Apply queued items, each once and in its own transaction; answer per item, in order."""
    if not scope_paths(request.user, Perm.RECORD_FIELD_WORK):
        raise HttpError(403, _("Tài khoản này không có quyền ghi nhận công tác cơ sở."))
    if len(batch.items) > MAX_BATCH:
        raise HttpError(413, _("Mỗi lần gửi tối đa %(n)d mục.") % {"n": MAX_BATCH})
    parsed = [_item(raw) for raw in batch.items]
    applied = iter(
        sync_batch(user=request.user, items=[p for p in parsed if isinstance(p, SyncItem)])
    )
    results = [next(applied) if isinstance(p, SyncItem) else p for p in parsed]
    counts = defaultdict(int)
    for result in results:
        counts[result.status] += 1
    return {
        "results": [
            {
                "client_id": str(r.client_id),
                "status": r.status,
                "reason": r.reason,
                "result": r.result,
                "conflict": r.conflict,
            }
            for r in results
        ],
        **{status: counts[status] for status in ("applied", "duplicate", "rejected", "conflict")},
    }


@router.get("/households", response=HouseholdPage)
def households(request, village: str | None = None, after: int = 0):
    """Households of the villages in the member's scope, by id, a page at a time."""
    rows = Household.objects.filter(
        scope_q(request.user, Perm.VIEW_PEOPLE, "village__path"), pk__gt=after
    )
    if village:
        rows = rows.filter(village__code=village)
    page = list(rows.select_related("village").order_by("pk")[:PAGE_SIZE])
    return {
        "items": [
            {
                "id": h.pk,
                "village": h.village.code,
                "head_name": h.head_name,
                "number": h.number,
                "address": h.address,
            }
            for h in page
        ],
        "next_after": page[-1].pk if len(page) == PAGE_SIZE else None,
    }


@router.get("/residents", response=ResidentPage)
def residents(request, village: str | None = None, after: int = 0):
    """Residents of the member's villages with their version and milestones, for offline use."""
    rows = Resident.objects.filter(
        scope_q(request.user, Perm.VIEW_PEOPLE, "village__path"), pk__gt=after
    )
    if village:
        rows = rows.filter(village__code=village)
    page = list(rows.select_related("village").order_by("pk")[:PAGE_SIZE])
    reached = defaultdict(list)
    for resident_id, milestone in MilestoneEvent.objects.filter(
        resident__in=[r.pk for r in page]
    ).values_list("resident_id", "milestone"):
        reached[resident_id].append(milestone)
    return {
        "items": [
            {
                "id": r.pk,
                "village": r.village.code,
                "household_id": r.household_id,
                "full_name": r.full_name,
                "year_of_birth": r.year_of_birth,
                "gender": r.gender,
                "phone_masked": mask_phone(r.phone),
                "version": r.version,
                "milestones": sorted(reached[r.pk]),
            }
            for r in page
        ],
        "next_after": page[-1].pk if len(page) == PAGE_SIZE else None,
    }


@router.get("/conflicts", response=list[ConflictOut])
def conflicts(request):
    """The member's edits that lost to a newer version on the server, not yet dismissed."""
    rows = SyncConflict.objects.filter(submitted_by=request.user, dismissed_at__isnull=True)
    return [conflict_data(c) for c in rows[:200]]


@router.post("/conflicts/{conflict_id}/dismiss", response={204: None})
def dismiss_conflict(request, conflict_id: int):
    """The member has seen both versions and settled the record; the conflict leaves the list."""
    conflict = get_object_or_404(SyncConflict, pk=conflict_id, submitted_by=request.user)
    dismiss_conflict_of(conflict=conflict)
    return Status(204, None)
