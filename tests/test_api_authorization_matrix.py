"""Every operation of the JSON API, the caller without a token and each role's, an area inside and one
outside the role's scope: each answer is decided here, and each case is a real request.

The operations are read from the API's own OpenAPI schema, so an operation added without a decision in
OPERATIONS fails `test_every_api_operation_has_a_decision`. The expectations are written by hand, not
derived from `accounts.authz`, so that a change to the rules shows up as a failing case. A role calls
with a bearer token issued to its user (accounts.tokens, as POST /auth/token does), with its password
for POST /auth/token itself, and with its signed-in session and CSRF token for POST /auth/device-token.
Writes send a valid body, so that an allowed role gets the operation's success code.
"""

import datetime
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hocvuso.accounts.models import Role
from hocvuso.accounts.tokens import issue_token
from hocvuso.config.api import api
from hocvuso.field.models_sync import SyncConflict, SyncItemType
from hocvuso.field.services.classes import mark_attendance, save_site, schedule_class
from hocvuso.field.services.mentorships import assign_mentee
from hocvuso.field.services.teams import save_team
from hocvuso.field.sync import ItemStatus, SyncItem, sync_batch
from hocvuso.people.services import (
    record_consent,
    register_household,
    register_resident,
    update_resident,
)
from hocvuso.places.models import Area
from tests.conftest import PASSWORD
from tests.learning.factories import make_course, make_publisher
from tests.test_authorization_matrix import (
    ANONYMOUS,
    EVERY_ROLE,
    FIELD_AND_UP,
    FIELD_WORKERS,
    NATIONWIDE,
    REGISTRARS,
    ROLE_AREAS,
    VILLAGE_MANAGERS,
)

# Only the mentorship's own ambassador may end it, besides those who manage its resident.
MENTORSHIP_ENDERS = frozenset(REGISTRARS | {Role.AMBASSADOR})


@dataclass(frozen=True)
class Operation:
    """The answer each caller gets from one operation.

    name: the operation's URL name in the api-v1 namespace (and the first part of each case's id).
    public: no credentials needed; everyone, anonymous or not, gets `success`.
    Otherwise the caller without credentials gets 401; a role outside `allowed` gets `refused`;
    an allowed role gets `success` inside its area and `outside` (else `refused`) outside it,
    save a nationwide role (NATIONWIDE) where the target is not the caller's own (OWN_TARGETS).
    target: what the request names, see World: "none", "course" or "code" (not area-scoped, checked
    once), "commune" or "village" (an area's code, in the path, the query or the body), "team" (a
    village with a team), "household", "resident", "consent" (a resident's given consent),
    "mentorship" (of a resident, with the side's ambassador), "site", "class", "attendance" (a
    class with a resident marked present), "conflict" (inside: the caller's own sync conflict, or
    a team member's for roles that never have one; outside: a Tiên Lữ team member's).
    credentials: how a role calls: "token" (bearer), "password" (its username and password) or
    "session" (signed in, with the CSRF token).
    per_item: the answer is "<status> <first item's status>" (the sync batch answers per item).
    """

    name: str
    allowed: frozenset = field(default_factory=frozenset)
    target: str = "none"
    refused: int = 403
    success: int | str = 200
    outside: int | str | None = None
    public: bool = False
    credentials: str = "token"
    per_item: bool = False


UNSCOPED_TARGETS = {"none", "course", "code"}
OWN_TARGETS = {"conflict"}
SIDES = ("inside", "outside")

