"""Digital ambassadors and the residents they mentor ("1 kèm 5")."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.authz import Perm, can
from hocvuso.field.models import Mentorship
from hocvuso.people.models import Resident


@transaction.atomic
def assign_mentee(
    *, ambassador, resident: Resident, assigned_by, assigned_on: datetime.date | None = None
) -> Mentorship:
    """Put a resident in an ambassador's care, within the setting AMBASSADOR_MENTEE_LIMIT."""
    if not can(assigned_by, Perm.EDIT_PEOPLE, resident.village):
        raise PermissionDenied
    if not can(ambassador, Perm.RECORD_FIELD_WORK, resident.village):
        raise ValidationError(_("Người được phân công không phụ trách địa bàn của người dân này."))
    # Locks the ambassador's row so two assignments at once cannot both pass the limit.
    type(ambassador).objects.select_for_update().filter(pk=ambassador.pk).first()
    current = Mentorship.objects.filter(resident=resident, ended_on__isnull=True).first()
    if current is not None:
        if current.ambassador_id == ambassador.pk:
            return current
        raise ValidationError(
            _("%(name)s đang được %(mentor)s kèm cặp; hãy kết thúc phân công đó trước.")
            % {"name": resident.full_name, "mentor": current.ambassador}
        )
    limit = settings.AMBASSADOR_MENTEE_LIMIT
    active = Mentorship.objects.filter(ambassador=ambassador, ended_on__isnull=True).count()
    if active >= limit:
        raise ValidationError(
            _("Mỗi đại sứ số kèm cặp tối đa %(limit)s người; %(mentor)s đã đủ %(limit)s người.")
            % {"limit": limit, "mentor": ambassador}
        )
    return Mentorship.objects.create(
        ambassador=ambassador,
        resident=resident,
        assigned_on=assigned_on or timezone.localdate(),
        assigned_by=assigned_by,
    )


@transaction.atomic
def end_mentorship(
    *, mentorship: Mentorship, ended_by, ended_on: datetime.date | None = None
) -> Mentorship:
    """End a mentorship (the ambassador or someone who manages the resident may)."""
    allowed = mentorship.ambassador_id == ended_by.pk or can(
        ended_by, Perm.EDIT_PEOPLE, mentorship.resident.village
    )
    if not allowed:
        raise PermissionDenied
    if mentorship.ended_on is None:
        ended_on = ended_on or timezone.localdate()
        if ended_on < mentorship.assigned_on:
            raise ValidationError(_("Ngày kết thúc phải sau ngày phân công."))
        mentorship.ended_on = ended_on
        mentorship.save(update_fields=["ended_on"])
    return mentorship
