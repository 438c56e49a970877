"""Commendations: the steering committee of the level above records awards."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.authz import Perm, can
from hocvuso.monitoring.models import Commendation
from hocvuso.places.models import Area


def _committee_may(user, area: Area) -> bool:
    """The committee above the area (or the national one for the country) records its awards."""
    above = area.parent or area
    return can(user, Perm.MANAGE_MONITORING, above) and (
        can(user, Perm.PUBLISH_NEWS, above) or can(user, Perm.VIEW_REPORTS, above)
    )


@transaction.atomic
def record_commendation(
    *,
    area: Area,
    kind: str,
    recipient_type: str,
    recipient_name: str,
    reason: str,
    awarded_on: datetime.date,
    decision_number: str = "",
    recorded_by,
) -> Commendation:
    """Record a biểu dương or khen thưởng of a person, a team or a locality of `area`."""
    if not _committee_may(recorded_by, area):
        raise PermissionDenied(
            _("Chỉ Ban chỉ đạo cấp trên của %(area)s mới ghi nhận khen thưởng.")
            % {"area": area.name}
        )
    if kind not in Commendation.Kind.values:
        raise ValidationError(_("Hình thức phải là biểu dương hoặc khen thưởng."))
    if recipient_type not in Commendation.Recipient.values:
        raise ValidationError(_("Đối tượng phải là cá nhân, tổ hoặc địa phương."))
    name = " ".join((recipient_name or "").split())
    if not name:
        raise ValidationError(_("Hãy nhập tên người, tổ hoặc địa phương được khen."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("Hãy nêu thành tích được khen."))
    if awarded_on > timezone.localdate():
        raise ValidationError(_("Ngày khen không thể ở tương lai."))
    return Commendation.objects.create(
        area=area,
        kind=kind,
        recipient_type=recipient_type,
        recipient_name=name[:200],
        reason=reason[:500],
        decision_number=(decision_number or "").strip()[:50],
        awarded_on=awarded_on,
        recorded_by=recorded_by,
    )