# Keyed by method and path exactly as the OpenAPI schema lists them.
OPERATIONS: dict[tuple[str, str], Operation] = {
    ("GET", "/api/v1/health"): Operation("health", public=True),
    ("GET", "/api/v1/areas/{code}"): Operation("area_detail", public=True, target="village"),
    ("GET", "/api/v1/areas/{code}/indicators"): Operation(
        "area_indicators", public=True, target="village"
    ),
    ("GET", "/api/v1/areas/{code}/ranking"): Operation(
        "area_ranking", public=True, target="commune"
    ),
    ("GET", "/api/v1/courses"): Operation("course_list", public=True),
    ("GET", "/api/v1/courses/{id}"): Operation("course_detail", public=True, target="course"),
    ("GET", "/api/v1/certificates/keys"): Operation("certificate_keys", public=True),
    ("GET", "/api/v1/certificates/status-list"): Operation("certificate_status_list", public=True),
    ("POST", "/api/v1/certificates/verify"): Operation("certificate_verify_document", public=True),
    ("GET", "/api/v1/certificates/{code}"): Operation(
        "certificate_verify", public=True, target="code"
    ),
    ("GET", "/api/v1/search"): Operation("search", public=True),
    ("POST", "/api/v1/assistant/ask"): Operation("ask_assistant", public=True),
    ("POST", "/api/v1/assistant/check-message"): Operation("check_suspicious_message", public=True),
    ("POST", "/api/v1/auth/token"): Operation("obtain_token", EVERY_ROLE, credentials="password"),
    ("POST", "/api/v1/auth/device-token"): Operation(
        "obtain_device_token", EVERY_ROLE, credentials="session"
    ),
    ("DELETE", "/api/v1/auth/token"): Operation("revoke_current_token", EVERY_ROLE, success=204),
    ("POST", "/api/v1/field/sync"): Operation(
        "sync",
        FIELD_WORKERS,
        target="resident",
        success="200 applied",
        outside="200 rejected",
        per_item=True,
    ),
    ("GET", "/api/v1/field/conflicts"): Operation("conflicts", EVERY_ROLE),
    ("POST", "/api/v1/field/conflicts/{conflict_id}/dismiss"): Operation(
        "dismiss_conflict", REGISTRARS, target="conflict", refused=404, success=204
    ),
    ("GET", "/api/v1/field/teams/{village_code}"): Operation(
        "field_team_get", FIELD_WORKERS, target="team"
    ),
    ("GET", "/api/v1/field/visits"): Operation("field_visit_list", FIELD_WORKERS, target="village"),
    ("POST", "/api/v1/field/visits"): Operation(
        "field_visit_create", FIELD_WORKERS, target="household", refused=404, success=201
    ),
    ("GET", "/api/v1/field/sites"): Operation("field_site_list", FIELD_AND_UP, target="village"),
    ("POST", "/api/v1/field/sites"): Operation(
        "field_site_create", VILLAGE_MANAGERS, target="commune", success=201
    ),
    ("GET", "/api/v1/field/classes"): Operation("field_class_list", FIELD_AND_UP, target="village"),
    ("POST", "/api/v1/field/classes"): Operation(
        "field_class_create", FIELD_WORKERS, target="site", success=201
    ),
    ("GET", "/api/v1/field/classes/{class_id}/attendance"): Operation(
        "field_attendance_list", FIELD_WORKERS, target="class"
    ),
    # The class is checked before the resident: an area refusal (403) tells nothing about people.
    ("POST", "/api/v1/field/classes/{class_id}/attendance"): Operation(
        "field_attendance_mark", FIELD_WORKERS, target="class", success=201
    ),
    ("DELETE", "/api/v1/field/classes/{class_id}/attendance/{resident_id}"): Operation(
        "field_attendance_unmark", FIELD_WORKERS, target="attendance", success=204
    ),
    ("GET", "/api/v1/field/events"): Operation("field_event_list", FIELD_AND_UP, target="village"),
    ("GET", "/api/v1/field/recognitions"): Operation(
        "field_recognition_list", REGISTRARS, target="village", refused=404
    ),
    ("GET", "/api/v1/field/mentorships"): Operation("field_mentorship_list", FIELD_WORKERS),
    ("POST", "/api/v1/field/mentorships"): Operation(
        "field_mentorship_assign", REGISTRARS, target="resident", refused=404, success=201
    ),
    ("POST", "/api/v1/field/mentorships/{mentorship_id}/end"): Operation(
        "field_mentorship_end", MENTORSHIP_ENDERS, target="mentorship", refused=404
    ),
    ("GET", "/api/v1/people/residents"): Operation(
        "people_resident_list", REGISTRARS, target="village", refused=404
    ),
    ("POST", "/api/v1/people/residents"): Operation(
        "people_resident_create", REGISTRARS, target="village", refused=404, success=201
    ),
    ("GET", "/api/v1/people/residents/{resident_id}"): Operation(
        "people_resident_get", REGISTRARS, target="resident", refused=404
    ),
    ("PATCH", "/api/v1/people/residents/{resident_id}"): Operation(
        "people_resident_update", REGISTRARS, target="resident", refused=404
    ),
    ("POST", "/api/v1/people/residents/{resident_id}/consents"): Operation(
        "people_consent_record", REGISTRARS, target="resident", refused=404, success=201
    ),
    ("POST", "/api/v1/people/residents/{resident_id}/consents/{consent_id}/withdraw"): Operation(
        "people_consent_withdraw", REGISTRARS, target="consent", refused=404
    ),
    ("GET", "/api/v1/people/residents/{resident_id}/milestones"): Operation(
        "people_milestone_list", REGISTRARS, target="resident", refused=404
    ),
    # Ambassadors record what their mentees can now do, without reading the registry.
    ("POST", "/api/v1/people/residents/{resident_id}/milestones"): Operation(
        "people_milestone_record", FIELD_WORKERS, target="resident", refused=404, success=201
    ),
    ("GET", "/api/v1/people/households"): Operation(
        "people_household_list", REGISTRARS, target="village", refused=404
    ),
    ("POST", "/api/v1/people/households"): Operation(
        "people_household_create", REGISTRARS, target="village", refused=404, success=201
    ),
    ("GET", "/api/v1/people/households/{household_id}"): Operation(
        "people_household_get", REGISTRARS, target="household", refused=404
    ),
}

