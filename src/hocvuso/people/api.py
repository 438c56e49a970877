"""API of the registry for the field app: residents, households and milestones, scoped to the user.

Authentication is the mounting API's business (token auth): each operation takes the user from
`request.auth` when it is a user, else from `request.user`, and filters by `accounts.authz`. A
resident outside the user's scope is a 404, so that its existence does not leak.
"""

import datetime
import uuid

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from hocvuso.accounts.authz import Perm, can
from hocvuso.people.choices import TargetGroup
from hocvuso.people.models import Household, MilestoneEvent, Resident
from hocvuso.people.selectors import households_in_scope, residents_in_scope
from hocvuso.people.services import (
    ConflictError,
    PeopleError,
    record_milestone,
    register_household,
    register_resident,
    update_resident,
)
from hocvuso.places.models import Area

router = Router(tags=["people"])
PAGE_SIZE = 200


def request_user(request):
    """The authenticated user of an API request (token auth sets request.auth); 401 otherwise."""
    user = getattr(request, "auth", None)
    if not getattr(user, "is_authenticated", False):
        user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False) or user is None:
        raise HttpError(401, "Cần đăng nhập.")
    return user


class ErrorOut(Schema):
    detail: str


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


class ConflictOut(Schema):
    detail: str
    version: int
    current: ResidentValues


class ResidentOut(Schema):
    id: int
    village: str
    household: int | None
    full_name: str
    year_of_birth: int | None
    gender: str
    ethnicity: str
    phone: str
    target_group: str
    has_disability: bool
    is_elderly: bool
    preferred_language: str
    has_citizen_id: bool
    version: int
    client_id: uuid.UUID | None
    milestones: list[str]


class ResidentIn(Schema):
    village: str = Field(description="Mã thôn do nền tảng cấp")
    full_name: str
    household: int | None = None
    year_of_birth: int | None = None
    gender: str = Resident.Gender.UNKNOWN
    ethnicity: str = ""
    phone: str = ""
    citizen_id: str = Field("", description="12 chữ số; chỉ lưu dạng băm và mã hoá")
    target_group: str = TargetGroup.CITIZENS
    has_disability: bool = False
    preferred_language: str = "vi"
    client_id: uuid.UUID | None = None


class ResidentPatch(Schema):
    expected_version: int | None = None
    full_name: str | None = None
    household: int | None = None
    year_of_birth: int | None = None
    gender: str | None = None
    ethnicity: str | None = None
    phone: str | None = None
    citizen_id: str | None = None
    target_group: str | None = None
    has_disability: bool | None = None
    preferred_language: str | None = None


class HouseholdIn(Schema):
    village: str
    head_name: str
    address: str = ""
    number: str = ""
    client_id: uuid.UUID | None = None


class HouseholdOut(Schema):
    id: int
    village: str
    head_name: str
    address: str
    number: str
    client_id: uuid.UUID | None


class MilestoneIn(Schema):
    milestone: str
    achieved_on: datetime.date
    method: str = MilestoneEvent.Method.VISIT
    source: str = ""
    client_id: uuid.UUID | None = None


class MilestoneOut(Schema):
    id: int
    resident: int
    milestone: str
    achieved_on: datetime.date
    method: str
    created: bool


def _resident_out(resident: Resident) -> dict:
    return {
        "id": resident.pk,
        "village": resident.village.code,
        "household": resident.household_id,
        "full_name": resident.full_name,
        "year_of_birth": resident.year_of_birth,
        "gender": resident.gender,
        "ethnicity": resident.ethnicity,
        "phone": resident.phone,
        "target_group": resident.target_group,
        "has_disability": resident.has_disability,
        "is_elderly": resident.is_elderly,
        "preferred_language": resident.preferred_language,
        "has_citizen_id": bool(resident.citizen_id_hash),
        "version": resident.version,
        "client_id": resident.client_id,
        "milestones": sorted(event.milestone for event in resident.milestones.all()),
    }


def _household_out(household: Household) -> dict:
    return {
        "id": household.pk,
        "village": household.village.code,
        "head_name": household.head_name,
        "address": household.address,
        "number": household.number,
        "client_id": household.client_id,
    }


def _with_details(queryset):
    return queryset.select_related("village").prefetch_related(
        Prefetch("milestones", queryset=MilestoneEvent.objects.only("resident_id", "milestone"))
    )


def _village(user, code: str, perm: Perm) -> Area:
    village = Area.objects.filter(code=code, level=Area.Level.VILLAGE).first()
    if village is None or not can(user, perm, village):
        raise HttpError(404, "Không tìm thấy thôn này trong phạm vi của bạn.")
    return village


