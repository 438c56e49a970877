"""Teams (Tổ công nghệ số cộng đồng), their members and their quotas."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hocvuso.field.models import Quota, Team, TeamMembership
from hocvuso.places.models import Area


@transaction.atomic
def save_team(
    *,
    village: Area,
    name: str = "",
    decision_number: str = "",
    decision_date: datetime.date | None = None,
    zalo_group_url: str = "",
    contact_phone: str = "",
) -> Team:
    """Create the village's team, or update it: a village has one team."""
    if village.level != Area.Level.VILLAGE or not village.is_active:
        raise ValidationError(_("Tổ công nghệ số cộng đồng được lập cho một thôn đang hoạt động."))
    team = Team.objects.filter(village=village).first() or Team(village=village)
    team.name = name.strip() or _("Tổ công nghệ số cộng đồng %(village)s") % {
        "village": village.name
    }
    team.decision_number = decision_number.strip()
    team.decision_date = decision_date
    team.zalo_group_url = zalo_group_url.strip()
    team.contact_phone = contact_phone.strip()
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def add_team_member(
    *,
    team: Team,
    user,
    role: str = TeamMembership.Role.MEMBER,
    joined_on: datetime.date,
    training: str = "",
    trained_on: datetime.date | None = None,
) -> TeamMembership:
    """Add a member to the team, or update their role and training if already a member."""
    if role not in TeamMembership.Role.values:
        raise ValidationError(_("Vai trò trong tổ không hợp lệ."))
    if trained_on is not None and not training.strip():
        raise ValidationError(_("Hãy ghi nội dung tập huấn đã nhận."))
    membership, _created = TeamMembership.objects.update_or_create(
        team=team,
        user=user,
        defaults={
            "role": role,
            "joined_on": joined_on,
            "training": training.strip(),
            "trained_on": trained_on,
        },
    )
    return membership


@transaction.atomic
def set_quota(
    *,
    team: Team,
    period_start: datetime.date,
    period_end: datetime.date,
    people_supported_target: int,
    sessions_held_target: int,
    problems_solved_target: int,
) -> Quota:
    """Set the team's quota for a period (replacing one that starts the same day)."""
    if period_end < period_start:
        raise ValidationError(_("Ngày kết thúc phải sau ngày bắt đầu."))
    targets = (people_supported_target, sessions_held_target, problems_solved_target)
    if min(targets) < 0:
        raise ValidationError(_("Chỉ tiêu không được âm."))
    overlapping = Quota.objects.filter(
        team=team, period_start__lte=period_end, period_end__gte=period_start
    ).exclude(period_start=period_start)
    if overlapping.exists():
        raise ValidationError(_("Khoảng thời gian này trùng với một chỉ tiêu đã đặt."))
    quota, _created = Quota.objects.update_or_create(
        team=team,
        period_start=period_start,
        defaults={
            "period_end": period_end,
            "people_supported_target": people_supported_target,
            "sessions_held_target": sessions_held_target,
            "problems_solved_target": problems_solved_target,
        },
    )
    return quota