# The URL names decided here, which the page matrix (tests/test_authorization_matrix.py) accepts.
API_URL_NAMES = frozenset(f"api-v1:{op.name}" for op in OPERATIONS.values())


class World:
    """The callers and the records a case needs, each made on first use, so that a case makes only
    its own: inside in Thôn Sài Lương of Xã Đông Cuông, outside in Thôn Quẵng of Xã Tiên Lữ."""

    def __init__(self, make_user, make_village, dong_cuong, tien_lu):
        self._make_user = make_user
        self._make_village = make_village
        self._communes = {"inside": dong_cuong, "outside": tien_lu}
        self._made: dict = {}

    def _once(self, key, make: Callable):
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    def user(self, role: Role):
        """The caller holding `role` over its area (ROLE_AREAS)."""

        def make():
            where = ROLE_AREAS[role]
            area = self.village("inside") if where == "village" else Area.objects.get(code=where)
            return self._make_user(role, area)

        return self._once(("user", role), make)

    def commune(self, side: str) -> Area:
        return self._communes[side]

    def village(self, side: str) -> Area:
        name = "Thôn Sài Lương" if side == "inside" else "Thôn Quẵng"
        return self._once(("village", side), lambda: self._make_village(self.commune(side), name))

    def worker(self, side: str):
        """A team member of the side's village: the one who schedules, marks and assigns there."""
        if side == "inside":
            return self.user(Role.TEAM_MEMBER)
        return self._once(
            ("worker", side), lambda: self._make_user(Role.TEAM_MEMBER, self.village(side))
        )

    def ambassador(self, side: str):
        if side == "inside":
            return self.user(Role.AMBASSADOR)
        return self._once(
            ("ambassador", side), lambda: self._make_user(Role.AMBASSADOR, self.village(side))
        )

    def team(self, side: str):
        return self._once(
            ("team", side),
            lambda: save_team(village=self.village(side), decision_number="123/QĐ-UBND"),
        )

    def household(self, side: str):
        return self._once(
            ("household", side),
            lambda: register_household(
                village=self.village(side), head_name="Triệu Văn Sơn", created_by=None
            ),
        )

    def resident(self, side: str):
        return self._once(
            ("resident", side),
            lambda: register_resident(
                village=self.village(side),
                household=self.household(side),
                full_name="Triệu Văn Sơn",
                year_of_birth=1968,
                created_by=None,
            ),
        )

    def consent(self, side: str):
        return self._once(
            ("consent", side),
            lambda: record_consent(
                resident=self.resident(side),
                purpose="support",
                text_version=settings.CONSENT_TEXT_VERSION,
                recorded_by=self.worker(side),
            ),
        )

    def site(self, side: str):
        return self._once(
            ("site", side),
            lambda: save_site(area=self.village(side), kind="cultural_house", name="Nhà văn hoá"),
        )

    def field_class(self, side: str):
        def make():
            start = timezone.now() + datetime.timedelta(days=1)
            return schedule_class(
                site=self.site(side),
                title="Cài đặt VNeID",
                topic="vneid",
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=2),
                created_by=self.worker(side),
            )

        return self._once(("class", side), make)

    def attendance(self, side: str):
        """The side's class with its resident marked present."""

        def make():
            attendance, _created = mark_attendance(
                class_session=self.field_class(side),
                resident=self.resident(side),
                marked_by=self.worker(side),
            )
            return attendance

        return self._once(("attendance", side), make)

    def mentorship(self, side: str):
        return self._once(
            ("mentorship", side),
            lambda: assign_mentee(
                ambassador=self.ambassador(side),
                resident=self.resident(side),
                assigned_by=self.worker(side),
            ),
        )

    def conflict(self, side: str, submitter) -> SyncConflict:
        """A resident's edit synced from a copy older than the server's: the submitter's conflict."""
        resident = self.resident(side)
        copy = resident.version
        update_resident(resident=resident, changed_by=self.worker(side), ethnicity="Dao")
        [result] = sync_batch(
            user=submitter,
            items=[
                SyncItem(
                    uuid.uuid4(),
                    SyncItemType.RESIDENT_UPDATE,
                    {"resident_id": resident.pk, "ethnicity": "Kinh"},
                    base_version=copy,
                )
            ],
        )
        assert result.status == ItemStatus.CONFLICT, result.reason
        return SyncConflict.objects.get(client_id=result.client_id)

    def course(self):
        return self._once("course", lambda: make_course(publisher=make_publisher()))


