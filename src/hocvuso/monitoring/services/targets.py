"""Targets and peer groups: set by the level above, tightened (never loosened) below."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hocvuso.accounts.authz import Perm, can
from hocvuso.monitoring.indicators import BY_CODE
from hocvuso.monitoring.models import AreaProfile, PeerGroup, Target
from hocvuso.monitoring.selectors import effective_targets
from hocvuso.places.models import Area

FIRST_YEAR = 2025
LAST_YEAR = 2030


def parse_number(value, *, label: str) -> Decimal:
    """A number typed by a person ("80", "80,5", 80.5) or a clear refusal."""
    if isinstance(value, bool):
        raise ValidationError(_("%(label)s phải là một số.") % {"label": label})
    text = str(value).strip().replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("%(label)s phải là một số.") % {"label": label}) from None
    if not number.is_finite():
        raise ValidationError(_("%(label)s phải là một số.") % {"label": label})
    return number


@transaction.atomic
def set_target(
    *,
    area: Area,
    indicator: str,
    year: int | str,
    kind: str,
    value,
    deadline: datetime.date | None = None,
    set_by,
) -> Target:
    """Set the target of an indicator for an area and a year.

    Only an officer whose scope covers the area may; a percentage may not be lower, nor its
    deadline later, than what the levels above set; a count indicator takes an absolute quota.
    """
    if not can(set_by, Perm.MANAGE_MONITORING, area):
        raise PermissionDenied(
            _("Bạn không có quyền đặt chỉ tiêu cho %(area)s.") % {"area": area.name}
        )
    definition = BY_CODE.get(indicator)
    if definition is None:
        raise ValidationError(_("Chỉ tiêu “%(code)s” không tồn tại.") % {"code": indicator})
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError(_("Năm phải là một số, ví dụ 2025.")) from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            _("Năm chỉ tiêu phải từ %(first)s đến %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    if kind not in Target.Kind.values:
        raise ValidationError(_("Loại chỉ tiêu phải là tỷ lệ (%) hoặc số lượng."))
    if kind == Target.Kind.PERCENT and not definition.is_percent:
        raise ValidationError(_("Chỉ tiêu này là số lượng: hãy đặt một con số, không phải tỷ lệ."))
    number = parse_number(value, label=_("Mức chỉ tiêu"))
    if kind == Target.Kind.PERCENT and not Decimal(0) < number <= Decimal(100):
        raise ValidationError(_("Tỷ lệ phải lớn hơn 0 và không quá 100%."))
    if kind == Target.Kind.ABSOLUTE and (number < 0 or number != number.to_integral_value()):
        raise ValidationError(_("Số lượng phải là một số nguyên không âm."))
    end_of_year = datetime.date(year, 12, 31)
    deadline = deadline or end_of_year
    if deadline.year != year:
        raise ValidationError(_("Hạn hoàn thành phải nằm trong năm của chỉ tiêu."))

    above = None
    if area.parent_id is not None:
        above = effective_targets(area.parent, year).get(indicator)
    if above is not None and above.kind == kind == Target.Kind.PERCENT:
        if number < above.value:
            raise ValidationError(
                _(
                    "%(area)s đã giao chỉ tiêu %(value)s%%; cấp dưới chỉ được nâng lên, "
                    "không được hạ xuống."
                )
                % {"area": above.area.name, "value": f"{above.value:g}"}
            )
        if deadline > above.deadline:
            raise ValidationError(
                _("Hạn hoàn thành không được muộn hơn hạn cấp trên giao (%(date)s).")
                % {"date": above.deadline.strftime("%d/%m/%Y")}
            )
    target, _created = Target.objects.update_or_create(
        area=area,
        indicator=indicator,
        year=year,
        defaults={"kind": kind, "value": number, "deadline": deadline, "set_by": set_by},
    )
    return target


@transaction.atomic
def set_peer_group(*, area: Area, peer_group: str, set_by) -> AreaProfile:
    """Set the peer group an area is ranked in (e.g. a mountain commune), by the level above."""
    if area.parent is None or not can(set_by, Perm.MANAGE_MONITORING, area.parent):
        raise PermissionDenied(_("Chỉ cấp trên mới xếp nhóm so sánh cho địa bàn này."))
    if peer_group not in PeerGroup.values:
        raise ValidationError(_("Nhóm so sánh không hợp lệ."))
    profile, _created = AreaProfile.objects.update_or_create(
        area=area, defaults={"peer_group": peer_group, "updated_by": set_by}
    )
    return profile
