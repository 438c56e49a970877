"""The registry's API, mounted at /api/v1/people: residents, households, consent and milestones.

Every operation needs a bearer token (accounts.tokens) and acts with its owner's roles. Lists keep to
the owner's scope (accounts.authz.scope_q); a resident or household outside it is a 404, so that its
existence does not leak. The offline field app downloads its villages through the two lists, a page
at a time with `after` (the last id received) until `next_after` is null.
"""

import datetime
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from hocvuso.accounts.api import ErrorOut
from hocvuso.accounts.authz import Perm, can, scope_paths
from hocvuso.accounts.phone import mask_phone
from hocvuso.accounts.tokens import token_auth
from hocvuso.people.audit import Action, record_access
from hocvuso.people.choices import TargetGroup
from hocvuso.people.models import Consent, Household, MilestoneEvent, Resident
from hocvuso.people.rights import withdraw_consent_audited
from hocvuso.people.selectors import households_in_scope, residents_in_scope
from hocvuso.people.services import (
    ConflictError,
    record_consent,
    record_milestone,
    register_household_once,
    register_resident_once,
    update_resident,
)
from hocvuso.places.models import Area

router = Router(tags=["people"], auth=token_auth)
PAGE_SIZE = 500

# The answers every operation may give besides its own: no token, no right, not in scope.
REFUSALS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


# ---- Schemas ---------------------------------------------------------------------------------


class ResidentOut(Schema):
    id: int
    village: str = Field(description="Mã thôn / village code")
    household_id: int | None
    full_name: str
    year_of_birth: int | None
    gender: str
    ethnicity: str
    phone_masked: str = Field(description="Số điện thoại đã che / phone number, masked")
    target_group: str
    has_disability: bool
    is_elderly: bool
    preferred_language: str
    has_citizen_id: bool = Field(description="Đã có số CCCD (không bao giờ trả về số) / has an ID")
    version: int = Field(description="Phiên bản, gửi lại khi sửa / version, send back on PATCH")
    milestones: list[str] = Field(description="Các mốc đã đạt / milestones reached")


class ResidentPage(Schema):
    items: list[ResidentOut]
    next_after: int | None = Field(description="Gửi làm `after` để lấy trang sau / next cursor")


class ConsentOut(Schema):
    id: int
    purpose: str
    text_version: str
    given_at: datetime.datetime
    withdrawn_at: datetime.datetime | None
    is_active: bool


class ResidentDetailOut(ResidentOut):
    phone: str
    client_id: uuid.UUID | None
    consents: list[ConsentOut]


class ResidentValues(Schema):
    full_name: str
    year_of_birth: int | None
    gender: str
    ethnicity: str
    phone: str
    target_group: str
    has_disability: bool
    preferred_language: str
    household: int | None
    has_citizen_id: bool
    version: int


class ResidentConflictOut(Schema):
    detail: str
    version: int = Field(description="Phiên bản trên máy chủ / the server's version")
    current: ResidentValues = Field(description="Giá trị trên máy chủ / the server's values")


class ResidentIn(Schema):
    village: str = Field(description="Mã thôn / village code")
    full_name: str
    household_id: int | None = None
    year_of_birth: int | None = None
    gender: str = Resident.Gender.UNKNOWN
    ethnicity: str = ""
    phone: str = ""
    citizen_id: str = Field("", description="12 chữ số; chỉ lưu dạng băm và mã hoá / 12 digits")
    target_group: str = TargetGroup.CITIZENS
    has_disability: bool = False
    preferred_language: str = "vi"
    client_id: uuid.UUID | None = Field(None, description="Mã tạo trên máy / id made on the device")


class ResidentPatch(Schema):
    expected_version: int | None = Field(
        None, description="Phiên bản đã sửa từ đó; khác máy chủ → 409 / version edited from"
    )
    full_name: str | None = None
    household_id: int | None = None
    year_of_birth: int | None = None
    gender: str | None = None
    ethnicity: str | None = None
    phone: str | None = None
    citizen_id: str | None = Field(None, description='"" xoá số CCCD / "" removes the ID number')
    target_group: str | None = None
    has_disability: bool | None = None
    preferred_language: str | None = None


class HouseholdOut(Schema):
    id: int
    village: str
    head_name: str
    number: str
    address: str
    client_id: uuid.UUID | None


class HouseholdPage(Schema):
    items: list[HouseholdOut]
    next_after: int | None


class HouseholdDetailOut(HouseholdOut):
    members: list[ResidentOut] = Field(description="Thành viên và mốc đã đạt / members")


