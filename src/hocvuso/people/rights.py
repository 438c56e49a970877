"""A resident's rights over their data (Law 91/2025/QH15, art. 4): see it all, take it away, erase it.

The export walks every relation that points at the resident, whichever app defines it (visits,
classes attended, mentorships, recognitions…), so people needs no knowledge of the apps above it
and a new app's data is included without a change here. Of the linked learner account it takes
the account itself and what is recorded about its holder as a learner (enrolments, progress,
quiz attempts), never what the holder recorded about other people.
"""

import datetime
import decimal
import io
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models.deletion import ProtectedError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.models import Role
from hocvuso.people.audit import Action, accesses_of, record_access
from hocvuso.people.crypto import CitizenIdError, decrypt_citizen_id, mask_citizen_id
from hocvuso.people.models import Consent, Household, PersonalDataAccess, Resident
from hocvuso.people.services import PeopleError, withdraw_consent

# Fields never exported: secrets, and the keyed hash that would let a file be matched to others.
SECRET_FIELDS = frozenset({"password", "citizen_id_hash", "citizen_id_encrypted", "key", "digest"})
ROWS_PER_SECTION = 5000
# The relations through which a learner account is the subject of a record, not its author.
SUBJECT_FIELD_NAMES = frozenset({"learner", "user"})
FORMAT = "hocvuso-du-lieu-ca-nhan/1"


def _is_secret(name: str) -> bool:
    return name in SECRET_FIELDS or "token" in name or "secret" in name or name.endswith("_hash")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _row(obj: models.Model) -> dict[str, Any]:
    """A record's own fields as plain data, with a readable label beside each foreign key."""
    out: dict[str, Any] = {}
    for model_field in obj._meta.concrete_fields:
        if _is_secret(model_field.name):
            continue
        value = getattr(obj, model_field.attname)
        out[model_field.name] = _plain(value)
        if model_field.is_relation and value is not None:
            related = getattr(obj, model_field.name, None)
            if related is not None:
                out[f"{model_field.name}__label"] = str(related)
    return out


def _reverse_relations(model: type[models.Model]):
    return [
        relation
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created and not relation.concrete and relation.is_relation
    ]


def _section_name(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _rows_pointing_at(instance: models.Model, relation) -> list[models.Model]:
    model = relation.related_model
    return list(
        model._base_manager.filter(**{relation.field.name: instance}).order_by("pk")[
            :ROWS_PER_SECTION
        ]
    )


def _resident_sections(resident: Resident) -> dict[str, list[dict]]:
    sections: dict[str, list[dict]] = {}
    for relation in _reverse_relations(Resident):
        model = relation.related_model
        if model is PersonalDataAccess or "token" in model._meta.model_name:
            continue
        rows = _rows_pointing_at(resident, relation)
        if rows:
            sections.setdefault(_section_name(model), []).extend(_row(r) for r in rows)
    return sections


def _owned_children(rows: list[models.Model], sections: dict[str, list[dict]]) -> None:
    """The records that belong to these (deleted with them): a learner's progress per enrolment."""
    if not rows:
        return
    for relation in _reverse_relations(type(rows[0])):
        if getattr(relation, "on_delete", None) is not models.CASCADE or relation.many_to_many:
            continue
        model = relation.related_model
        children = list(
            model._base_manager.filter(**{f"{relation.field.name}__in": rows}).order_by("pk")[
                :ROWS_PER_SECTION
            ]
        )
        if children:
            sections.setdefault(_section_name(model), []).extend(_row(c) for c in children)


def _account_sections(user) -> dict[str, list[dict]]:
    sections: dict[str, list[dict]] = {"accounts.user": [_row(user)]}
    for relation in _reverse_relations(type(user)):
        model = relation.related_model
        if relation.field.name not in SUBJECT_FIELD_NAMES or relation.many_to_many:
            continue
        if "token" in model._meta.model_name or model is Resident:
            continue
        rows = _rows_pointing_at(user, relation)
        if rows:
            sections.setdefault(_section_name(model), []).extend(_row(r) for r in rows)
            _owned_children(rows, sections)
    return sections


def _masked_citizen_id(resident: Resident) -> str:
    if not resident.citizen_id_encrypted:
        return ""
    try:
        return mask_citizen_id(decrypt_citizen_id(resident.citizen_id_encrypted))
    except CitizenIdError:
        return ""


def resident_data(resident: Resident) -> dict[str, Any]:
    """Everything recorded about a resident, as plain data (JSON-ready).

    The citizen ID number is given masked, as everywhere else; the audit of who saw the record
    is included, since the person may ask who processed their data.
    """
    person = _row(resident)
    person["citizen_id_masked"] = _masked_citizen_id(resident)
    data: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(),
        "resident": person,
        "household": _row(resident.household) if resident.household_id else None,
        "related": _resident_sections(resident),
        "account": _account_sections(resident.user) if resident.user_id else {},
        "accesses": [
            {
                "at": access.at.isoformat(),
                "user": access.username,
                "action": access.action,
                "action_label": access.get_action_display(),
                "what": access.what,
                "purpose": access.purpose,
            }
            for access in accesses_of(resident.pk)
        ],
    }
    return data


