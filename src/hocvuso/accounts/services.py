"""Writes to accounts and roles."""

from collections.abc import Iterable

from django.db import transaction

from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.accounts.phone import normalise_phone
from hocvuso.places.models import Area


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str | None,
    full_name: str = "",
    phone: str = "",
    home_area: Area | None = None,
    roles: Iterable[tuple[Role, Area]] = (),
    registered_by: User | None = None,
    granted_by: User | None = None,
) -> User:
    """Create a user with a usable password (or none) and roles scoped to areas."""
    user = User(
        username=username,
        full_name=full_name,
        phone=normalise_phone(phone) or None,
        home_area=home_area,
        registered_by=registered_by,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    for role, area in roles:
        grant_role(user=user, role=role, area=area, granted_by=granted_by)
    return user


@transaction.atomic
def grant_role(*, user: User, role: Role, area: Area, granted_by: User | None = None) -> RoleAssignment:
    """Give `user` the `role` over `area` (idempotent)."""
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=role, area=area, defaults={"granted_by": granted_by}
    )
    return assignment
