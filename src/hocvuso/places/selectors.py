"""Reads of the administrative tree."""

import re
import unicodedata
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from hocvuso.places.models import Area, AreaChange


def fold_text(text: str) -> str:
    """Lower-case text without Vietnamese diacritics, for matching: "Thôn Quẵng" → "thon quang"."""
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Đ/đ is a letter of its own, not d with a combining mark, so NFD leaves it alone.
    return " ".join(stripped.replace("Đ", "D").replace("đ", "d").casefold().split())


def name_sort_key(name: str) -> tuple:
    """Order names as people read them: "Thôn 2" before "Thôn 10", "Đông" among the D names."""
    parts = re.split(r"(\d+)", fold_text(name))
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts if part)


def area_by_code(code: str) -> Area:
    """The active or merged area with this code; raises Area.DoesNotExist."""
    return Area.objects.select_related("parent").get(code=code)


def areas_under(
    area: Area, *, level: int | None = None, include_self: bool = False
) -> QuerySet[Area]:
    """Every area below `area` (one indexed prefix query), optionally of one level."""
    qs = Area.objects.filter(path__startswith=area.path)
    if not include_self:
        qs = qs.exclude(pk=area.pk)
    if level is not None:
        qs = qs.filter(level=level)
    return qs


def areas_above(area: Area, *, include_self: bool = False) -> QuerySet[Area]:
    """The chain from the country down to `area`'s parent (or to `area` itself)."""
    codes = area.ancestor_codes if include_self else area.ancestor_codes[:-1]
    return Area.objects.filter(code__in=codes).order_by("level")


def active_children(area: Area) -> QuerySet[Area]:
    """The active areas one level below `area`, by name."""
    return Area.objects.filter(parent=area, is_active=True).order_by("name")


def active_children_with_counts(area: Area) -> QuerySet[Area]:
    """The active children of `area`, each annotated with `child_count`, its own active children."""
    return active_children(area).annotate(
        child_count=Count("children", filter=Q(children__is_active=True))
    )


def sorted_by_name(areas: Iterable[Area]) -> list[Area]:
    """The areas in reading order of their names (see `name_sort_key`)."""
    return sorted(areas, key=lambda area: name_sort_key(area.name))


def matching_name(areas: Iterable[Area], query: str) -> list[Area]:
    """The areas whose name contains `query`, ignoring case and diacritics ("dong cuong")."""
    needle = fold_text(query)
    return [area for area in areas if needle in fold_text(area.name)]


def villages_of(commune: Area) -> QuerySet[Area]:
    """The active villages of a commune, by name."""
    return Area.objects.filter(parent=commune, level=Area.Level.VILLAGE, is_active=True).order_by(
        "name"
    )


def merged_villages_of(commune: Area) -> QuerySet[Area]:
    """The villages of a commune merged into another one, with the village that absorbed them."""
    return (
        Area.objects.filter(parent=commune, level=Area.Level.VILLAGE, is_active=False)
        .select_related("merged_into")
        .order_by("name")
    )


def village_history(village: Area) -> QuerySet[AreaChange]:
    """Every change of a village, newest first, including villages merged into it."""
    return AreaChange.objects.filter(Q(area=village) | Q(merged_into=village)).select_related(
        "area", "old_parent", "new_parent", "merged_into", "changed_by"
    )
