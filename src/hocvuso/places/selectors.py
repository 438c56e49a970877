"""Reads of the administrative tree."""

from django.db.models import QuerySet

from hocvuso.places.models import Area


def area_by_code(code: str) -> Area:
    """The active or merged area with this code; raises Area.DoesNotExist."""
    return Area.objects.select_related("parent").get(code=code)


def areas_under(area: Area, *, level: int | None = None, include_self: bool = False) -> QuerySet[Area]:
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
