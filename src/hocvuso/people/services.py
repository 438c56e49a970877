"""Writes to the registry: households, residents, their consent and their digital milestones.

Every function checks its input and raises PeopleError with a Vietnamese message, changing
nothing; authorisation is the caller's (views and API operations), except where a message must
not reveal data outside the user's scope.
"""

import datetime
import functools
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max
from django.db.models.signals import post_save
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hocvuso.accounts.authz import Perm, can
from hocvuso.accounts.phone import normalise_phone
from hocvuso.people.choices import LANGUAGES, Milestone, TargetGroup
from hocvuso.people.crypto import (
    CitizenIdError,
    citizen_id_hash,
    encrypt_citizen_id,
    encrypt_citizen_ids,
    normalise_citizen_id,
)
from hocvuso.people.models import Consent, Household, MilestoneEvent, Resident
from hocvuso.people.signals import residents_imported
from hocvuso.places.models import Area
from hocvuso.places.selectors import fold_text
from hocvuso.write_batch import write_batch

# The few distinct values of a column ("Nam", "Có", "Tiếng Việt") are folded once per import run.
_fold = functools.lru_cache(maxsize=4096)(fold_text)

EARLIEST_YEAR_OF_BIRTH = 1900
NAME_MAX_LENGTH = 150


class PeopleError(ValueError):
    """A registry change that cannot be made; the message is for the user, in Vietnamese."""


class ConflictError(PeopleError):
    """The record changed on the server since the copy the edit was made from.

    `current` holds the server's values (as `resident_values` gives them) and `version` its
    version, so the caller can show both and keep the losing one.
    """

    def __init__(self, message: str, *, current: dict[str, Any], version: int):
        super().__init__(message)
        self.current = current
        self.version = version


