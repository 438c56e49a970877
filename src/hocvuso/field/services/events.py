"""Events (Ngày công nghệ số cộng đồng, Ngày hội 10/10, contests) and the contest leaderboard."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hocvuso.field.models import ContestEntry, Event, Team
from hocvuso.people.models import Resident
from hocvuso.places.models import Area


@transaction.atomic
def create_event(
    *, area: Area, kind: str, title: str, date: datetime.date, place: str = "", created_by
) -> Event:
    """Announce an event in a commune or village."""
    if area.level not in (Area.Level.COMMUNE, Area.Level.VILLAGE):
        raise ValidationError(_("Sự kiện được tổ chức tại một xã hoặc một thôn."))
    event = Event(
        area=area,
        kind=kind,
        title=title.strip(),
        date=date,
        place=place.strip(),
        created_by=created_by,
    )
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def record_contest_score(
    *,
    event: Event,
    score: Decimal,
    resident: Resident | None = None,
    team: Team | None = None,
) -> ContestEntry:
    """Set the score of a resident or a team in a contest; entering again updates the score."""
    if (resident is None) == (team is None):
        raise ValidationError(_("Bài dự thi thuộc về một người dân hoặc một tổ."))
    subject_area = resident.village if resident is not None else team.village
    if not subject_area.path.startswith(event.area.path):
        raise ValidationError(_("Người dự thi không thuộc địa bàn tổ chức hội thi."))
    if score < 0:
        raise ValidationError(_("Điểm không được âm."))
    entry, _created = ContestEntry.objects.update_or_create(
        event=event, resident=resident, team=team, defaults={"score": score}
    )
    return entry
