"""Writes to the administrative tree."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import uuid4

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from vietnam_provinces import Province, Ward

from hocvuso.places.models import COUNTRY_CODE, PATH_SEPARATOR, Area, AreaChange
from hocvuso.places.selectors import fold_text
from hocvuso.places.signals import village_merged, village_moved

COUNTRY_NAME = "Việt Nam"


def province_code(gso_code: int) -> str:
    """The 2-digit GSO code of a province, e.g. 15 → "15"."""
    return f"{int(gso_code):02d}"


def commune_code(gso_code: int) -> str:
    """The 5-digit GSO code of a commune, e.g. 4399 → "04399"."""
    return f"{int(gso_code):05d}"


def child_path(parent: Area, code: str) -> str:
    return f"{parent.path}{code}{PATH_SEPARATOR}"


@dataclass(frozen=True)
class LoadResult:
    provinces: int
    communes: int
    created: int
    updated: int


@transaction.atomic
def load_administrative_units() -> LoadResult:
    """Load or refresh the country, its 34 provinces and 3,321 communes from `vietnam-provinces`.

    Idempotent: names and types follow the package; codes never change; villages are untouched.
    """
    country, created = Area.objects.get_or_create(
        code=COUNTRY_CODE,
        defaults={
            "name": COUNTRY_NAME,
            "kind": "quốc gia",
            "level": Area.Level.COUNTRY,
            "path": f"{COUNTRY_CODE}{PATH_SEPARATOR}",
        },
    )
    existing = {a.code: a for a in Area.objects.filter(level__in=[1, 2])}
    to_create: list[Area] = []
    to_update: list[Area] = []

    def upsert(code: str, name: str, kind: str, level: int, parent: Area) -> Area:
        path = child_path(parent, code)
        area = existing.get(code)
        if area is None:
            area = Area(code=code, name=name, kind=kind, level=level, parent=parent, path=path)
            to_create.append(area)
        elif (area.name, area.kind, area.parent_id, area.path) != (name, kind, parent.pk, path):
            area.name, area.kind, area.parent, area.path = name, kind, parent, path
            to_update.append(area)
        return area

    provinces: dict[str, Area] = {}
    for province in Province.iter_all():
        code = province_code(province.code)
        provinces[code] = upsert(
            code, province.name, province.division_type.value, Area.Level.PROVINCE, country
        )
    Area.objects.bulk_create(to_create, batch_size=500)
    for code, area in provinces.items():
        if area.pk is None:
            provinces[code] = Area.objects.get(code=code)
    province_created = len(to_create)
    to_create.clear()

    wards = list(Ward.iter_all())
    for ward in wards:
        parent = provinces[province_code(ward.province_code)]
        upsert(
            commune_code(ward.code), ward.name, ward.division_type.value, Area.Level.COMMUNE, parent
        )
    Area.objects.bulk_create(to_create, batch_size=500)
    Area.objects.bulk_update(to_update, ["name", "kind", "parent", "path"], batch_size=500)
    return LoadResult(
        provinces=len(provinces),
        communes=len(wards),
        created=int(created) + province_created + len(to_create),
        updated=len(to_update),
    )


class VillageError(ValueError):
    """A village change that cannot be made; the message is for the user, in Vietnamese."""


VILLAGE_KINDS = ("thôn", "bản", "tổ dân phố", "làng", "ấp", "buôn", "khu phố", "xóm", "khối")
DEFAULT_VILLAGE_KIND = "thôn"
VILLAGE_NAME_MAX_LENGTH = 200

# The headers of an import file, as the user reads them in the spreadsheet.
COLUMN_NAME = "Tên thôn"
COLUMN_KIND = "Loại"
COLUMN_COMMUNE = "Mã xã"

_KIND_BY_KEY = {fold_text(kind): kind for kind in VILLAGE_KINDS}


def _village_code(pk: int) -> str:
    # From the row id, so it is unique without a counter and never changes on rename or move.
    return f"V{pk:07d}"


def _temporary_code() -> str:
    # Stands in for the real code between the INSERT that yields the row id and the UPDATE.
    return f"tmp{uuid4().hex[:13]}"


def _clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise VillageError(_("Tên thôn không được để trống."))
    if len(cleaned) > VILLAGE_NAME_MAX_LENGTH:
        raise VillageError(
            _("Tên thôn dài quá %(limit)d ký tự.") % {"limit": VILLAGE_NAME_MAX_LENGTH}
        )
    return cleaned


def _clean_kind(kind: str) -> str:
    """The official spelling of a village type; "Thon", "THÔN" and "thôn" are all "thôn"."""
    if not (kind or "").strip():
        return DEFAULT_VILLAGE_KIND
    canonical = _KIND_BY_KEY.get(fold_text(kind))
    if canonical is None:
        raise VillageError(
            _("Loại “%(kind)s” không hợp lệ; chỉ nhận: %(allowed)s.")
            % {"kind": kind.strip(), "allowed": ", ".join(VILLAGE_KINDS)}
        )
    return canonical


def _name_key(name: str) -> str:
    # Case and spacing do not make two villages different; diacritics do ("Quẵng" is not "Quang").
    return " ".join(name.split()).casefold()


def _normalise_commune_code(code: str) -> str:
    # Spreadsheets turn "04399" into the number 4399; the GSO code is always 5 digits.
    code = (code or "").strip()
    return code.zfill(5) if code.isdigit() and len(code) < 5 else code


def _lock_areas(*areas: Area) -> None:
    """Serialise village changes per commune (a no-op on SQLite, whose writers queue anyway)."""
    pks = sorted({area.pk for area in areas})
    list(Area.objects.select_for_update().filter(pk__in=pks).values_list("pk", flat=True))


def _require_commune(area: Area) -> None:
    if area.level != Area.Level.COMMUNE or not area.is_active:
        raise VillageError(_("Thôn chỉ thuộc về một xã, phường hoặc đặc khu đang hoạt động."))


def _require_active_village(area: Area) -> None:
    if area.level != Area.Level.VILLAGE:
        raise VillageError(_("“%(name)s” không phải là thôn, tổ dân phố.") % {"name": area.name})
    if not area.is_active:
        raise VillageError(_("Thôn “%(name)s” đã được sáp nhập.") % {"name": area.name})


def _taken_names(commune: Area, *, exclude: Area | None = None) -> set[str]:
    villages = Area.objects.filter(parent=commune, level=Area.Level.VILLAGE, is_active=True)
    if exclude is not None:
        villages = villages.exclude(pk=exclude.pk)
    return {_name_key(name) for name in villages.values_list("name", flat=True)}


def _duplicate_name_error(name: str, commune: Area) -> VillageError:
    return VillageError(
        _("%(commune)s đã có thôn tên “%(name)s”.") % {"commune": commune.name, "name": name}
    )


def _insert_villages(
    *, commune: Area, villages: list[tuple[str, str]], action: str, changed_by
) -> list[Area]:
    """Insert (name, kind) pairs as villages of `commune`, give them codes and record the change."""
    created = [
        Area(
            code=_temporary_code(),
            name=name,
            kind=kind,
            level=Area.Level.VILLAGE,
            parent=commune,
            path="",
        )
        for name, kind in villages
    ]
    Area.objects.bulk_create(created, batch_size=500)
    for village in created:
        village.code = _village_code(village.pk)
        village.path = child_path(commune, village.code)
    Area.objects.bulk_update(created, ["code", "path"], batch_size=500)
    AreaChange.objects.bulk_create(
        [
            AreaChange(
                area=village,
                action=action,
                new_name=village.name,
                new_parent=commune,
                changed_by=changed_by,
            )
            for village in created
        ],
        batch_size=500,
    )
    return created


@transaction.atomic
def create_village(*, commune: Area, name: str, kind: str = "thôn", changed_by=None) -> Area:
    """Create a village (thôn, bản, tổ dân phố…) in a commune, with a stable platform code."""
    _require_commune(commune)
    _lock_areas(commune)
    name = _clean_name(name)
    kind = _clean_kind(kind)
    if _name_key(name) in _taken_names(commune):
        raise _duplicate_name_error(name, commune)
    [village] = _insert_villages(
        commune=commune,
        villages=[(name, kind)],
        action=AreaChange.Action.CREATED,
        changed_by=changed_by,
    )
    return village


@transaction.atomic
def rename_village(*, village: Area, name: str, changed_by) -> Area:
    """Give a village a new name; its code stays the same."""
    _lock_areas(village.parent)
    village.refresh_from_db()
    _require_active_village(village)
    name = _clean_name(name)
    if name == village.name:
        raise VillageError(_("Tên mới giống tên hiện tại."))
    if _name_key(name) in _taken_names(village.parent, exclude=village):
        raise _duplicate_name_error(name, village.parent)
    old_name = village.name
    village.name = name
    village.save(update_fields=["name"])
    AreaChange.objects.create(
        area=village,
        action=AreaChange.Action.RENAMED,
        old_name=old_name,
        new_name=name,
        changed_by=changed_by,
    )
    return village


@transaction.atomic
def merge_villages(*, source: Area, target: Area, changed_by) -> Area:
    """Merge `source` into `target` (same commune): `source` stays in the history, inactive."""
    _lock_areas(source.parent)
    source.refresh_from_db()
    target.refresh_from_db()
    _require_active_village(source)
    _require_active_village(target)
    if source.pk == target.pk:
        raise VillageError(_("Không thể sáp nhập một thôn vào chính nó."))
    if source.parent_id != target.parent_id:
        raise VillageError(_("Chỉ sáp nhập được hai thôn của cùng một xã."))
    source.is_active = False
    source.merged_into = target
    source.save(update_fields=["is_active", "merged_into"])
    AreaChange.objects.create(
        area=source,
        action=AreaChange.Action.MERGED,
        old_name=source.name,
        new_name=target.name,
        old_parent=source.parent,
        merged_into=target,
        changed_by=changed_by,
    )
    village_merged.send(sender=Area, source=source, target=target)
    return target


@transaction.atomic
def move_village(*, village: Area, to_commune: Area, changed_by) -> Area:
    """Move a village to another commune; its code stays, the history keeps both communes."""
    _lock_areas(village.parent, to_commune)
    village.refresh_from_db()
    to_commune.refresh_from_db()
    _require_active_village(village)
    _require_commune(to_commune)
    old_commune = village.parent
    if to_commune.pk == old_commune.pk:
        raise VillageError(
            _("Thôn “%(name)s” đã thuộc %(commune)s.")
            % {"name": village.name, "commune": to_commune.name}
        )
    if _name_key(village.name) in _taken_names(to_commune):
        raise _duplicate_name_error(village.name, to_commune)
    village.parent = to_commune
    village.path = child_path(to_commune, village.code)
    village.save(update_fields=["parent", "path"])
    AreaChange.objects.create(
        area=village,
        action=AreaChange.Action.MOVED,
        old_name=village.name,
        new_name=village.name,
        old_parent=old_commune,
        new_parent=to_commune,
        changed_by=changed_by,
    )
    village_moved.send(
        sender=Area, village=village, old_commune=old_commune, new_commune=to_commune
    )
    return village


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", gettext_lazy("Chỉ nhập khi mọi dòng đều hợp lệ")
    GOOD_ROWS = "good_rows", gettext_lazy("Nhập các dòng hợp lệ, bỏ qua các dòng lỗi")


@dataclass(frozen=True)
class VillageRow:
    """One data row of an import file; `row` is its number in the spreadsheet (header = 1)."""

    row: int
    name: str
    kind: str = ""
    commune_code: str = ""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: list[Area] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)


def _commune_code_error(code: str, commune: Area, known: dict[str, Area | None]) -> str:
    if code not in known:
        known[code] = Area.objects.filter(code=code, level=Area.Level.COMMUNE).first()
    other = known[code]
    if other is None:
        return _("Mã xã “%(code)s” không có trong danh mục xã, phường, đặc khu.") % {"code": code}
    return _("Mã xã %(code)s (%(other)s) không thuộc xã đang nhập (%(commune)s).") % {
        "code": code,
        "other": other.name,
        "commune": commune.name,
    }


@transaction.atomic
def import_villages(
    *,
    commune: Area,
    rows: Iterable[VillageRow],
    mode: str = ImportMode.ALL_OR_NOTHING,
    changed_by,
) -> ImportResult:
    """Create the villages listed in an import file, after checking every row.

    In "all_or_nothing" mode one bad row means nothing is created and every bad row is reported;
    in "good_rows" mode the good rows are created and the bad ones reported.
    """
    mode = ImportMode(mode)
    _require_commune(commune)
    _lock_areas(commune)
    taken = _taken_names(commune)
    first_row_of: dict[str, int] = {}
    known_communes: dict[str, Area | None] = {}
    good: list[tuple[str, str]] = []
    errors: list[RowError] = []
    for row in rows:
        row_errors: list[RowError] = []
        try:
            name = _clean_name(row.name)
        except VillageError as error:
            row_errors.append(RowError(row.row, COLUMN_NAME, str(error)))
        else:
            key = _name_key(name)
            if key in taken:
                message = str(_duplicate_name_error(name, commune))
                row_errors.append(RowError(row.row, COLUMN_NAME, message))
            elif key in first_row_of:
                message = _("Trùng tên “%(name)s” với dòng %(row)d trong tệp.") % {
                    "name": name,
                    "row": first_row_of[key],
                }
                row_errors.append(RowError(row.row, COLUMN_NAME, message))
            else:
                first_row_of[key] = row.row
        try:
            kind = _clean_kind(row.kind)
        except VillageError as error:
            row_errors.append(RowError(row.row, COLUMN_KIND, str(error)))
        code = _normalise_commune_code(row.commune_code)
        if code and code != commune.code:
            message = _commune_code_error(code, commune, known_communes)
            row_errors.append(RowError(row.row, COLUMN_COMMUNE, message))
        if row_errors:
            errors.extend(row_errors)
        else:
            good.append((name, kind))
    if errors and mode == ImportMode.ALL_OR_NOTHING:
        return ImportResult(errors=errors)
    created = _insert_villages(
        commune=commune, villages=good, action=AreaChange.Action.IMPORTED, changed_by=changed_by
    )
    return ImportResult(created=created, errors=errors)