def _sheet_title(name: str, taken: set[str]) -> str:
    base = "".join(c for c in name if c not in "[]:*?/\\")[:28] or "Sheet"
    title, n = base, 1
    while title in taken:
        n += 1
        title = f"{base[:26]}-{n}"
    taken.add(title)
    return title


def resident_workbook(data: dict[str, Any]) -> bytes:
    """The export as an Excel workbook a person can read: one sheet per kind of record."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    taken: set[str] = set()
    summary = book.create_sheet(_sheet_title(_("Thông tin cá nhân"), taken))
    summary.append([_("Trường"), _("Giá trị")])
    for key, value in data["resident"].items():
        summary.append([key, _cell(summary, value)])
    if data["household"]:
        summary.append([])
        summary.append([_("Hộ gia đình"), ""])
        for key, value in data["household"].items():
            summary.append([key, _cell(summary, value)])
    sections = {**data["related"], **data["account"]}
    sections["people.personaldataaccess"] = data["accesses"]
    titles = {
        "people.personaldataaccess": _("Ai đã xem, xử lý"),
        "accounts.user": _("Tài khoản học tập"),
    }
    for name, rows in sections.items():
        if not rows:
            continue
        sheet = book.create_sheet(_sheet_title(titles.get(name, name), taken))
        columns = list(dict.fromkeys(key for row in rows for key in row))
        sheet.append(columns)
        for row in rows:
            sheet.append([_cell(sheet, row.get(column)) for column in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(sheet, value: Any) -> Any:
    """A value as a cell; text always stays text, so "=…" typed into a name is never a formula."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def export_resident(
    *, resident: Resident, exported_by, request: HttpRequest | None = None, purpose: str = ""
) -> dict[str, Any]:
    """The resident's data for them to take away; the export itself is audited first."""
    record_access(
        request=request,
        user=exported_by,
        action=Action.EXPORT,
        what="people:resident_export",
        resident=resident,
        purpose=purpose,
    )
    return resident_data(resident)


@dataclass
class ErasureResult:
    resident_id: int
    deleted: dict[str, int] = field(default_factory=dict)
    account_deleted: bool = False
    account_kept_reason: str = ""
    household_anonymised: bool = False


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _erase_account(user, result: ErasureResult) -> None:
    staff_roles = set(user.role_assignments.values_list("role", flat=True)) - {Role.LEARNER}
    if staff_roles or user.is_staff or user.is_superuser:
        result.account_kept_reason = _(
            "Tài khoản được giữ lại vì người này còn giữ vai trò cán bộ, tổ công nghệ số."
        )
        return
    try:
        with transaction.atomic():
            deleted, _per_model = user.delete()
    except ProtectedError:
        result.account_kept_reason = _(
            "Tài khoản được giữ lại vì còn gắn với việc người này đã ghi nhận cho người khác."
        )
        return
    result.account_deleted = deleted > 0


@transaction.atomic
def erase_resident(
    *,
    resident: Resident,
    erased_by,
    purpose: str,
    request: HttpRequest | None = None,
    with_account: bool = True,
) -> ErasureResult:
    """Erase a resident and everything recorded about them, in one transaction.

    Deleted through the ORM, so every record that goes (consents, milestones, visit and class
    attendance links, mentorships, recognitions…) sends post_delete and the live counters follow.
    The household row stays (visits counted as "households guided" point at it); when this person
    was its head, the head's name is replaced, and the address too once no member remains: the
    only tombstone, and it names no one. The learner
    account goes too unless the person also works as staff. The erasure is audited in the same
    transaction: a failure leaves both the data and the log unchanged.
    """
    reason = " ".join((purpose or "").split())
    if not reason:
        raise PeopleError(_("Hãy ghi lý do xoá (ví dụ: theo yêu cầu của người dân ngày …)."))
    current = Resident.objects.select_for_update().filter(pk=resident.pk).first()
    if current is None:
        raise PeopleError(_("Người dân này đã được xoá trước đó."))
    record_access(
        request=request,
        user=erased_by,
        action=Action.DELETE,
        what="people:resident_erase",
        resident=current,
        purpose=reason,
    )
    result = ErasureResult(resident_id=current.pk)
    household = (
        Household.objects.select_for_update().filter(pk=current.household_id).first()
        if current.household_id
        else None
    )
    account = get_user_model().objects.filter(pk=current.user_id).first()
    _count, per_model = current.delete()
    result.deleted = dict(per_model)
    if household is not None and _same_name(household.head_name, current.full_name):
        household.head_name = _("Hộ đã xoá thông tin chủ hộ")
        if not household.members.exists():
            household.address = ""
        household.save(update_fields=["head_name", "address", "updated_at"])
        result.household_anonymised = True
    if account is not None and with_account:
        _erase_account(account, result)
    return result


@transaction.atomic
def withdraw_consent_audited(
    *, consent: Consent, resident: Resident, request: HttpRequest | None = None, user=None
) -> Consent:
    """withdraw_consent, recorded in the audit log in the same transaction."""
    withdrawn_by = user if user is not None else getattr(request, "user", None)
    withdrawn = withdraw_consent(consent=consent, withdrawn_by=withdrawn_by)
    record_access(
        request=request,
        user=withdrawn_by,
        action=Action.CONSENT,
        what="people:consent_withdraw",
        resident=resident,
        purpose=_("Rút lại: %(purpose)s") % {"purpose": withdrawn.get_purpose_display()},
    )
    return withdrawn
