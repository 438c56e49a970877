"""Public API of the administrative tree: aggregate facts only, no personal data."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from hocvuso.places.models import Area
from hocvuso.places.selectors import active_children

router = Router(tags=["areas"])


class AreaRef(Schema):
    code: str
    name: str
    level: str
    kind: str


class AreaOut(AreaRef):
    is_active: bool
    # The code of the village that absorbed this one, so that a client holding an old code can follow.
    merged_into: str | None
    parent: AreaRef | None
    children: list[AreaRef]


def _ref(area: Area) -> dict:
    return {
        "code": area.code,
        "name": area.name,
        "level": Area.Level(area.level).name.lower(),
        "kind": area.kind,
    }


@router.get("/{code}", response=AreaOut)
def area_detail(request, code: str):
    """An area by code (VN, a 2-digit province, 5-digit commune, village code) and its children."""
    area = get_object_or_404(Area.objects.select_related("parent", "merged_into"), code=code)
    return {
        **_ref(area),
        "is_active": area.is_active,
        "merged_into": area.merged_into.code if area.merged_into else None,
        "parent": _ref(area.parent) if area.parent else None,
        "children": [_ref(child) for child in active_children(area)],
    }