def _clean_name(name: str, *, label: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise PeopleError(_("%(label)s không được để trống.") % {"label": label})
    if len(cleaned) > NAME_MAX_LENGTH:
        raise PeopleError(
            _("%(label)s dài quá %(limit)d ký tự.") % {"label": label, "limit": NAME_MAX_LENGTH}
        )
    return cleaned


def _require_village(village: Area) -> None:
    if village.level != Area.Level.VILLAGE:
        raise PeopleError(_("“%(name)s” không phải là thôn, tổ dân phố.") % {"name": village.name})
    if not village.is_active:
        raise PeopleError(_("Thôn “%(name)s” đã được sáp nhập.") % {"name": village.name})


def clean_year_of_birth(year: int | str | None) -> int | None:
    """A year between 1900 and this year, or None when not given; raises PeopleError."""
    if year is None or year == "":
        return None
    try:
        value = int(str(year).strip())
    except ValueError:
        raise PeopleError(
            _("Năm sinh “%(year)s” không phải là một năm.") % {"year": year}
        ) from None
    this_year = timezone.localdate().year
    if not EARLIEST_YEAR_OF_BIRTH <= value <= this_year:
        raise PeopleError(
            _("Năm sinh %(year)d không hợp lệ: phải từ %(first)d đến %(last)d.")
            % {"year": value, "first": EARLIEST_YEAR_OF_BIRTH, "last": this_year}
        )
    return value


def clean_phone(phone: str) -> str:
    """The national form of a mobile number, "" when none is given; raises PeopleError."""
    if not (phone or "").strip():
        return ""
    normalised = normalise_phone(phone)
    if not normalised:
        raise PeopleError(
            _(
                "Số điện thoại “%(phone)s” không phải số di động Việt Nam (10 chữ số, ví dụ 0912345678)."
            )
            % {"phone": phone.strip()}
        )
    return normalised


def _clean_choice(value: str, choices, *, label: str) -> str:
    allowed = [key for key, _label in choices]
    if value not in allowed:
        raise PeopleError(
            _("%(label)s “%(value)s” không hợp lệ.") % {"label": label, "value": value}
        )
    return value


def duplicate_message(existing: Resident, user) -> str:
    """Why a citizen ID number is refused as a duplicate, naming the village only within scope."""
    village = Area.objects.filter(pk=existing.village_id).first()
    if village is not None and can(user, Perm.VIEW_PEOPLE, village):
        return _("Số CCCD này đã được đăng ký cho %(name)s ở %(village)s.") % {
            "name": existing.full_name,
            "village": village.name,
        }
    return _("Số CCCD này đã có trong hệ thống.")


def _citizen_id_fields(citizen_id: str, *, user, exclude_pk: int | None = None) -> dict[str, Any]:
    if not (citizen_id or "").strip():
        return {"citizen_id_hash": None, "citizen_id_encrypted": ""}
    try:
        number = normalise_citizen_id(citizen_id)
    except CitizenIdError as error:
        raise PeopleError(str(error)) from None
    digest = citizen_id_hash(number)
    existing = Resident.objects.filter(citizen_id_hash=digest).exclude(pk=exclude_pk).first()
    if existing is not None:
        raise PeopleError(duplicate_message(existing, user))
    return {"citizen_id_hash": digest, "citizen_id_encrypted": encrypt_citizen_id(number)}


@transaction.atomic
def register_household(
    *,
    village: Area,
    head_name: str,
    address: str = "",
    number: str = "",
    created_by,
    client_id: uuid.UUID | None = None,
) -> Household:
    """Register a household in a village; a replay with the same client_id returns the first one."""
    if client_id is not None:
        existing = Household.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing
    _require_village(village)
    household = Household(
        village=village,
        head_name=_clean_name(head_name, label=_("Tên chủ hộ")),
        address=" ".join((address or "").split())[:300],
        number=(number or "").strip()[:30],
        client_id=client_id,
        created_by=created_by,
    )
    household.save()
    return household


@transaction.atomic
def register_resident(
    *,
    village: Area,
    full_name: str,
    created_by,
    household: Household | None = None,
    year_of_birth: int | None = None,
    gender: str = Resident.Gender.UNKNOWN,
    ethnicity: str = "",
    phone: str = "",
    citizen_id: str = "",
    target_group: str = TargetGroup.CITIZENS,
    has_disability: bool = False,
    preferred_language: str = "vi",
    client_id: uuid.UUID | None = None,
) -> Resident:
    """Register a resident of a village; a replay with the same client_id returns the first one."""
    if client_id is not None:
        existing = Resident.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing
    _require_village(village)
    if household is not None and household.village_id != village.pk:
        raise PeopleError(_("Hộ gia đình được chọn không thuộc thôn này."))
    resident = Resident(
        village=village,
        household=household,
        full_name=_clean_name(full_name, label=_("Họ và tên")),
        year_of_birth=clean_year_of_birth(year_of_birth),
        gender=_clean_choice(gender, Resident.Gender.choices, label=_("Giới tính")),
        ethnicity=" ".join((ethnicity or "").split())[:50],
        phone=clean_phone(phone),
        target_group=_clean_choice(target_group, TargetGroup.choices, label=_("Nhóm đối tượng")),
        has_disability=bool(has_disability),
        preferred_language=_clean_choice(preferred_language, LANGUAGES, label=_("Ngôn ngữ")),
        client_id=client_id,
        created_by=created_by,
        **_citizen_id_fields(citizen_id, user=created_by),
    )
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:
        # Another request registered the same number between the check and the insert.
        raise PeopleError(_("Số CCCD này đã có trong hệ thống.")) from None
    return resident


# The fields an edit may change, and the ones a conflict reports back.
EDITABLE_FIELDS = (
    "full_name",
    "year_of_birth",
    "gender",
    "ethnicity",
    "phone",
    "target_group",
    "has_disability",
    "preferred_language",
    "household",
)


def resident_values(resident: Resident) -> dict[str, Any]:
    """The editable values of a resident, as plain data (the citizen ID number never included)."""
    values = {name: getattr(resident, name) for name in EDITABLE_FIELDS if name != "household"}
    values["household"] = resident.household_id
    values["has_citizen_id"] = bool(resident.citizen_id_hash)
    values["version"] = resident.version
    return values


@transaction.atomic
def update_resident(
    *, resident: Resident, changed_by, expected_version: int | None = None, **fields: Any
) -> Resident:
    """Change a resident's details and bump the version; an edit of an older copy is a conflict.

    `fields` are among EDITABLE_FIELDS, plus "citizen_id" ("" removes the number).
    """
    unknown = set(fields) - {*EDITABLE_FIELDS, "citizen_id"}
    if unknown:
        raise PeopleError(_("Không sửa được trường: %(fields)s.") % {"fields": ", ".join(unknown)})
    current = Resident.objects.select_for_update().get(pk=resident.pk)
    if expected_version is not None and expected_version != current.version:
        raise ConflictError(
            _("Thông tin của %(name)s đã được người khác sửa trước; hãy xem lại bản mới nhất.")
            % {"name": current.full_name},
            current=resident_values(current),
            version=current.version,
        )
    cleaners = {
        "full_name": lambda v: _clean_name(v, label=_("Họ và tên")),
        "year_of_birth": clean_year_of_birth,
        "gender": lambda v: _clean_choice(v, Resident.Gender.choices, label=_("Giới tính")),
        "ethnicity": lambda v: " ".join((v or "").split())[:50],
        "phone": clean_phone,
        "target_group": lambda v: _clean_choice(v, TargetGroup.choices, label=_("Nhóm đối tượng")),
        "has_disability": bool,
        "preferred_language": lambda v: _clean_choice(v, LANGUAGES, label=_("Ngôn ngữ")),
    }
    changed: list[str] = []
    for name, value in fields.items():
        if name == "citizen_id":
            for key, cleaned in _citizen_id_fields(
                value, user=changed_by, exclude_pk=current.pk
            ).items():
                setattr(current, key, cleaned)
                changed.append(key)
        elif name == "household":
            if value is not None and value.village_id != current.village_id:
                raise PeopleError(_("Hộ gia đình được chọn không thuộc thôn này."))
            current.household = value
            changed.append("household")
        else:
            setattr(current, name, cleaners[name](value))
            changed.append(name)
    current.version += 1
    try:
        with transaction.atomic():
            current.save(update_fields=[*changed, "version", "updated_at"])
    except IntegrityError:
        raise PeopleError(_("Số CCCD này đã có trong hệ thống.")) from None
    return current


@transaction.atomic
def record_consent(
    *,
    resident: Resident,
    purpose: str,
    text_version: str,
    recorded_by,
    given_at: datetime.datetime | None = None,
) -> Consent:
    """Record that a resident agreed to a purpose under a given wording of the consent text."""
    purpose = _clean_choice(purpose, Consent.Purpose.choices, label=_("Mục đích"))
    if not (text_version or "").strip():
        raise PeopleError(_("Thiếu phiên bản nội dung đồng ý."))
    given_at = given_at or timezone.now()
    if given_at > timezone.now() + datetime.timedelta(minutes=5):
        raise PeopleError(_("Thời điểm đồng ý không thể ở tương lai."))
    return Consent.objects.create(
        resident=resident,
        purpose=purpose,
        text_version=text_version.strip()[:20],
        given_at=given_at,
        recorded_by=recorded_by,
    )


@transaction.atomic
def withdraw_consent(*, consent: Consent, withdrawn_by) -> Consent:
    """Mark a consent as withdrawn, keeping the record of when it was given and withdrawn."""
    current = Consent.objects.select_for_update().get(pk=consent.pk)
    if current.withdrawn_at is not None:
        raise PeopleError(_("Sự đồng ý này đã được rút trước đó."))
    current.withdrawn_at = timezone.now()
    current.withdrawn_by = withdrawn_by
    current.save(update_fields=["withdrawn_at", "withdrawn_by"])
    return current


def residents_who_withdrew(resident_ids: Iterable[int]) -> set[int]:
    """Of these residents, those who withdrew their consent to processing and gave none since.

    Nothing more is recorded about them (Law 91/2025/QH15: processing stops on withdrawal); a
    resident never asked, e.g. imported from the commune's list, is not blocked by this.
    """
    ids = set(resident_ids)
    if not ids:
        return set()
    withdrawn: set[int] = set()
    active: set[int] = set()
    for resident_id, withdrawn_at in Consent.objects.filter(
        resident_id__in=ids, purpose=Consent.Purpose.SUPPORT
    ).values_list("resident_id", "withdrawn_at"):
        (withdrawn if withdrawn_at is not None else active).add(resident_id)
    return withdrawn - active


def refuse_if_withdrawn(
    residents: Iterable[Resident], *, withdrawn: set[int] | None = None
) -> None:
    """Raise PeopleError naming the first of these residents who withdrew consent to processing.

    `withdrawn` is residents_who_withdrew of a set holding these, read by a caller for a batch.
    """
    residents = list(residents)
    blocked = residents_who_withdrew(r.pk for r in residents) if withdrawn is None else withdrawn
    for resident in residents:
        if resident.pk in blocked:
            raise PeopleError(
                _(
                    "%(name)s đã rút lại sự đồng ý xử lý dữ liệu cá nhân: không ghi nhận thêm "
                    "thông tin về người này."
                )
                % {"name": resident.full_name}
            )


@transaction.atomic
def record_milestone(
    *,
    resident: Resident,
    milestone: str,
    achieved_on: datetime.date,
    method: str,
    recorded_by,
    source: str = "",
    client_id: uuid.UUID | None = None,
) -> tuple[MilestoneEvent, bool]:
    """Record that a resident reached a milestone; (event, created), created False when it was
    already recorded (by this client_id or earlier), so a replay counts once."""
    if client_id is not None:
        existing = MilestoneEvent.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing, False
    milestone = _clean_choice(milestone, Milestone.choices, label=_("Mốc kỹ năng số"))
    method = _clean_choice(method, MilestoneEvent.Method.choices, label=_("Cách ghi nhận"))
    if achieved_on > timezone.localdate():
        raise PeopleError(_("Ngày đạt không thể ở tương lai."))
    refuse_if_withdrawn([resident])
    existing = MilestoneEvent.objects.filter(resident=resident, milestone=milestone).first()
    if existing is not None:
        return existing, False
    event = MilestoneEvent(
        resident=resident,
        milestone=milestone,
        achieved_on=achieved_on,
        method=method,
        source=(source or "")[:80],
        recorded_by=recorded_by,
        client_id=client_id,
    )
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        # Recorded by a concurrent request in the meantime: that one counts, this one does not.
        existing = MilestoneEvent.objects.filter(resident=resident, milestone=milestone).first()
        if existing is None:
            existing = MilestoneEvent.objects.get(client_id=client_id)
        return existing, False
    return event, True


def record_milestones(
    *,
    resident_milestones: Iterable[tuple[Resident, Iterable[str]]],
    achieved_on: datetime.date,
    method: str,
    recorded_by,
    source: str = "",
    savepoint: bool = True,
    consent_checked: bool = False,
    recorded: dict[tuple[int, str], MilestoneEvent] | None = None,
) -> list[tuple[MilestoneEvent, bool]]:
    """Record several milestones at once as record_milestone would; (event, created) per pair.

    One query finds what was already recorded and one statement inserts the rest, so a visit with
    many milestones costs two queries instead of several per milestone. A (resident, milestone)
    given twice is answered once. savepoint=False is for a caller inside its own savepoint that
    retries on IntegrityError: a milestone recorded concurrently then raises it instead of being
    sorted out here. consent_checked=True is for a caller that has already refused residents who
    withdrew consent (refuse_if_withdrawn), to spare the second query. `recorded` holds every
    milestone of these residents, read by a caller for a batch in this transaction, to spare the
    first; the new ones are added to it.
    """
    wanted: dict[tuple[int, str], Resident] = {}
    for resident, codes in resident_milestones:
        for code in codes:
            code = _clean_choice(code, Milestone.choices, label=_("Mốc kỹ năng số"))
            wanted.setdefault((resident.pk, code), resident)
    method = _clean_choice(method, MilestoneEvent.Method.choices, label=_("Cách ghi nhận"))
    if achieved_on > timezone.localdate():
        raise PeopleError(_("Ngày đạt không thể ở tương lai."))
    if not wanted:
        return []
    if not consent_checked:
        refuse_if_withdrawn({pk: r for (pk, _code), r in wanted.items()}.values())
    # Checked above, so nothing below raises for bad input: no savepoint is needed around it.
    # One write batch: the apps above write what the milestones add up to once, not per milestone.
    with write_batch(savepoint=False):
        if recorded is not None:
            existing = {key: recorded[key] for key in wanted if key in recorded}
        else:
            existing = {
                (event.resident_id, event.milestone): event
                for event in MilestoneEvent.objects.filter(
                    resident_id__in={pk for pk, _code in wanted},
                    milestone__in={code for _pk, code in wanted},
                )
            }
        new = [
            MilestoneEvent(
                resident=resident,
                milestone=code,
                achieved_on=achieved_on,
                method=method,
                source=(source or "")[:80],
                recorded_by=recorded_by,
            )
            for (pk, code), resident in wanted.items()
            if (pk, code) not in existing
        ]
        created: list[MilestoneEvent] = []
        if new:
            try:
                with transaction.atomic(savepoint=savepoint):
                    created = MilestoneEvent.objects.bulk_create(new)
            except IntegrityError:
                if not savepoint:
                    raise
                # A concurrent request recorded one of them in the meantime: go one by one, so that
                # the ones it recorded count as not created and the others are still recorded.
                for unsaved in new:
                    event, is_new = record_milestone(
                        resident=unsaved.resident,
                        milestone=unsaved.milestone,
                        achieved_on=achieved_on,
                        method=method,
                        recorded_by=recorded_by,
                        source=source,
                    )
                    if is_new:
                        created.append(event)
                    else:
                        existing[(event.resident_id, event.milestone)] = event
            else:
                # bulk_create sends no post_save: send it, so that receivers (recognitions) follow.
                for event in created:
                    post_save.send(
                        sender=MilestoneEvent,
                        instance=event,
                        created=True,
                        update_fields=None,
                        raw=False,
                        using=event._state.db,
                    )
        made = {(event.resident_id, event.milestone): event for event in created}
        if recorded is not None:
            recorded.update(made)
    return [(made[key], True) if key in made else (existing[key], False) for key in wanted]


# ---- Import of a resident list -------------------------------------------------------------

# The headers of an import file, as the user reads them in the spreadsheet, in template order.
IMPORT_COLUMNS = {
    "household_number": "Số hộ",
    "head_name": "Chủ hộ",
    "address": "Địa chỉ",
    "full_name": "Họ và tên",
    "year_of_birth": "Năm sinh",
    "gender": "Giới tính",
    "ethnicity": "Dân tộc",
    "phone": "Số điện thoại",
    "citizen_id": "Số CCCD",
    "target_group": "Nhóm đối tượng",
    "has_disability": "Khuyết tật",
    "preferred_language": "Ngôn ngữ",
    "village_code": "Mã thôn",
    "consent": "Đồng ý xử lý dữ liệu",
}
IMPORT_CHUNK = 2000


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", gettext_lazy("Chỉ nhập khi mọi dòng đều hợp lệ")
    GOOD_ROWS = "good_rows", gettext_lazy("Nhập các dòng hợp lệ, bỏ qua các dòng lỗi")


@dataclass(slots=True)
class ResidentRow:
    """One data row of an import file, as text; `row` is its number in the file (header = 1)."""

    row: int
    full_name: str = ""
    household_number: str = ""
    head_name: str = ""
    address: str = ""
    year_of_birth: str = ""
    gender: str = ""
    ethnicity: str = ""
    phone: str = ""
    citizen_id: str = ""
    target_group: str = ""
    has_disability: str = ""
    preferred_language: str = ""
    village_code: str = ""
    consent: str = ""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    households: int = 0
    residents: int = 0
    consents: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def rejected_rows(self) -> int:
        return len({error.row for error in self.errors})


def _choice_lookup(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    # Labels in every interface language: a template filled in English is imported from the
    # Vietnamese site, and the other way round.
    table = {}
    for key, label in choices:
        table[fold_text(key)] = key
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                table[fold_text(str(label))] = key
    for word, key in (extra or {}).items():
        table[fold_text(word)] = key
    return table


_YES = {"co", "x", "1", "yes", "true", "dong y"}
_NO = {"", "khong", "0", "no", "false"}


class _RowChecker:
    """Validates rows against lookups made once per import, not once per row."""

    def __init__(self, *, target: Area, user):
        self.user = user
        self.target = target
        self.genders = _choice_lookup(
            Resident.Gender.choices, {"m": "male", "f": "female", "nu": "female"}
        )
        self.groups = _choice_lookup(
            TargetGroup.choices,
            {"can bo": "officials", "hoc sinh": "students", "nguoi lao dong": "workers"},
        )
        self.languages = _choice_lookup(LANGUAGES, {"viet": "vi", "hmong": "hmn", "tay": "tyz"})
        self.this_year = timezone.localdate().year
        if target.level == Area.Level.VILLAGE:
            villages = [target]
        else:
            villages = list(
                Area.objects.filter(parent=target, level=Area.Level.VILLAGE, is_active=True)
            )
        self.villages = {
            village.code: village
            for village in villages
            if can(user, Perm.EDIT_PEOPLE, village) and village.is_active
        }
        self.other_codes: dict[str, str] = {}

    def village_error(self, code: str) -> str:
        if code not in self.other_codes:
            other = Area.objects.filter(code=code, level=Area.Level.VILLAGE).first()
            if other is None:
                message = _("Không có thôn nào mã “%(code)s”.") % {"code": code}
            elif not other.is_active:
                message = _("Thôn mã %(code)s đã được sáp nhập; hãy dùng mã thôn mới.") % {
                    "code": code
                }
            else:
                message = _(
                    "Thôn mã %(code)s không thuộc %(target)s hoặc ngoài phạm vi bạn được giao."
                ) % {"code": code, "target": self.target.name}
            self.other_codes[code] = message
        return self.other_codes[code]

    def check(self, row: ResidentRow) -> tuple[dict[str, Any] | None, list[RowError]]:
        errors: list[RowError] = []

        def fail(column: str, message: str) -> None:
            errors.append(RowError(row.row, IMPORT_COLUMNS[column], message))

        code = row.village_code.strip().upper()
        village = None
        if code:
            village = self.villages.get(code)
            if village is None:
                fail("village_code", self.village_error(code))
        elif self.target.level == Area.Level.VILLAGE:
            village = self.villages.get(self.target.code)
            if village is None:
                fail("village_code", self.village_error(self.target.code))
        else:
            fail("village_code", _("Thiếu mã thôn: khi nhập cho cả xã, mỗi dòng phải có mã thôn."))

        full_name = " ".join(row.full_name.split())
        if not full_name:
            fail("full_name", _("Họ và tên không được để trống."))
        elif len(full_name) > NAME_MAX_LENGTH:
            fail("full_name", _("Họ và tên dài quá %(limit)d ký tự.") % {"limit": NAME_MAX_LENGTH})

        year = None
        text = row.year_of_birth.strip()
        if text:
            if text.isdigit() and EARLIEST_YEAR_OF_BIRTH <= int(text) <= self.this_year:
                year = int(text)
            else:
                fail(
                    "year_of_birth",
                    _("Năm sinh “%(year)s” không hợp lệ: phải từ %(first)d đến %(last)d.")
                    % {"year": text, "first": EARLIEST_YEAR_OF_BIRTH, "last": self.this_year},
                )

        phone = ""
        if row.phone.strip():
            phone = normalise_phone(row.phone)
            if not phone:
                fail(
                    "phone",
                    _("Số điện thoại “%(phone)s” không phải số di động Việt Nam.")
                    % {"phone": row.phone.strip()},
                )

        number = None
        if row.citizen_id.strip():
            try:
                number = normalise_citizen_id(row.citizen_id)
            except CitizenIdError as error:
                fail("citizen_id", str(error))

        gender = self._pick(self.genders, row.gender, "unknown", "gender", fail)
        group = self._pick(
            self.groups, row.target_group, TargetGroup.CITIZENS, "target_group", fail
        )
        language = self._pick(
            self.languages, row.preferred_language, "vi", "preferred_language", fail
        )

        disability = _fold(row.has_disability)
        if disability not in _YES and disability not in _NO:
            fail("has_disability", _("Cột Khuyết tật chỉ nhận “Có” hoặc “Không”."))
        consent = _fold(row.consent)
        if consent not in _YES and consent not in _NO:
            fail("consent", _("Cột Đồng ý xử lý dữ liệu chỉ nhận “Có” hoặc “Không”."))

        head_name = " ".join(row.head_name.split()) or full_name
        household_number = row.household_number.strip()[:30]
        if errors:
            return None, errors
        village_id = village.pk
        return {
            "village_id": village_id,
            "household_key": (village_id, household_number, "" if household_number else head_name),
            "household_number": household_number,
            "head_name": head_name[:NAME_MAX_LENGTH],
            "address": " ".join(row.address.split())[:300],
            "full_name": full_name,
            "year_of_birth": year,
            "gender": gender,
            "ethnicity": " ".join(row.ethnicity.split())[:50],
            "phone": phone,
            "citizen_id": number,
            "target_group": group,
            "has_disability": disability in _YES,
            "preferred_language": language,
            "consent": consent in _YES,
            "row": row.row,
        }, []

    @staticmethod
    def _pick(table: dict[str, str], raw: str, default: str, column: str, fail) -> str:
        if not raw.strip():
            return default
        value = table.get(_fold(raw))
        if value is None:
            fail(column, _("Giá trị “%(value)s” không hợp lệ.") % {"value": raw.strip()})
            return default
        return value


class _ImportRollback(Exception):
    """Raised to undo an all-or-nothing import that met a bad row."""


def _chunks(rows: Iterable[ResidentRow], size: int) -> Iterable[list[ResidentRow]]:
    chunk: list[ResidentRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_RESIDENT_COLUMNS = (
    "household_id",
    "village_id",
    "full_name",
    "year_of_birth",
    "gender",
    "ethnicity",
    "phone",
    "citizen_id_hash",
    "citizen_id_encrypted",
    "target_group",
    "has_disability",
    "preferred_language",
    "version",
    "created_by_id",
    "created_at",
    "updated_at",
)


def _max_parameters() -> int:
    if connection.vendor == "sqlite":
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return 65535


def _insert_returning_ids(model, attnames: Sequence[str], rows: list[tuple]) -> list[int]:
    """Insert rows of plain values, many per statement, and return their ids in order.

    The ORM's bulk_create spends most of an import preparing each value of each model instance
    and, on SQLite, sends at most 999 parameters per statement; rows already checked and in
    database form go straight to the driver, about five times faster.
    """
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _copy_returning_ids(model, attnames, rows)
    columns_of = {f.attname: f.column for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(columns_of[name]) for name in attnames)
    one_row = "(" + ", ".join(["%s"] * len(attnames)) + ")"
    per_statement = max(1, min(IMPORT_CHUNK, _max_parameters() // len(attnames)))
    ids: list[int] = []
    connection.ensure_connection()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            sql = (
                f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
                f"{', '.join([one_row] * len(batch))} RETURNING {quote(model._meta.pk.column)}"
            )
            cursor.execute(sql, [value for row in batch for value in row])
            ids.extend(pk for (pk,) in cursor.fetchall())
    return ids


def _copy_returning_ids(model, attnames: Sequence[str], rows: list[tuple]) -> list[int]:
    """PostgreSQL: the ids drawn from the table's sequence in one query, then the rows by COPY.

    A multi-row INSERT of tens of thousands of parameters costs psycopg seconds of merging them
    into the statement text, and the server as long to parse it; COPY streams the rows instead.
    """
    meta = model._meta
    quote = connection.ops.quote_name
    columns_of = {f.attname: f.column for f in meta.concrete_fields}
    columns = ", ".join(quote(c) for c in (meta.pk.column, *(columns_of[n] for n in attnames)))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, *row))
    return ids


def _select_in(sql: str, column: str, values: Iterable, params: Sequence = ()) -> list[tuple]:
    """Rows of `sql` (its WHERE ending in `{in}`) whose `column` is among `values`.

    Plain SQL rather than the ORM: preparing an IN list of thousands of values field by field is
    a good part of an import's time; PostgreSQL takes the list as one array parameter.
    """
    values = list(values)
    if connection.vendor == "postgresql":
        clause, extra = f"{column} = ANY(%s)", [values]
    else:
        clause, extra = f"{column} IN ({', '.join(['%s'] * len(values))})", values
    with connection.cursor() as cursor:
        cursor.execute(sql.format(clause=clause), [*params, *extra])
        return cursor.fetchall()


class _ImportWriter:
    """Writes one checked chunk at a time: memory stays flat however long the file is.

    Duplicates against earlier chunks are found in the database (the earlier chunks are already
    written, inside the import's transaction), so nothing grows with the file.
    """

    def __init__(self, *, user, result: ImportResult):
        self.user = user
        self.result = result
        self.watermark = Resident.objects.aggregate(top=Max("pk"))["top"] or 0
        self.user_id = getattr(user, "pk", None)
        # Written straight into the table, so in the form the database driver expects.
        self.stamp = connection.ops.adapt_datetimefield_value(timezone.now())
        self.consent_version = settings.CONSENT_TEXT_VERSION
        self.village_names: dict[int, str] = {}

    @staticmethod
    def _existing_households(keys: set[tuple]) -> dict[tuple, int]:
        village_ids = sorted({key[0] for key in keys})
        numbers = {key[1] for key in keys if key[1]}
        heads = {key[2] for key in keys if not key[1]}
        select = (
            f"SELECT id, village_id, number, head_name FROM "
            f"{connection.ops.quote_name(Household._meta.db_table)} "
            f"WHERE village_id IN ({', '.join(['%s'] * len(village_ids))}) AND "
        )
        rows: list[tuple] = []
        if numbers:
            rows += _select_in(select + "{clause}", "number", numbers, village_ids)
        if heads:
            rows += _select_in(select + "number = '' AND {clause}", "head_name", heads, village_ids)
        found: dict[tuple, int] = {}
        for pk, village_id, number, head in sorted(rows):
            found.setdefault((village_id, number, "" if number else head), pk)
        return found

    def _create_households(
        self, accepted: list[dict[str, Any]], found: dict[tuple, int]
    ) -> list[int]:
        firsts = {}
        for item in accepted:
            if item["household_key"] not in found:
                firsts.setdefault(item["household_key"], item)
        ids = _insert_returning_ids(
            Household,
            (
                "village_id",
                "head_name",
                "address",
                "number",
                "created_by_id",
                "created_at",
                "updated_at",
            ),
            [
                (
                    item["village_id"],
                    item["head_name"],
                    item["address"],
                    item["household_number"],
                    self.user_id,
                    self.stamp,
                    self.stamp,
                )
                for item in firsts.values()
            ],
        )
        found.update(zip(firsts, ids, strict=True))
        self.result.households += len(ids)
        return ids

    @staticmethod
    def _known_hashes(hashes: dict[str, int]) -> dict[str, tuple[int, int]]:
        if not hashes:
            return {}
        table = connection.ops.quote_name(Resident._meta.db_table)
        return {
            digest: (pk, village_id)
            for digest, pk, village_id in _select_in(
                f"SELECT citizen_id_hash, id, village_id FROM {table} WHERE {{clause}}",
                "citizen_id_hash",
                hashes,
            )
        }

    @staticmethod
    def _members_without_id(household_ids: Iterable[int]) -> set[tuple]:
        """(household, name, year) of the members without an ID number, to find them again."""
        table = connection.ops.quote_name(Resident._meta.db_table)
        return set(
            _select_in(
                f"SELECT household_id, full_name, year_of_birth FROM {table} "
                "WHERE citizen_id_hash IS NULL AND {clause}",
                "household_id",
                household_ids,
            )
        )

    def write(self, checked: list[dict[str, Any]]) -> list[RowError]:
        """Write the good rows of a chunk; return the rows refused as duplicates."""
        errors: list[RowError] = []
        hashes: dict[str, int] = {}
        for item in checked:
            item["hash"] = citizen_id_hash(item["citizen_id"]) if item["citizen_id"] else None
            if item["hash"]:
                hashes.setdefault(item["hash"], item["row"])
        known = self._known_hashes(hashes)
        households = self._existing_households({item["household_key"] for item in checked})
        members = self._members_without_id(set(households.values())) if households else set()
        seen_people: dict[tuple, int] = {}
        accepted: list[dict[str, Any]] = []
        for item in checked:
            digest = item["hash"]
            if digest is not None:
                if digest in known:
                    errors.append(self._known_error(item, *known[digest]))
                    continue
                if hashes[digest] != item["row"]:
                    errors.append(self._in_file_error(item, "citizen_id", hashes[digest]))
                    continue
            else:
                person = (item["household_key"], item["full_name"], item["year_of_birth"])
                if person in seen_people:
                    errors.append(self._in_file_error(item, "full_name", seen_people[person]))
                    continue
                household_id = households.get(item["household_key"])
                if (household_id, item["full_name"], item["year_of_birth"]) in members:
                    errors.append(
                        RowError(
                            item["row"],
                            IMPORT_COLUMNS["full_name"],
                            _("%(name)s (sinh năm %(year)s) đã có trong hộ này.")
                            % {"name": item["full_name"], "year": item["year_of_birth"] or "?"},
                        )
                    )
                    continue
                seen_people[person] = item["row"]
            accepted.append(item)
        household_ids = self._create_households(accepted, households)
        tokens = iter(
            encrypt_citizen_ids([item["citizen_id"] for item in accepted if item["hash"]])
        )
        resident_ids = _insert_returning_ids(
            Resident,
            _RESIDENT_COLUMNS,
            [
                (
                    households[item["household_key"]],
                    item["village_id"],
                    item["full_name"],
                    item["year_of_birth"],
                    item["gender"],
                    item["ethnicity"],
                    item["phone"],
                    item["hash"],
                    next(tokens) if item["hash"] else "",
                    item["target_group"],
                    item["has_disability"],
                    item["preferred_language"],
                    1,
                    self.user_id,
                    self.stamp,
                    self.stamp,
                )
                for item in accepted
            ],
        )
        consents = [
            (pk, Consent.Purpose.SUPPORT.value, self.consent_version, self.stamp, self.user_id)
            for pk, item in zip(resident_ids, accepted, strict=True)
            if item["consent"]
        ]
        _insert_returning_ids(
            Consent,
            ("resident_id", "purpose", "text_version", "given_at", "recorded_by_id"),
            consents,
        )
        self.result.residents += len(resident_ids)
        self.result.consents += len(consents)
        residents_imported.send(
            sender=Resident, resident_ids=resident_ids, household_ids=household_ids
        )
        return errors

    def _known_error(self, item: dict, pk: int, village_id: int) -> RowError:
        if pk > self.watermark:
            message = _("Trùng số CCCD với một dòng phía trên trong tệp.")
        else:
            if village_id not in self.village_names:
                village = Area.objects.filter(pk=village_id).first()
                self.village_names[village_id] = (
                    village.name if village and can(self.user, Perm.VIEW_PEOPLE, village) else ""
                )
            name = self.village_names[village_id]
            message = (
                _("Số CCCD này đã được đăng ký ở %(village)s.") % {"village": name}
                if name
                else _("Số CCCD này đã có trong hệ thống.")
            )
        return RowError(item["row"], IMPORT_COLUMNS["citizen_id"], message)

    @staticmethod
    def _in_file_error(item: dict, column: str, first_row: int) -> RowError:
        return RowError(
            item["row"],
            IMPORT_COLUMNS[column],
            _("Trùng người với dòng %(row)d trong tệp.") % {"row": first_row},
        )


def import_residents(
    *,
    village_or_commune: Area,
    rows: Iterable[ResidentRow],
    mode: str = ImportMode.ALL_OR_NOTHING,
    imported_by,
) -> ImportResult:
    """Import a resident list into a village or a commune, in one transaction.

    Rows are grouped into households by (village, Số hộ) or, without a number, (village, Chủ hộ).
    "all_or_nothing": one bad row and nothing is written, every bad row reported; "good_rows": the
    good rows are written and the bad ones reported. `rows` is consumed once, chunk by chunk.
    """
    mode = ImportMode(mode)
    target = village_or_commune
    if target.level not in (Area.Level.VILLAGE, Area.Level.COMMUNE) or not target.is_active:
        raise PeopleError(_("Chỉ nhập danh sách vào một thôn hoặc một xã đang hoạt động."))
    result = ImportResult()
    checker = _RowChecker(target=target, user=imported_by)
    try:
        with transaction.atomic():
            writer = _ImportWriter(user=imported_by, result=result)
            for chunk in _chunks(rows, IMPORT_CHUNK):
                good = []
                for row in chunk:
                    result.rows += 1
                    cleaned, errors = checker.check(row)
                    if errors:
                        result.errors.extend(errors)
                    else:
                        good.append(cleaned)
                if good:
                    result.errors.extend(writer.write(good))
            if result.errors and mode == ImportMode.ALL_OR_NOTHING:
                raise _ImportRollback
    except _ImportRollback:
        result.households = result.residents = result.consents = 0
    result.errors.sort(key=lambda error: error.row)
    return result


@transaction.atomic
def register_resident_once(**fields) -> tuple[Resident, bool]:
    """register_resident, and whether this call made the resident (False: a client_id replay)."""
    client_id = fields.get("client_id")
    if client_id is not None:
        existing = Resident.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing, False
    return register_resident(**fields), True


@transaction.atomic
def register_household_once(**fields) -> tuple[Household, bool]:
    """register_household, and whether this call made the household (False: a client_id replay)."""
    client_id = fields.get("client_id")
    if client_id is not None:
        existing = Household.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing, False
    return register_household(**fields), True
