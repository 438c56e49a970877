"""Services the JSON API needs beyond the pages': unmarking attendance."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from hocvuso.accounts.authz import Perm, can
from hocvuso.field.models import Attendance, Class
from hocvuso.people.models import Resident


@transaction.atomic
def unmark_attendance(*, class_session: Class, resident: Resident, unmarked_by) -> bool:
    """Remove a resident from a class's attendance; True when it was there (again: no change)."""
    if not can(unmarked_by, Perm.RECORD_FIELD_WORK, resident.village):
        raise PermissionDenied
    deleted, _details = Attendance.objects.filter(
        class_session=class_session, resident=resident
    ).delete()
    return deleted > 0