class HouseholdIn(Schema):
    village: str = Field(description="Mã thôn / village code")
    head_name: str
    address: str = ""
    number: str = ""
    client_id: uuid.UUID | None = None


class ConsentIn(Schema):
    purpose: str = Field(description="support | contact")
    text_version: str = Field("", description="Mặc định: phiên bản hiện hành / default: current")
    given_at: datetime.datetime | None = None


class MilestoneIn(Schema):
    milestone: str
    achieved_on: datetime.date
    method: str = MilestoneEvent.Method.VISIT
    source: str = ""
    client_id: uuid.UUID | None = None


class MilestoneOut(Schema):
    id: int
    resident_id: int
    milestone: str
    achieved_on: datetime.date
    method: str
    source: str
    client_id: uuid.UUID | None


# ---- Shaping and lookups ---------------------------------------------------------------------


def _with_details(queryset: QuerySet[Resident]) -> QuerySet[Resident]:
    return queryset.select_related("village").prefetch_related(
        Prefetch("milestones", queryset=MilestoneEvent.objects.only("resident_id", "milestone"))
    )


def resident_out(resident: Resident) -> dict:
    """A resident as ResidentOut gives it: the phone masked, the citizen ID never."""
    return {
        "id": resident.pk,
        "village": resident.village.code,
        "household_id": resident.household_id,
        "full_name": resident.full_name,
        "year_of_birth": resident.year_of_birth,
        "gender": resident.gender,
        "ethnicity": resident.ethnicity,
        "phone_masked": mask_phone(resident.phone),
        "target_group": resident.target_group,
        "has_disability": resident.has_disability,
        "is_elderly": resident.is_elderly,
        "preferred_language": resident.preferred_language,
        "has_citizen_id": bool(resident.citizen_id_hash),
        "version": resident.version,
        "milestones": sorted(event.milestone for event in resident.milestones.all()),
    }


def _resident_detail(pk: int) -> dict:
    resident = _with_details(Resident.objects.prefetch_related("consents")).get(pk=pk)
    return {
        **resident_out(resident),
        "phone": resident.phone,
        "client_id": resident.client_id,
        "consents": list(resident.consents.all()),
    }


def _household_out(household: Household) -> dict:
    return {
        "id": household.pk,
        "village": household.village.code,
        "head_name": household.head_name,
        "number": household.number,
        "address": household.address,
        "client_id": household.client_id,
    }


def _page(rows: QuerySet, after: int, limit: int) -> tuple[list, int | None]:
    limit = min(max(limit, 1), PAGE_SIZE)
    page = list(rows.filter(pk__gt=after).order_by("pk")[:limit])
    return page, (page[-1].pk if len(page) == limit else None)


def scoped_village(user, code: str, perm: Perm) -> Area:
    """The active village with this code, or 404 when it is not in the user's scope for `perm`."""
    village = Area.objects.filter(code=code, level=Area.Level.VILLAGE, is_active=True).first()
    if village is None or not can(user, perm, village):
        raise HttpError(404, _("Không tìm thấy thôn này trong phạm vi của bạn."))
    return village


def scoped_resident(user, pk: int, perm: Perm) -> Resident:
    """The resident, or 404 when outside the user's scope for `perm`: existence must not leak."""
    resident = residents_in_scope(user, perm).select_related("village").filter(pk=pk).first()
    if resident is None:
        raise HttpError(404, _("Không tìm thấy người dân này trong phạm vi của bạn."))
    return resident


def _scoped_household(user, pk: int, perm: Perm) -> Household:
    household = households_in_scope(user, perm).select_related("village").filter(pk=pk).first()
    if household is None:
        raise HttpError(404, _("Không tìm thấy hộ gia đình này trong phạm vi của bạn."))
    return household


def _record_list(request, what: str, village: Area | None, count: int) -> None:
    """Audit one page of a list: its village, else the top of the caller's scope."""
    roots = [] if village is not None else scope_paths(request.user, Perm.VIEW_PEOPLE)
    record_access(
        request=request,
        action=Action.VIEW,
        what=what,
        area=village,
        area_path=roots[0] if roots else "",
        count=count,
    )


# ---- Residents -------------------------------------------------------------------------------


@router.get(
    "/residents",
    response={200: ResidentPage, **REFUSALS},
    summary="Danh sách người dân / List residents",
)
def people_resident_list(
    request, village: str | None = None, after: int = 0, limit: int = PAGE_SIZE
):
    """Người dân trong phạm vi, theo mã thôn nếu có, từng trang theo id. —
    Residents in the caller's scope, optionally of one village, a page at a time by id."""
    rows = residents_in_scope(request.user)
    listed = None
    if village:
        listed = scoped_village(request.user, village, Perm.VIEW_PEOPLE)
        rows = rows.filter(village=listed)
    page, next_after = _page(_with_details(rows), after, limit)
    _record_list(request, "api:people_resident_list", listed, len(page))
    return {"items": [resident_out(r) for r in page], "next_after": next_after}