@dataclass
class Call:
    """What one case sends: the path's parameters, the query and the JSON body."""

    path: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    body: dict | None = None


def _today() -> str:
    return timezone.localdate().isoformat()


def _own_conflict(w: World, side: str, who) -> Call:
    # Roles that may not edit residents never have a conflict: theirs is a team member's.
    op = OPERATIONS[("POST", "/api/v1/field/conflicts/{conflict_id}/dismiss")]
    submitter = w.user(who) if side == "inside" and who in op.allowed else w.worker(side)
    return Call(path={"conflict_id": w.conflict(side, submitter).pk})


def _credentials(w: World, who) -> dict:
    if who == ANONYMOUS:
        return {"username": "khong-co-tai-khoan", "password": "sai-mat-khau"}
    return {"username": w.user(who).username, "password": PASSWORD}


def _class_body(w: World, side: str, who) -> Call:
    start = timezone.now() + datetime.timedelta(days=2)
    return Call(
        body={
            "site_id": w.site(side).pk,
            "title": "Thanh toán bằng mã QR",
            "topic": "cashless",
            "starts_at": start.isoformat(),
            "ends_at": (start + datetime.timedelta(hours=1)).isoformat(),
        }
    )


# How each operation is asked, for a side and a caller (a role, or ANONYMOUS).
CALLS: dict[str, Callable[[World, str, Role | str], Call]] = {
    "health": lambda w, side, who: Call(),
    "area_detail": lambda w, side, who: Call(path={"code": w.village(side).code}),
    "area_indicators": lambda w, side, who: Call(path={"code": w.village(side).code}),
    "area_ranking": lambda w, side, who: Call(path={"code": w.commune(side).code}),
    "course_list": lambda w, side, who: Call(),
    "course_detail": lambda w, side, who: Call(path={"id": w.course().slug}),
    "certificate_keys": lambda w, side, who: Call(),
    "certificate_status_list": lambda w, side, who: Call(),
    "certificate_verify_document": lambda w, side, who: Call(body={"id": "HVS-KHONG-CO"}),
    "certificate_verify": lambda w, side, who: Call(path={"code": "HVS-KHONG-CO"}),
    "search": lambda w, side, who: Call(query={"q": "cài VNeID"}),
    "ask_assistant": lambda w, side, who: Call(body={"question": "Cài VNeID thế nào?"}),
    "check_suspicious_message": lambda w, side, who: Call(
        body={"message": "Bạn đã trúng thưởng, bấm vào đường link để nhận quà"}
    ),
    "obtain_token": lambda w, side, who: Call(
        body={**_credentials(w, who), "device_name": "Điện thoại thử"}
    ),
    "obtain_device_token": lambda w, side, who: Call(body={"device_name": "Chrome"}),
    "revoke_current_token": lambda w, side, who: Call(),
    "sync": lambda w, side, who: Call(
        body={
            "items": [
                {
                    "client_id": str(uuid.uuid4()),
                    "type": "milestone",
                    "payload": {
                        "resident_id": w.resident(side).pk,
                        "milestone": "vneid_installed",
                        "achieved_on": _today(),
                    },
                }
            ]
        }
    ),
    "conflicts": lambda w, side, who: Call(),
    "dismiss_conflict": _own_conflict,
    "field_team_get": lambda w, side, who: Call(path={"village_code": w.team(side).village.code}),
    "field_visit_list": lambda w, side, who: Call(query={"area": w.village(side).code}),
    "field_visit_create": lambda w, side, who: Call(
        body={
            "client_id": str(uuid.uuid4()),
            "visited_on": _today(),
            "household_id": w.household(side).pk,
            "resident_ids": [w.resident(side).pk],
            "activities": "Hướng dẫn cài VNeID",
        }
    ),
    "field_site_list": lambda w, side, who: Call(query={"area": w.village(side).code}),
    "field_site_create": lambda w, side, who: Call(
        body={"area": w.commune(side).code, "kind": "library", "name": "Thư viện xã"}
    ),
    "field_class_list": lambda w, side, who: Call(query={"area": w.village(side).code}),
    "field_class_create": _class_body,
    "field_attendance_list": lambda w, side, who: Call(path={"class_id": w.field_class(side).pk}),
    "field_attendance_mark": lambda w, side, who: Call(
        path={"class_id": w.field_class(side).pk},
        body={"resident_id": w.resident(side).pk, "client_id": str(uuid.uuid4())},
    ),
    "field_attendance_unmark": lambda w, side, who: Call(
        path={
            "class_id": w.attendance(side).class_session_id,
            "resident_id": w.attendance(side).resident_id,
        }
    ),
    "field_event_list": lambda w, side, who: Call(query={"area": w.village(side).code}),
    "field_recognition_list": lambda w, side, who: Call(query={"village": w.village(side).code}),
    "field_mentorship_list": lambda w, side, who: Call(),
    "field_mentorship_assign": lambda w, side, who: Call(
        body={"ambassador_id": w.ambassador(side).pk, "resident_id": w.resident(side).pk}
    ),
    "field_mentorship_end": lambda w, side, who: Call(
        path={"mentorship_id": w.mentorship(side).pk}
    ),
    "people_resident_list": lambda w, side, who: Call(query={"village": w.village(side).code}),
    "people_resident_create": lambda w, side, who: Call(
        body={
            "village": w.village(side).code,
            "full_name": "Bàn Thị Hoa",
            "year_of_birth": 1980,
            "client_id": str(uuid.uuid4()),
        }
    ),
    "people_resident_get": lambda w, side, who: Call(path={"resident_id": w.resident(side).pk}),
    "people_resident_update": lambda w, side, who: Call(
        path={"resident_id": w.resident(side).pk}, body={"ethnicity": "Kinh"}
    ),
    "people_consent_record": lambda w, side, who: Call(
        path={"resident_id": w.resident(side).pk}, body={"purpose": "contact"}
    ),
    "people_consent_withdraw": lambda w, side, who: Call(
        path={"resident_id": w.consent(side).resident_id, "consent_id": w.consent(side).pk}
    ),
    "people_milestone_list": lambda w, side, who: Call(path={"resident_id": w.resident(side).pk}),
    "people_milestone_record": lambda w, side, who: Call(
        path={"resident_id": w.resident(side).pk},
        body={"milestone": "vneid_installed", "achieved_on": _today()},
    ),
    "people_household_list": lambda w, side, who: Call(query={"village": w.village(side).code}),
    "people_household_create": lambda w, side, who: Call(
        body={"village": w.village(side).code, "head_name": "Lý Văn Páo"}
    ),
    "people_household_get": lambda w, side, who: Call(path={"household_id": w.household(side).pk}),
}


