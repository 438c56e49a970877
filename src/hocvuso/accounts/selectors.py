"""Reads of accounts and roles."""

from django.db.models import Prefetch, QuerySet

from hocvuso.accounts.authz import Perm, scope_q
from hocvuso.accounts.demo import DEMO_USERNAME_PREFIX
from hocvuso.accounts.models import RoleAssignment, User
from hocvuso.places.models import Area


def demo_accounts() -> QuerySet[User]:
    """The demo users ("demo.…"), by username, with their role assignments and areas."""
    return (
        User.objects.filter(username__startswith=DEMO_USERNAME_PREFIX, is_active=True)
        .order_by("username")
        .prefetch_related(
            Prefetch(
                "role_assignments",
                queryset=RoleAssignment.objects.select_related("area").order_by(
                    "role", "area__path"
                ),
            )
        )
    )


def role_assignments_of(user: User) -> QuerySet[RoleAssignment]:
    """The roles the user holds, each with its area, widest area first."""
    return user.role_assignments.select_related("area").order_by(
        "area__level", "area__path", "role"
    )


def villages_for_registration(user: User) -> QuerySet[Area]:
    """The active villages where the user may register learners, grouped by commune."""
    return (
        Area.objects.filter(
            scope_q(user, Perm.REGISTER_LEARNER), level=Area.Level.VILLAGE, is_active=True
        )
        .select_related("parent")
        .order_by("parent__path", "name")
    )


def assisted_learner(*, registered_by: User, pk: int) -> User:
    """A learner this user registered; raises User.DoesNotExist for anyone else's."""
    return User.objects.select_related("home_area__parent").get(pk=pk, registered_by=registered_by)