@router.post(
    "/residents",
    response={200: ResidentDetailOut, 201: ResidentDetailOut, 422: ErrorOut, **REFUSALS},
    summary="Thêm người dân / Register a resident",
)
def people_resident_create(request, payload: ResidentIn):
    """Thêm một người dân; gửi lại cùng client_id trả về bản đã có (200). —
    Register a resident: 201 when new, 200 with the first record when client_id is replayed."""
    village = scoped_village(request.user, payload.village, Perm.EDIT_PEOPLE)
    household = None
    if payload.household_id is not None:
        household = _scoped_household(request.user, payload.household_id, Perm.EDIT_PEOPLE)
    resident, created = register_resident_once(
        village=village,
        household=household,
        created_by=request.user,
        **payload.dict(exclude={"village", "household_id"}),
    )
    if not can(request.user, Perm.VIEW_PEOPLE, resident.village):
        raise HttpError(404, _("Không tìm thấy người dân này trong phạm vi của bạn."))
    return Status(201 if created else 200, _resident_detail(resident.pk))


@router.get(
    "/residents/{resident_id}",
    response={200: ResidentDetailOut, **REFUSALS},
    summary="Thông tin người dân / Get a resident",
)
def people_resident_get(request, resident_id: int):
    """Một người dân trong phạm vi, kèm sự đồng ý. — One resident in scope, with consents."""
    resident = scoped_resident(request.user, resident_id, Perm.VIEW_PEOPLE)
    record_access(
        request=request, action=Action.VIEW, what="api:people_resident_get", resident=resident
    )
    return _resident_detail(resident.pk)


@router.patch(
    "/residents/{resident_id}",
    response={200: ResidentDetailOut, 409: ResidentConflictOut, 422: ErrorOut, **REFUSALS},
    summary="Sửa thông tin người dân / Update a resident",
)
def people_resident_update(request, resident_id: int, payload: ResidentPatch):
    """Sửa các trường gửi lên; expected_version cũ hơn máy chủ → 409 kèm giá trị trên máy chủ. —
    Change the fields sent; an older expected_version is a 409 with the server's values."""
    resident = scoped_resident(request.user, resident_id, Perm.EDIT_PEOPLE)
    fields = payload.dict(exclude_unset=True)
    expected = fields.pop("expected_version", None)
    if "household_id" in fields:
        household_id = fields.pop("household_id")
        fields["household"] = (
            None
            if household_id is None
            else _scoped_household(request.user, household_id, Perm.EDIT_PEOPLE)
        )
    try:
        with transaction.atomic():
            update_resident(
                resident=resident, changed_by=request.user, expected_version=expected, **fields
            )
            record_access(
                request=request,
                action=Action.CORRECT,
                what="api:people_resident_update",
                resident=resident,
                purpose=", ".join(sorted(fields)),
            )
    except ConflictError as conflict:
        return Status(
            409, {"detail": str(conflict), "version": conflict.version, "current": conflict.current}
        )
    return _resident_detail(resident.pk)


@router.post(
    "/residents/{resident_id}/consents",
    response={201: ConsentOut, 422: ErrorOut, **REFUSALS},
    summary="Ghi nhận sự đồng ý / Record consent",
)
def people_consent_record(request, resident_id: int, payload: ConsentIn):
    """Ghi nhận người dân đồng ý (mục đích, thời điểm, người ghi, phiên bản nội dung). —
    Record a resident's consent: purpose, when, by whom, which wording."""
    resident = scoped_resident(request.user, resident_id, Perm.EDIT_PEOPLE)
    with transaction.atomic():
        consent = record_consent(
            resident=resident,
            purpose=payload.purpose,
            text_version=payload.text_version or settings.CONSENT_TEXT_VERSION,
            recorded_by=request.user,
            given_at=payload.given_at,
        )
        record_access(
            request=request,
            action=Action.CONSENT,
            what="api:people_consent_record",
            resident=resident,
            purpose=consent.get_purpose_display(),
        )
    return Status(201, consent)


