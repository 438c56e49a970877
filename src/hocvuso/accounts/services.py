"""Writes to accounts and roles."""

import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hocvuso.accounts.authz import Perm, authorize
from hocvuso.accounts.models import Role, RoleAssignment, User
from hocvuso.accounts.phone import normalise_phone
from hocvuso.places.models import Area

EARLIEST_YEAR_OF_BIRTH = 1900
LEARNER_USERNAME_PREFIX = "hv"


class AccountError(ValueError):
    """An account change that cannot be made; the message is for the user, in Vietnamese.

    `field` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


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
    year_of_birth: int | None = None,
) -> User:
    """Create a user with a usable password (or none) and roles scoped to areas."""
    user = User(
        username=username,
        full_name=full_name,
        phone=normalise_phone(phone) or None,
        home_area=home_area,
        registered_by=registered_by,
        year_of_birth=year_of_birth,
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
def grant_role(
    *, user: User, role: Role, area: Area, granted_by: User | None = None
) -> RoleAssignment:
    """Give `user` the `role` over `area` (idempotent)."""
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, area=area, defaults={"granted_by": granted_by}
    )
    return assignment


def _new_learner_username() -> str:
    # Random rather than sequential, so that the number tells nothing about how many people exist.
    while True:
        username = f"{LEARNER_USERNAME_PREFIX}{secrets.randbelow(10**8):08d}"
        if not User.objects.filter(username=username).exists():
            return username


@transaction.atomic
def register_assisted_learner(
    *,
    registered_by: User,
    full_name: str,
    village: Area,
    phone: str = "",
    year_of_birth: int | None = None,
) -> User:
    """Register a resident as a learner of `village` on their behalf; raises AccountError."""
    authorize(registered_by, Perm.REGISTER_LEARNER, village)
    if village.level != Area.Level.VILLAGE or not village.is_active:
        raise AccountError(_("Hãy chọn một thôn, tổ dân phố đang hoạt động."), field="village")
    full_name = " ".join(full_name.split())
    if not full_name:
        raise AccountError(_("Hãy nhập họ và tên người học."), field="full_name")
    if year_of_birth is not None and not (
        EARLIEST_YEAR_OF_BIRTH <= year_of_birth <= timezone.localdate().year
    ):
        raise AccountError(
            _("Năm sinh phải từ %(first)s đến %(last)s.")
            % {"first": EARLIEST_YEAR_OF_BIRTH, "last": timezone.localdate().year},
            field="year_of_birth",
        )
    normalised_phone = ""
    if phone.strip():
        normalised_phone = normalise_phone(phone)
        if not normalised_phone:
            raise AccountError(
                _("Số điện thoại không hợp lệ. Hãy nhập số di động 10 chữ số, ví dụ 0912345678."),
                field="phone",
            )
        if User.objects.filter(phone=normalised_phone).exists():
            raise AccountError(
                _("Số điện thoại này đã được dùng cho một tài khoản khác."), field="phone"
            )
    return create_user(
        username=_new_learner_username(),
        password=None,
        full_name=full_name,
        phone=normalised_phone,
        home_area=village,
        year_of_birth=year_of_birth,
        roles=[(Role.LEARNER, village)],
        registered_by=registered_by,
        granted_by=registered_by,
    )
