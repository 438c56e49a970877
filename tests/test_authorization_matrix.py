"""Every page, every role, an area inside and one outside the role's scope: each answer is decided here.

The expectations are written by hand, not derived from `accounts.authz`, so that a change to the
rules shows up as a failing row. A URL added without a decision in DECISIONS fails
`test_every_url_has_an_authorisation_decision`.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hocvuso.accounts.models import Role
from hocvuso.accounts.services import register_assisted_learner

ANONYMOUS = "anonymous"
# Where each role's user is scoped: the field roles in Thôn Sài Lương of Xã Đông Cuông (04399),
# the commune officer over Đông Cuông, the province officer over Lào Cai (15), the rest over VN.
ROLE_AREAS = {
    Role.LEARNER: "village",
    Role.AMBASSADOR: "village",
    Role.TEAM_MEMBER: "village",
    Role.TEAM_LEADER: "village",
    Role.COMMUNE_OFFICER: "04399",
    Role.PROVINCE_OFFICER: "15",
    Role.NATIONAL_ADMIN: "VN",
    Role.CONTENT_EDITOR: "VN",
}
EVERY_ROLE = frozenset(ROLE_AREAS)
FIELD_AND_UP = frozenset(EVERY_ROLE - {Role.LEARNER})
REGISTRARS = frozenset(
    {
        Role.TEAM_MEMBER,
        Role.TEAM_LEADER,
        Role.COMMUNE_OFFICER,
        Role.PROVINCE_OFFICER,
        Role.NATIONAL_ADMIN,
    }
)
VILLAGE_MANAGERS = frozenset({Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.NATIONAL_ADMIN})
# Roles whose scope reaches Xã Tiên Lữ (Hưng Yên), the area outside everyone else's.
NATIONWIDE = frozenset({Role.NATIONAL_ADMIN, Role.CONTENT_EDITOR})


@dataclass(frozen=True)
class Decision:
    """Who gets a 200 on GET; everyone else signed in gets `refused`, anonymous is sent to login.

    target: "none" (no argument), "commune" or "village" (the URL takes that area's code;
    checked inside Đông Cuông and outside, in Tiên Lữ).
    """

    allowed: frozenset = field(default_factory=frozenset)
    target: str = "none"
    public: bool = False
    refused: int = 403


DECISIONS: dict[str, Decision] = {
    "portal:home": Decision(public=True),
    "accounts:login": Decision(public=True),
    "accounts:profile": Decision(EVERY_ROLE),
    "accounts:password_change": Decision(EVERY_ROLE),
    "accounts:password_change_done": Decision(EVERY_ROLE),
    "accounts:register_assisted": Decision(REGISTRARS),
    "places:area_detail": Decision(FIELD_AND_UP, target="village"),
    "places:villages": Decision(VILLAGE_MANAGERS, target="commune"),
    "places:village_create": Decision(VILLAGE_MANAGERS, target="commune"),
    "places:village_import": Decision(VILLAGE_MANAGERS, target="commune"),
    "places:village_template": Decision(VILLAGE_MANAGERS, target="commune"),
    "places:village_rename": Decision(VILLAGE_MANAGERS, target="village"),
    "places:village_merge": Decision(VILLAGE_MANAGERS, target="village"),
    "places:village_move": Decision(VILLAGE_MANAGERS, target="village"),
    "places:village_history": Decision(VILLAGE_MANAGERS, target="village"),
    "api-v1:health": Decision(public=True),
    "api-v1:area_detail": Decision(public=True, target="village"),
    "api-v1:openapi-json": Decision(public=True),
    "api-v1:openapi-view": Decision(public=True),
}

# URLs decided elsewhere, each with the test that proves its answer.
DECIDED_ELSEWHERE = {
    "accounts:logout": "POST only; tests/accounts/test_login.py",
    "accounts:register_assisted_done": "404 to all but the registrar; test below",
    "set_language": "POST only, no personal data; tests/portal/test_translations.py",
    "api-v1:api-root": "ninja's own index, not served (404)",
}


def url_names() -> list[str]:
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield namespace + pattern.name

    return sorted(set(walk(get_resolver().url_patterns)))


def test_every_url_has_an_authorisation_decision():
    undecided = [n for n in url_names() if n not in DECISIONS and n not in DECIDED_ELSEWHERE]
    assert undecided == [], f"add these to DECISIONS: {undecided}"


@pytest.fixture
def world(dong_cuong, tien_lu, make_village, make_user, area):
    inside_village = make_village(dong_cuong, "Thôn Sài Lương")
    outside_village = make_village(tien_lu, "Thôn Quẵng")
    users = {
        role: make_user(role, inside_village if where == "village" else area(where))
        for role, where in ROLE_AREAS.items()
    }
    targets = {
        "inside": {"commune": dong_cuong, "village": inside_village},
        "outside": {"commune": tien_lu, "village": outside_village},
    }
    return users, targets


def _expected(decision: Decision, who, side: str) -> int:
    if decision.public:
        return 200
    if who == ANONYMOUS:
        return 302
    if who not in decision.allowed:
        return decision.refused
    if decision.target != "none" and side == "outside" and who not in NATIONWIDE:
        return decision.refused
    return 200


@pytest.mark.parametrize("name", sorted(DECISIONS))
def test_each_role_gets_the_decided_answer_inside_and_outside_its_area(name, world, client):
    users, targets = world
    decision = DECISIONS[name]
    sides = ["inside"] if decision.target == "none" else ["inside", "outside"]
    wrong = []
    for who in [ANONYMOUS, *users]:
        client.logout()
        if who != ANONYMOUS:
            client.force_login(users[who])
        for side in sides:
            args = [] if decision.target == "none" else [targets[side][decision.target].code]
            url = reverse(name, args=args)
            got = client.get(url).status_code
            want = _expected(decision, who, side)
            if got != want:
                wrong.append(f"{who} {side} {url}: got {got}, want {want}")
    assert wrong == []


def test_an_anonymous_visitor_is_sent_to_the_login_page(world, client):
    _users, targets = world
    url = reverse("places:villages", args=[targets["inside"]["commune"].code])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_assisted_registration_is_seen_only_by_its_registrar(world, client):
    users, targets = world
    learner = register_assisted_learner(
        registered_by=users[Role.TEAM_MEMBER],
        full_name="Lý Thị Mai",
        village=targets["inside"]["village"],
    )
    url = reverse("accounts:register_assisted_done", args=[learner.pk])
    for role, user in users.items():
        client.force_login(user)
        want = 200 if role == Role.TEAM_MEMBER else 404
        assert client.get(url).status_code == want, role


def test_django_admin_opens_only_for_national_admins(world, client):
    users, _targets = world
    for role, user in users.items():
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        want = 200 if role == Role.NATIONAL_ADMIN else 302
        assert response.status_code == want, role


def test_an_unknown_area_code_is_not_found(world, client):
    users, _targets = world
    client.force_login(users[Role.NATIONAL_ADMIN])
    assert client.get(reverse("places:area_detail", args=["99999"])).status_code == 404
    assert client.get(reverse("places:villages", args=["99999"])).status_code == 404