def api_operations() -> set[tuple[str, str]]:
    """(method, path) of every operation the API's OpenAPI schema lists."""
    methods = {"get", "post", "put", "patch", "delete", "head", "options", "trace"}
    return {
        (method.upper(), path)
        for path, item in api.get_openapi_schema()["paths"].items()
        for method in item
        if method in methods
    }


def test_every_api_operation_has_a_decision():
    operations = api_operations()
    undecided = sorted(operations - set(OPERATIONS))
    gone = sorted(set(OPERATIONS) - operations)
    assert (undecided, gone) == ([], []), f"add to or remove from OPERATIONS: {undecided}, {gone}"
    assert set(CALLS) == {op.name for op in OPERATIONS.values()}


def test_each_decision_names_its_operations_url():
    """The URL name a decision gives is the one Django routes the operation's path to, so that the
    page matrix may leave these names to this one."""
    wrong = []
    for (_method, path), op in OPERATIONS.items():
        params = {name: "1" for name in re.findall(r"{(\w+)}", path)}
        if reverse(f"api-v1:{op.name}", kwargs=params) != path.format(**params):
            wrong.append(op.name)
    assert wrong == []


def _cases():
    for (method, path), op in OPERATIONS.items():
        sides = ("inside",) if op.target in UNSCOPED_TARGETS else SIDES
        for who in (ANONYMOUS, *ROLE_AREAS):
            for side in sides:
                yield pytest.param(method, path, who, side, id=f"{op.name}-{who}-{side}")


