"""Writes to the administrative tree."""

from dataclasses import dataclass

from django.db import transaction
from vietnam_provinces import Province, Ward

from hocvuso.places.models import COUNTRY_CODE, PATH_SEPARATOR, Area, AreaChange

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


def _village_code(pk: int) -> str:
    # From the row id, so it is unique without a counter and never changes on rename or move.
    return f"V{pk:07d}"


def _clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise VillageError("Tên thôn không được để trống.")
    if len(cleaned) > 200:
        raise VillageError("Tên thôn dài quá 200 ký tự.")
    return cleaned


@transaction.atomic
def create_village(*, commune: Area, name: str, kind: str = "thôn", changed_by=None) -> Area:
    """Create a village (thôn, bản, tổ dân phố…) in a commune, with a stable platform code."""
    if commune.level != Area.Level.COMMUNE:
        raise VillageError("Thôn chỉ được tạo trong một xã, phường hoặc đặc khu.")
    name = _clean_name(name)
    if Area.objects.filter(parent=commune, is_active=True, name__iexact=name).exists():
        raise VillageError(f"Xã đã có thôn tên “{name}”.")
    village = Area.objects.create(
        code=f"new-{commune.code}-{name}"[:16],
        name=name,
        kind=kind,
        level=Area.Level.VILLAGE,
        parent=commune,
        path="",
    )
    village.code = _village_code(village.pk)
    village.path = child_path(commune, village.code)
    village.save(update_fields=["code", "path"])
    AreaChange.objects.create(
        area=village,
        action=AreaChange.Action.CREATED,
        new_name=name,
        new_parent=commune,
        changed_by=changed_by,
    )
    return village
