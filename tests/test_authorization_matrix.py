"""Every page, every role, an area inside and one outside the role's scope: each answer is decided here.

The expectations are written by hand, not derived from `accounts.authz`, so that a change to the
rules shows up as a failing row. A URL added without a decision in DECISIONS fails
`test_every_url_has_an_authorisation_decision`.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from hocvuso.accounts.models import Role
from hocvuso.accounts.services import register_assisted_learner
from hocvuso.field.models import Class, LearningSite
from hocvuso.people.services import register_household, register_resident
from tests.learning.factories import add_lesson, make_course, make_publisher, sample_course

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
PROGRESS_VIEWERS = frozenset(FIELD_AND_UP - {Role.CONTENT_EDITOR})
EDITORS = frozenset({Role.CONTENT_EDITOR, Role.NATIONAL_ADMIN})
FIELD_WORKERS = frozenset(FIELD_AND_UP - {Role.CONTENT_EDITOR})
# Roles that read the monitoring dashboards (Perm.VIEW_REPORTS), the team leader only for its village.
REPORT_VIEWERS = frozenset(
    {Role.TEAM_LEADER, Role.COMMUNE_OFFICER, Role.PROVINCE_OFFICER, Role.NATIONAL_ADMIN}
)
# Roles whose scope reaches Xã Tiên Lữ (Hưng Yên), the area outside everyone else's.
NATIONWIDE = frozenset({Role.NATIONAL_ADMIN, Role.CONTENT_EDITOR})


@dataclass(frozen=True)
class Decision:
    """Who gets a 200 on GET; everyone else signed in gets `refused`, anonymous is sent to login.

    target: "course" or "lesson" (the URL takes a published course's slug, and its first lesson's id;
    not area-scoped, so checked once), or "none" (no argument), "commune" or "village" (the URL takes that area's code;
    checked inside Đông Cuông and outside, in Tiên Lữ), "edited_course" or "edited_lesson" (a draft
    course's slug, or its first lesson's id, of a publisher in Đông Cuông and of one in Tiên Lữ),
    "site" or "class" (the id of a learning site, or of its class, in each side's village),
    "household" or "resident" (the id of a household, or of its member, in each side's village).
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
    "learning:team_progress": Decision(PROGRESS_VIEWERS, target="village"),
    "learning:catalogue": Decision(public=True),
    "learning:course": Decision(public=True, target="course"),
    "learning:my_courses": Decision(EVERY_ROLE),
    "learning:lesson": Decision(EVERY_ROLE, target="lesson"),
    "learning:editor_home": Decision(EDITORS),
    "learning:publisher_create": Decision(EDITORS),
    "learning:course_create": Decision(EDITORS),
    "learning:course_import": Decision(EDITORS),
    "learning:adoptions": Decision(EDITORS),
    "learning:course_edit": Decision(EDITORS, target="edited_course"),
    "learning:lesson_create": Decision(EDITORS, target="edited_course"),
    "learning:editor_preview": Decision(EDITORS, target="edited_course"),
    "learning:course_publish": Decision(EDITORS, target="edited_course"),
    "learning:course_versions": Decision(EDITORS, target="edited_course"),
    "learning:course_export": Decision(EDITORS, target="edited_course"),
    "learning:lesson_edit": Decision(EDITORS, target="edited_lesson"),
    "learning:lesson_delete": Decision(EDITORS, target="edited_lesson"),
    "learning:lesson_translation": Decision(EDITORS, target="edited_lesson"),
    "learning:editor_preview_lesson": Decision(EDITORS, target="edited_lesson"),
    "field:mentees": Decision(FIELD_WORKERS),
    "field:team": Decision(FIELD_WORKERS, target="village"),
    "field:team_edit": Decision(VILLAGE_MANAGERS, target="village"),
    "field:visit_new": Decision(FIELD_WORKERS, target="village"),
    "field:mentorship_assign": Decision(REGISTRARS, target="village"),
    "field:recognitions": Decision(REGISTRARS, target="village"),
    "field:desk_visit_new": Decision(VILLAGE_MANAGERS, target="commune"),
    "field:recognition_rules": Decision(VILLAGE_MANAGERS, target="commune"),
    "field:sites": Decision(FIELD_AND_UP, target="village"),
    "field:site_new": Decision(VILLAGE_MANAGERS, target="commune"),
    "field:class_new": Decision(FIELD_WORKERS, target="site"),
    "field:class_detail": Decision(FIELD_WORKERS, target="class"),
    "field:events": Decision(FIELD_AND_UP, target="village"),
    "field:event_new": Decision(VILLAGE_MANAGERS, target="commune"),
    "field:app": Decision(public=True),
    "field:service_worker": Decision(public=True),
    "field:manifest": Decision(public=True),
    "portal:commune": Decision(public=True, target="commune"),
    "portal:article_create": Decision(VILLAGE_MANAGERS, target="commune"),
    "people:village": Decision(REGISTRARS, target="village"),
    "people:household_create": Decision(REGISTRARS, target="village"),
    "people:resident_create": Decision(REGISTRARS, target="village"),
    "people:import": Decision(REGISTRARS, target="village"),
    "people:import_template": Decision(REGISTRARS, target="village"),
    "people:household": Decision(REGISTRARS, target="household", refused=404),
    "people:resident": Decision(REGISTRARS, target="resident", refused=404),
    "people:resident_edit": Decision(REGISTRARS, target="resident", refused=404),
    "people:milestone_record": Decision(REGISTRARS, target="resident", refused=404),
    "people:access_log": Decision(VILLAGE_MANAGERS, target="commune"),
    "people:resident_rights": Decision(VILLAGE_MANAGERS, target="resident", refused=404),
    "people:resident_export_json": Decision(VILLAGE_MANAGERS, target="resident", refused=404),
    "people:resident_export_xlsx": Decision(VILLAGE_MANAGERS, target="resident", refused=404),
    "people:my_data": Decision(EVERY_ROLE),
    "monitoring:public": Decision(public=True),
    "monitoring:public_area": Decision(public=True, target="commune"),
    "monitoring:dashboard": Decision(REPORT_VIEWERS, target="village"),
    "monitoring:team": Decision(PROGRESS_VIEWERS, target="village"),
    "monitoring:ranking": Decision(VILLAGE_MANAGERS, target="commune"),
    "monitoring:targets": Decision(VILLAGE_MANAGERS, target="commune"),
    "monitoring:custom_reports": Decision(VILLAGE_MANAGERS, target="commune"),
    "monitoring:quality": Decision(VILLAGE_MANAGERS, target="commune"),
    "monitoring:reports": Decision(VILLAGE_MANAGERS, target="commune"),
    "monitoring:commendations": Decision(VILLAGE_MANAGERS, target="commune"),
    "api-v1:area_indicators": Decision(public=True, target="village"),
    "api-v1:area_ranking": Decision(public=True, target="commune"),
    "api-v1:health": Decision(public=True),
    "api-v1:course_list": Decision(public=True),
    "api-v1:course_detail": Decision(public=True, target="course"),
    "api-v1:area_detail": Decision(public=True, target="village"),
    "api-v1:openapi-json": Decision(public=True),
    "api-v1:openapi-view": Decision(public=True),
    "assistant:ask": Decision(public=True),
    "assistant:search": Decision(public=True),
    "assistant:check_message": Decision(public=True),
    "assistant:faq": Decision(public=True),
    "assistant:scams": Decision(public=True),
    "assistant:help_request_new": Decision(public=True),
    "assistant:help_requests": Decision(FIELD_WORKERS, target="village"),
    "assistant:staff": Decision(EDITORS),
    "assistant:faq_create": Decision(EDITORS),
    "assistant:scam_create": Decision(EDITORS),
    "skills:frameworks": Decision(public=True),
    "skills:verify": Decision(public=True),
    "skills:assessment_home": Decision(EVERY_ROLE),
    "skills:my_results": Decision(EVERY_ROLE),
    "skills:assist": Decision(FIELD_WORKERS, target="resident", refused=404),
    "skills:coverage": Decision(EDITORS),
    "skills:mapping": Decision(EDITORS),
    "skills:certificates_admin": Decision(frozenset({Role.NATIONAL_ADMIN})),
    "api-v1:certificate_keys": Decision(public=True),
    "api-v1:certificate_status_list": Decision(public=True),
}

# URLs decided elsewhere, each with the test that proves its answer. Every operation of the JSON API
# (the bearer-token field and people operations among them) is decided, role by role, inside and
# outside the role's area, in tests/test_api_authorization_matrix.py.
DECIDED_ELSEWHERE = {
    "assistant:help_request_detail": "a help request id; the team of its village and the officers "
    "above, 404 to others; tests/assistant/test_help_requests.py",
    "assistant:faq_edit": "an FAQ id; national editors only; tests/assistant/test_staff.py",
    "assistant:scam_edit": "a scam pattern id; national editors only; tests/assistant/test_staff.py",
    "accounts:logout": "POST only; tests/accounts/test_login.py",
    "accounts:register_assisted_done": "404 to all but the registrar; test below",
    "set_language": "POST only, no personal data; tests/portal/test_translations.py",
    "api-v1:api-root": "ninja's own index, not served (404)",
    "portal:article": "a commune and an article id; public once published, drafts 404 but to the "
    "commune's officers; tests/portal/test_commune_page.py",
    "portal:article_edit": "a commune and an article id; the commune's officers only; "
    "tests/portal/test_commune_page.py",
    **{
        f"learning:{name}": "a step, a question, a guide or check, or POST only; "
        "tests/learning/test_editor_pages.py"
        for name in (
            "step_create",
            "step_edit",
            "step_delete",
            "step_move",
            "question_create",
            "question_edit",
            "question_delete",
            "question_move",
            "lesson_move",
            "lesson_audio_upload",
            "course_archive",
            "course_version_restore",
            "course_adopt",
        )
    },
    "monitoring:report_status": "a report id; 403 outside the report's area; "
    "tests/monitoring/test_reports.py",
    "monitoring:report_download": "a report id and a format; 403 outside the report's area; "
    "tests/monitoring/test_reports.py",
    "people:consent_record": "POST only, 404 outside scope; tests/people/test_pages.py",
    "people:consent_withdraw": "POST only, 404 outside scope; tests/people/test_pages.py",
    "people:resident_erase": "POST only, 404 outside the officer's scope; "
    "tests/people/test_rights.py",
    "people:my_data_json": "the signed-in person's own record, 404 without one; "
    "tests/people/test_rights.py",
    "people:my_data_xlsx": "the signed-in person's own record, 404 without one; "
    "tests/people/test_rights.py",
    "people:my_consent_withdraw": "POST only, the person's own consent, 404 for another's; "
    "tests/people/test_rights.py",
    "field:mentorship_end": "POST only, 404 to all but the ambassador and the village's managers; "
    "tests/field/test_pages.py",
    "learning:enroll": "POST only; tests/learning/test_learner_pages.py",
    "learning:continue": "redirects to the learner's lesson; tests/learning/test_learner_pages.py",
    "learning:lesson_complete": "POST only; tests/learning/test_learner_pages.py",
    "learning:lesson_step": "POST only; tests/learning/test_learner_pages.py",
    "learning:check_start": "POST only; tests/learning/test_learner_pages.py",
    "learning:attempt": "the learner's own attempt, 404 to others; tests/learning/test_learner_pages.py",
    "learning:attempt_answer": "POST only; tests/learning/test_learner_pages.py",
    "learning:attempt_submit": "POST only; tests/learning/test_learner_pages.py",
    "learning:attempt_result": "the learner's own attempt, 404 to others; tests/learning/test_learner_pages.py",
    "learning:lesson_progress": "takes a lesson id; tests/learning/test_progress_view.py",
    "skills:framework_detail": "public, takes a framework id; tests/skills/test_pages.py",
    "skills:profile_detail": "public, takes a profile id; tests/skills/test_pages.py",
    "skills:verify_code": "public, takes a certificate code; tests/skills/test_verification.py",
    "skills:assessment_start": "POST only; tests/skills/test_assessment.py",
    "skills:assessment": "the person's own sitting or one its team may assist, 404 to others; "
    "tests/skills/test_pages.py",
    "skills:assessment_result": "the person's own sitting or one its team may assist, 404 to "
    "others; tests/skills/test_pages.py",
    "skills:certificate_download": "the holder's own certificate or one its village team may "
    "assist, 404 to others; tests/skills/test_pages.py",
    "skills:mapping_delete": "POST only, editors of the course's publisher; "
    "tests/skills/test_mapping.py",
    "learning:lesson_audio": "takes a lesson id; published public, drafts only for their editors"
    " (404 to others); tests/learning/test_audio.py",
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
    # Imported here: the API matrix imports this module's roles and areas.
    from tests.test_api_authorization_matrix import API_URL_NAMES

    decided = DECISIONS.keys() | DECIDED_ELSEWHERE.keys() | API_URL_NAMES
    undecided = [n for n in url_names() if n not in decided]
    assert undecided == [], f"decide these here or in the API matrix: {undecided}"


@pytest.fixture
def world(dong_cuong, tien_lu, make_village, make_user, area):
    inside_village = make_village(dong_cuong, "Thôn Sài Lương")
    outside_village = make_village(tien_lu, "Thôn Quẵng")
    users = {
        role: make_user(role, inside_village if where == "village" else area(where))
        for role, where in ROLE_AREAS.items()
    }
    targets = {
        "inside": {
            "commune": dong_cuong,
            "village": inside_village,
            "course": sample_course(make_publisher()),
            "edited_course": _draft_course(dong_cuong),
            "class": _field_class(inside_village),
            "resident": _resident(inside_village),
        },
        "outside": {
            "commune": tien_lu,
            "village": outside_village,
            "edited_course": _draft_course(tien_lu),
            "class": _field_class(outside_village),
            "resident": _resident(outside_village),
        },
    }
    return users, targets


UNSCOPED_TARGETS = {"none", "course", "lesson"}


def _draft_course(area):
    course = make_course(publisher=make_publisher(area), published=False)
    add_lesson(course, "reading")
    return course


def _field_class(village):
    """A learning site of the village with one class: the "site" and "class" targets."""
    site = LearningSite.objects.create(area=village, kind="cultural_house", name="Nhà văn hoá")
    start = timezone.now()
    return Class.objects.create(
        site=site, title="VNeID", topic="vneid", starts_at=start, ends_at=start + timedelta(hours=2)
    )


def _resident(village):
    """A household of the village with one member: the "household" and "resident" targets."""
    household = register_household(village=village, head_name="Triệu Văn Sơn", created_by=None)
    return register_resident(
        village=village, household=household, full_name="Triệu Văn Sơn", created_by=None
    )


def _args(target: str, where: dict) -> list:
    if target == "none":
        return []
    if target == "course":
        return [where["course"].slug]
    if target == "lesson":
        return [where["course"].slug, where["course"].lessons.order_by("position").first().id]
    if target == "edited_course":
        return [where["edited_course"].slug]
    if target == "site":
        return [where["class"].site_id]
    if target == "class":
        return [where["class"].pk]
    if target == "resident":
        return [where["resident"].pk]
    if target == "household":
        return [where["resident"].household_id]
    if target == "edited_lesson":
        return [where["edited_course"].lessons.order_by("position").first().id]
    return [where[target].code]


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
    sides = ["inside"] if decision.target in UNSCOPED_TARGETS else ["inside", "outside"]
    wrong = []
    for who in [ANONYMOUS, *users]:
        client.logout()
        if who != ANONYMOUS:
            client.force_login(users[who])
        for side in sides:
            args = _args(decision.target, targets[side])
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