@router.post(
    "/residents/{resident_id}/consents/{consent_id}/withdraw",
    response={200: ConsentOut, 422: ErrorOut, **REFUSALS},
    summary="Rút lại sự đồng ý / Withdraw consent",
)
def people_consent_withdraw(request, resident_id: int, consent_id: int):
    """Rút lại một sự đồng ý, giữ lại lịch sử; rút lần nữa → 422. —
    Withdraw a consent, keeping its history; withdrawing again is a 422."""
    resident = scoped_resident(request.user, resident_id, Perm.EDIT_PEOPLE)
    consent = Consent.objects.filter(pk=consent_id, resident=resident).first()
    if consent is None:
        raise HttpError(404, _("Không tìm thấy sự đồng ý này."))
    return withdraw_consent_audited(consent=consent, resident=resident, request=request)


@router.get(
    "/residents/{resident_id}/milestones",
    response={200: list[MilestoneOut], **REFUSALS},
    summary="Các mốc kỹ năng số / List milestones",
)
def people_milestone_list(request, resident_id: int):
    """Các mốc người dân đã đạt, theo ngày. — The milestones a resident reached, by date."""
    resident = scoped_resident(request.user, resident_id, Perm.VIEW_PEOPLE)
    record_access(
        request=request, action=Action.VIEW, what="api:people_milestone_list", resident=resident
    )
    events = MilestoneEvent.objects.filter(resident=resident).order_by("achieved_on", "pk")
    return [_milestone_out(event) for event in events]


def _milestone_out(event: MilestoneEvent) -> dict:
    return {
        "id": event.pk,
        "resident_id": event.resident_id,
        "milestone": event.milestone,
        "achieved_on": event.achieved_on,
        "method": event.method,
        "source": event.source,
        "client_id": event.client_id,
    }


@router.post(
    "/residents/{resident_id}/milestones",
    response={200: MilestoneOut, 201: MilestoneOut, 422: ErrorOut, **REFUSALS},
    summary="Ghi nhận một mốc / Record a milestone",
)
def people_milestone_record(request, resident_id: int, payload: MilestoneIn):
    """Ghi nhận một mốc: 201 khi mới, 200 với bản đã có khi đã ghi trước đó. —
    Record a milestone: 201 when new, 200 with the existing event when already recorded."""
    resident = scoped_resident(request.user, resident_id, Perm.RECORD_FIELD_WORK)
    event, created = record_milestone(resident=resident, recorded_by=request.user, **payload.dict())
    return Status(201 if created else 200, _milestone_out(event))


# ---- Households ------------------------------------------------------------------------------


@router.get(
    "/households",
    response={200: HouseholdPage, **REFUSALS},
    summary="Danh sách hộ gia đình / List households",
)
def people_household_list(
    request, village: str | None = None, after: int = 0, limit: int = PAGE_SIZE
):
    """Hộ gia đình trong phạm vi, theo mã thôn nếu có, từng trang theo id. —
    Households in the caller's scope, optionally of one village, a page at a time by id."""
    rows = households_in_scope(request.user).select_related("village")
    listed = None
    if village:
        listed = scoped_village(request.user, village, Perm.VIEW_PEOPLE)
        rows = rows.filter(village=listed)
    page, next_after = _page(rows, after, limit)
    _record_list(request, "api:people_household_list", listed, len(page))
    return {"items": [_household_out(h) for h in page], "next_after": next_after}


@router.post(
    "/households",
    response={200: HouseholdOut, 201: HouseholdOut, 422: ErrorOut, **REFUSALS},
    summary="Thêm hộ gia đình / Register a household",
)
def people_household_create(request, payload: HouseholdIn):
    """Thêm một hộ; gửi lại cùng client_id trả về bản đã có (200). —
    Register a household: 201 when new, 200 with the first record when client_id is replayed."""
    village = scoped_village(request.user, payload.village, Perm.EDIT_PEOPLE)
    household, created = register_household_once(
        village=village, created_by=request.user, **payload.dict(exclude={"village"})
    )
    if not can(request.user, Perm.VIEW_PEOPLE, household.village):
        raise HttpError(404, _("Không tìm thấy hộ gia đình này trong phạm vi của bạn."))
    return Status(201 if created else 200, _household_out(household))


@router.get(
    "/households/{household_id}",
    response={200: HouseholdDetailOut, **REFUSALS},
    summary="Thông tin hộ gia đình / Get a household",
)
def people_household_get(request, household_id: int):
    """Một hộ kèm thành viên và mốc đã đạt: ai còn cần gì. —
    One household with its members and the milestones each reached: who still needs what."""
    household = _scoped_household(request.user, household_id, Perm.VIEW_PEOPLE)
    members = list(_with_details(Resident.objects.filter(household=household)).order_by("pk"))
    record_access(
        request=request,
        action=Action.VIEW,
        what="api:people_household_get",
        household=household,
        count=len(members),
    )
    return {**_household_out(household), "members": [resident_out(r) for r in members]}
