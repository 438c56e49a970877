"""The one authorisation check: may this user do this, in this area?

A role grants a set of permissions over its area and everything below it. Every view, API operation
and service that touches area-scoped data asks `can`/`authorize`, or filters with `scope_q`.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from hocvuso.accounts.models import Role
from hocvuso.places.models import Area


class Perm(StrEnum):
    VIEW_AREA = "area.view"
    VIEW_REPORTS = "report.view"
    MANAGE_VILLAGES = "village.manage"
    MANAGE_ACCOUNTS = "account.manage"
    REGISTER_LEARNER = "learner.register"
    VIEW_PEOPLE = "people.view"
    EDIT_PEOPLE = "people.edit"
    RECORD_FIELD_WORK = "field.record"
    PUBLISH_NEWS = "news.publish"
    EDIT_CONTENT = "content.edit"
    VIEW_PROGRESS = "progress.view"
    # Targets, hand-reported indicators, spot checks and commendations (monitoring).
    MANAGE_MONITORING = "monitoring.manage"
    # Read the personal-data audit log, export or erase a resident's data (Law 91/2025/QH15).
    MANAGE_PERSONAL_DATA = "personal_data.manage"
    ADMINISTER = "system.admin"


_FIELD = {
    Perm.VIEW_AREA,
    Perm.REGISTER_LEARNER,
    Perm.VIEW_PEOPLE,
    Perm.EDIT_PEOPLE,
    Perm.RECORD_FIELD_WORK,
    Perm.VIEW_PROGRESS,
}
_OFFICER = _FIELD | {
    Perm.VIEW_REPORTS,
    Perm.MANAGE_MONITORING,
    Perm.MANAGE_VILLAGES,
    Perm.MANAGE_ACCOUNTS,
    Perm.PUBLISH_NEWS,
    Perm.MANAGE_PERSONAL_DATA,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.LEARNER: frozenset(),
    Role.AMBASSADOR: frozenset({Perm.VIEW_AREA, Perm.RECORD_FIELD_WORK, Perm.VIEW_PROGRESS}),
    Role.TEAM_MEMBER: frozenset(_FIELD),
    Role.TEAM_LEADER: frozenset(_FIELD | {Perm.VIEW_REPORTS}),
    Role.COMMUNE_OFFICER: frozenset(_OFFICER),
    Role.PROVINCE_OFFICER: frozenset(_OFFICER),
    Role.NATIONAL_ADMIN: frozenset(Perm),
    Role.CONTENT_EDITOR: frozenset({Perm.VIEW_AREA, Perm.EDIT_CONTENT}),
}

_CACHE_ATTR = "_hocvuso_grants"


def grants(user) -> list[tuple[Role, str]]:
    """(role, area path) pairs the user holds, read once per user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = [
            (Role(role), path)
            for role, path in user.role_assignments.values_list("role", "area__path")
        ]
        setattr(user, _CACHE_ATTR, cached)
    return cached


def remember_grants(user, stored: list | None) -> list | None:
    """Use grants stored as [roles_version, [[role, path], …]] when still current.

    Returns the value to store when the stored one was missing or stale, else None.
    """
    if not user.is_active:
        return None
    if stored and stored[0] == user.roles_version:
        setattr(user, _CACHE_ATTR, [(Role(role), path) for role, path in stored[1]])
        return None
    forget_grants(user)
    return [user.roles_version, [[str(role), path] for role, path in grants(user)]]


def forget_grants(user) -> None:
    """Drop the cached grants after roles change within one request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_role(user, *roles: Role) -> bool:
    """True when the user holds any of these roles, anywhere."""
    return any(role in roles for role, _ in grants(user))


def scope_paths(user, perm: Perm) -> list[str]:
    """The area paths under which the user holds `perm`, none nested in another."""
    paths = sorted({path for role, path in grants(user) if perm in ROLE_PERMISSIONS[role]})
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def can(user, perm: Perm, area: Area) -> bool:
    """True when one of the user's roles grants `perm` over `area` or an area above it."""
    return any(area.path.startswith(root) for root in scope_paths(user, perm))


def authorize(user, perm: Perm, area: Area) -> None:
    """Raise PermissionDenied (403) unless `can(user, perm, area)`."""
    if not can(user, perm, area):
        raise PermissionDenied


def scope_q(user, perm: Perm, path_field: str = "path") -> Q:
    """A filter keeping the rows whose area path lies in the user's scope for `perm`.

    `path_field` names the path column from the queried model, e.g. "area__path" or "village__path".
    With no scope the filter matches nothing.
    """
    roots = scope_paths(user, perm)
    if not roots:
        return Q(pk__in=[])
    query = Q()
    for root in roots:
        query |= Q(**{f"{path_field}__startswith": root})
    return query
