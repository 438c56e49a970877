"""Public JSON API of the monitoring figures: indicators and rankings of any area."""

import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from hocvuso.monitoring import selectors
from hocvuso.monitoring.indicators import BY_CODE, HEADLINE
from hocvuso.places.models import Area

router = Router(tags=["monitoring"])


class IndicatorOut(Schema):
    code: str
    name: str
    unit: str
    numerator: int | None
    denominator: int | None
    value: float | None
    target: float | None
    target_kind: str | None
    target_deadline: datetime.date | None
    as_of: datetime.datetime
    forecast_date: datetime.date | None
    forecast_status: str


class IndicatorsOut(Schema):
    area: str
    name: str
    level: int
    as_of: datetime.datetime
    completeness: list[int]
    indicators: list[IndicatorOut]


class RankOut(Schema):
    rank: int | None
    code: str
    name: str
    score: float | None
    numerator: int | None
    denominator: int | None
    peer_group: str
    completeness: list[int]


class RankingOut(Schema):
    area: str
    indicator: str
    as_of: datetime.datetime
    ranking: list[RankOut]


def _public(count: int | None, denominator: int | None = None) -> bool:
    """Aggregates resting on fewer than 5 people are withheld from the public API."""
    base = denominator if denominator is not None else count
    return base is None or base == 0 or base >= selectors.SMALL_COUNT


@router.get("/{code}/indicators", response=IndicatorsOut, url_name="area_indicators")
def area_indicators(request, code: str):
    """Each indicator of the area: numerator, denominator, value, target, as-of time, forecast date.

    Figures resting on fewer than 5 people are withheld (null)."""
    area = get_object_or_404(Area, code=code)
    as_of = timezone.now()
    found = []
    for value in selectors.indicator_values(area):
        shown = _public(value.numerator, value.denominator)
        found.append(
            {
                "code": value.code,
                "name": str(value.indicator.name),
                "unit": value.indicator.unit,
                "numerator": value.numerator if shown else None,
                "denominator": value.denominator if shown else None,
                "value": value.value if shown else None,
                "target": float(value.target.value) if value.target else None,
                "target_kind": value.target.kind if value.target else None,
                "target_deadline": value.target.deadline if value.target else None,
                "as_of": as_of,
                "forecast_date": value.forecast.date
                if value.forecast.status == "on_track"
                else None,
                "forecast_status": value.forecast.status,
            }
        )
    return {
        "area": area.code,
        "name": area.name,
        "level": area.level,
        "as_of": as_of,
        "completeness": list(selectors.completeness(area)),
        "indicators": found,
    }


@router.get("/{code}/ranking", response=RankingOut, url_name="area_ranking")
def area_ranking(
    request,
    code: str,
    indicator: str = HEADLINE[0],
    peer_group: str | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    progress: bool = False,
):
    """The children of the area ranked on one indicator, or on the headline score (`score`)."""
    area = get_object_or_404(Area, code=code)
    if indicator == "score":
        weights = {c: 1.0 for c in HEADLINE}
    elif indicator in BY_CODE:
        weights = {indicator: 1.0}
    else:
        raise ValidationError(_("Chỉ tiêu “%(code)s” không tồn tại.") % {"code": indicator})
    rows = selectors.ranking(
        area, weights=weights, peer_group=peer_group, start=start, end=end, progress=progress
    )
    return {
        "area": area.code,
        "indicator": indicator,
        "as_of": timezone.now(),
        "ranking": [
            {
                "rank": row.rank or None,
                "code": row.area.code,
                "name": row.area.name,
                "score": row.score if _public(row.numerator, row.denominator) else None,
                "numerator": row.numerator if _public(row.numerator, row.denominator) else None,
                "denominator": row.denominator if _public(row.numerator, row.denominator) else None,
                "peer_group": row.peer_group,
                "completeness": list(row.completeness),
            }
            for row in rows
        ],
    }