@router.get("/residents", response=list[ResidentOut])
def list_residents(request, village: str, page: int = 1):
    """The residents of a village in the user's scope, PAGE_SIZE per page, by id."""
    user = request_user(request)
    area = _village(user, village, Perm.VIEW_PEOPLE)
    start = (max(page, 1) - 1) * PAGE_SIZE
    residents = _with_details(Resident.objects.filter(village=area).order_by("pk"))
    return [_resident_out(r) for r in residents[start : start + PAGE_SIZE]]


@router.get("/residents/{resident_id}", response=ResidentOut)
def get_resident(request, resident_id: int):
    """One resident in the user's scope."""
    user = request_user(request)
    resident = get_object_or_404(_with_details(residents_in_scope(user)), pk=resident_id)
    return _resident_out(resident)


@router.post("/residents", response={201: ResidentOut, 422: ErrorOut})
def create_resident(request, payload: ResidentIn):
    """Register a resident; a replay with the same client_id returns the first record."""
    user = request_user(request)
    village = _village(user, payload.village, Perm.EDIT_PEOPLE)
    fields = payload.dict(exclude={"village", "household"})
    household = None
    if payload.household is not None:
        household = Household.objects.filter(pk=payload.household, village=village).first()
        if household is None:
            return Status(422, {"detail": "Hộ gia đình được chọn không thuộc thôn này."})
    try:
        resident = register_resident(
            village=village, household=household, created_by=user, **fields
        )
    except PeopleError as error:
        return Status(422, {"detail": str(error)})
    return Status(201, _resident_out(_with_details(Resident.objects).get(pk=resident.pk)))


@router.patch(
    "/residents/{resident_id}",
    response={200: ResidentOut, 409: ConflictOut, 422: ErrorOut},
)
def patch_resident(request, resident_id: int, payload: ResidentPatch):
    """Change a resident; with expected_version older than the server's, 409 with its values."""
    user = request_user(request)
    resident = get_object_or_404(residents_in_scope(user, Perm.EDIT_PEOPLE), pk=resident_id)
    fields = payload.dict(exclude_unset=True)
    expected = fields.pop("expected_version", None)
    if "household" in fields and fields["household"] is not None:
        household = Household.objects.filter(
            pk=fields["household"], village_id=resident.village_id
        ).first()
        if household is None:
            return Status(422, {"detail": "Hộ gia đình được chọn không thuộc thôn này."})
        fields["household"] = household
    try:
        update_resident(resident=resident, changed_by=user, expected_version=expected, **fields)
    except ConflictError as conflict:
        return Status(
            409,
            {"detail": str(conflict), "version": conflict.version, "current": conflict.current},
        )
    except PeopleError as error:
        return Status(422, {"detail": str(error)})
    return Status(200, _resident_out(_with_details(Resident.objects).get(pk=resident.pk)))


@router.post(
    "/residents/{resident_id}/milestones",
    response={200: MilestoneOut, 201: MilestoneOut, 422: ErrorOut},
)
def create_milestone(request, resident_id: int, payload: MilestoneIn):
    """Record a milestone; 201 when new, 200 with the existing event when already recorded."""
    user = request_user(request)
    resident = get_object_or_404(residents_in_scope(user, Perm.RECORD_FIELD_WORK), pk=resident_id)
    try:
        event, created = record_milestone(resident=resident, recorded_by=user, **payload.dict())
    except PeopleError as error:
        return Status(422, {"detail": str(error)})
    return Status(
        201 if created else 200,
        {
            "id": event.pk,
            "resident": resident.pk,
            "milestone": event.milestone,
            "achieved_on": event.achieved_on,
            "method": event.method,
            "created": created,
        },
    )


@router.get("/households", response=list[HouseholdOut])
def list_households(request, village: str, page: int = 1):
    """The households of a village in the user's scope, PAGE_SIZE per page."""
    user = request_user(request)
    area = _village(user, village, Perm.VIEW_PEOPLE)
    start = (max(page, 1) - 1) * PAGE_SIZE
    households = (
        households_in_scope(user).filter(village=area).select_related("village").order_by("pk")
    )
    return [_household_out(h) for h in households[start : start + PAGE_SIZE]]


@router.post("/households", response={201: HouseholdOut, 422: ErrorOut})
def create_household(request, payload: HouseholdIn):
    """Register a household; a replay with the same client_id returns the first record."""
    user = request_user(request)
    village = _village(user, payload.village, Perm.EDIT_PEOPLE)
    try:
        household = register_household(
            village=village,
            head_name=payload.head_name,
            address=payload.address,
            number=payload.number,
            created_by=user,
            client_id=payload.client_id,
        )
    except PeopleError as error:
        return Status(422, {"detail": str(error)})
    return Status(
        201, _household_out(Household.objects.select_related("village").get(pk=household.pk))
    )