CASES = list(_cases())


def _expected(op: Operation, who, side: str) -> int | str:
    if op.public:
        return op.success
    if who == ANONYMOUS:
        return 401
    if who not in op.allowed:
        return op.refused
    reaches = who in NATIONWIDE and op.target not in OWN_TARGETS
    if op.target not in UNSCOPED_TARGETS and side == "outside" and not reaches:
        return op.refused if op.outside is None else op.outside
    return op.success


def _client(op: Operation, user) -> tuple[Client, dict]:
    """A client, and the headers carrying the caller's credentials."""
    if user is None or op.credentials == "password":
        return Client(), {}
    if op.credentials == "session":
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(user)
        browser.get(reverse("accounts:profile"))
        return browser, {"X-CSRFToken": browser.cookies["csrftoken"].value}
    _token, raw = issue_token(user=user, name="Ma trận phân quyền")
    return Client(), {"Authorization": f"Bearer {raw}"}


def _answer(op: Operation, response) -> int | str:
    if op.per_item and response.status_code == 200:
        [item] = response.json()["results"]
        return f"200 {item['status']}"
    return response.status_code


@pytest.fixture
def world(make_user, make_village, dong_cuong, tien_lu):
    # The assistant's rate limit and the sign-in lock count in the cache: each case starts afresh.
    cache.clear()
    yield World(make_user, make_village, dong_cuong, tien_lu)
    cache.clear()


@pytest.mark.parametrize(("method", "path", "who", "side"), CASES)
def test_each_caller_gets_the_decided_answer(method, path, who, side, world):
    op = OPERATIONS[(method, path)]
    user = None if who == ANONYMOUS else world.user(who)
    call = CALLS[op.name](world, side, who)
    client, headers = _client(op, user)
    url = path.format(**call.path)
    if call.query:
        url = f"{url}?{urlencode(call.query)}"
    data = "" if call.body is None else json.dumps(call.body)
    response = client.generic(method, url, data, content_type="application/json", headers=headers)
    assert _answer(op, response) == _expected(op, who, side), response.content.decode()[:300]
