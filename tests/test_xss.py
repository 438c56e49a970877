"""Hostile input, part two: script typed into every free-text field people can fill in is shown as
text, never run. Each field gets its own tagged payload; every page that shows those records is read
back, and no payload may come out as markup, while each must come out escaped on some page."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hocvuso.accounts.models import Role
from hocvuso.field.models import Event, LearningSite, Visit
from hocvuso.field.services.classes import save_site, schedule_class
from hocvuso.field.services.events import create_event
from hocvuso.field.services.teams import add_team_member, save_team
from hocvuso.field.services.visits import record_visit
from hocvuso.learning.models import Lesson, Question, Step
from hocvuso.people.services import register_household, register_resident
from hocvuso.portal.services import create_article
from tests.learning.factories import add_lesson, add_question, make_course, make_publisher

ATTACK = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
# What must never reach a page: the payload's tags as markup.
LIVE = re.compile(r"<script>alert|<img[^>]*\sonerror", re.IGNORECASE)


def payload(field: str) -> str:
    return f"X{field}X {ATTACK}"


def escaped(field: str) -> str:
    # Enough of the payload to show it escaped; fields of 50 characters keep no more than this.
    return f"X{field}X &lt;script&gt;alert(1)&lt;/script&gt;"


# Fields shown as plain text (escaped) and fields written in Markdown (sanitised: the tags are
# dropped, the text stays).
PLAIN = [
    "village",
    "user",
    "head",
    "address",
    "resident",
    "ethnicity",
    "team",
    "decision",
    "training",
    "site",
    "siteaddress",
    "sponsor",
    "class",
    "event",
    "eventplace",
    "newstitle",
    "publisher",
    "course",
    "summary",
    "lesson",
    "steptitle",
    "stepalt",
    "question",
    "choice",
    "explanation",
]
MARKDOWN = ["newsbody", "lessonbody", "instruction"]
# Stored but shown on no page (the API returns them as JSON): they must simply never come out live.
UNSHOWN = ["visitnote", "activities"]


@pytest.fixture
def hostile(dong_cuong, make_village, make_user):
    """Records of Xã Đông Cuông with a payload in every free-text field."""
    village = make_village(dong_cuong, payload("village"))
    admin = make_user(Role.NATIONAL_ADMIN, dong_cuong.parent.parent, full_name=payload("user"))
    household = register_household(
        village=village, head_name=payload("head"), address=payload("address"), created_by=admin
    )
    resident = register_resident(
        village=village,
        household=household,
        full_name=payload("resident"),
        ethnicity=payload("ethnicity")[:50],
        created_by=admin,
    )
    team = save_team(
        village=village, name=payload("team"), decision_number=payload("decision")[:50]
    )
    add_team_member(
        team=team, user=admin, joined_on=timezone.localdate(), training=payload("training")
    )
    record_visit(
        client_id="6f1c1d6a-3d7e-4a57-9a8e-1c2b3d4e5f60",
        recorded_by=admin,
        team=team,
        visited_on=timezone.localdate(),
        channel=Visit._meta.get_field("channel").choices[0][0],
        household=household,
        residents=[resident],
        activities=payload("activities"),
        note=payload("visitnote"),
    )
    site = save_site(
        area=village,
        kind=LearningSite.Kind.CULTURAL_HOUSE,
        name=payload("site"),
        address=payload("siteaddress"),
        funding=LearningSite.Funding.SPONSOR,
        sponsor=payload("sponsor"),
    )
    start = timezone.now() + timedelta(days=2)
    field_class = schedule_class(
        site=site,
        title=payload("class"),
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        created_by=admin,
        topic="vneid",
    )
    create_event(
        area=village,
        kind=Event.Kind.COMMUNITY_DAY,
        title=payload("event"),
        date=timezone.localdate() + timedelta(days=3),
        place=payload("eventplace"),
        created_by=admin,
    )
    article = create_article(
        commune=dong_cuong,
        author=admin,
        title=payload("newstitle"),
        body=f"{payload('newsbody')}\n\n[link](javascript:alert(1))",
        publish=True,
    )
    course = make_course(
        publisher=make_publisher(dong_cuong, name=payload("publisher")),
        title=payload("course"),
        is_sequential=False,
    )
    course.summary = payload("summary")
    course.save(update_fields=["summary"])
    reading = add_lesson(
        course, Lesson.Kind.READING, title=payload("lesson"), body=payload("lessonbody")
    )
    guide = add_lesson(course, Lesson.Kind.GUIDE, title="Hướng dẫn")
    step = Step.objects.create(
        lesson=guide,
        position=1,
        title=payload("steptitle"),
        instruction=payload("instruction"),
        image_alt=payload("stepalt"),
    )
    check = add_lesson(course, Lesson.Kind.CHECK, title="Kiểm tra", pass_mark=50)
    question = add_question(
        check,
        Question.Kind.SINGLE,
        [(payload("choice"), True), ("Không", False)],
        text=payload("question"),
    )
    question.explanation = payload("explanation")
    question.save(update_fields=["explanation"])
    return {
        "admin": admin,
        "commune": dong_cuong,
        "village": village,
        "household": household,
        "resident": resident,
        "class": field_class,
        "article": article,
        "course": course,
        "lessons": [reading, guide, check],
        "step": step,
        "question": question,
    }


def _pages(h) -> list[tuple[str, bool]]:
    """(URL, public): every page that shows one of the hostile records."""
    village, commune, course = h["village"].code, h["commune"].code, h["course"]
    pages = [
        (reverse("portal:home"), True),
        (reverse("portal:commune", args=[commune]), True),
        (reverse("portal:article", args=[commune, h["article"].pk]), True),
        (reverse("learning:catalogue"), True),
        (reverse("learning:course", args=[course.slug]), True),
        (reverse("places:area_detail", args=[village]), False),
        (reverse("places:area_detail", args=[commune]), False),
        (reverse("places:villages", args=[commune]), False),
        (reverse("places:village_history", args=[village]), False),
        (reverse("places:village_rename", args=[village]), False),
        (reverse("people:village", args=[village]), False),
        (reverse("people:household", args=[h["household"].pk]), False),
        (reverse("people:resident", args=[h["resident"].pk]), False),
        (reverse("people:resident_edit", args=[h["resident"].pk]), False),
        (reverse("field:team", args=[village]), False),
        (reverse("field:team_edit", args=[village]), False),
        (reverse("field:visit_new", args=[village]), False),
        (reverse("field:sites", args=[village]), False),
        (reverse("field:class_detail", args=[h["class"].pk]), False),
        (reverse("field:events", args=[village]), False),
        (reverse("field:mentorship_assign", args=[village]), False),
        (reverse("portal:article_edit", args=[commune, h["article"].pk]), False),
        (reverse("learning:course_edit", args=[course.slug]), False),
        (reverse("learning:editor_preview", args=[course.slug]), False),
        (reverse("learning:step_edit", args=[h["step"].pk]), False),
        (reverse("learning:question_edit", args=[h["question"].pk]), False),
    ]
    for lesson in h["lessons"]:
        pages += [
            (reverse("learning:lesson", args=[course.slug, lesson.pk]), False),
            (reverse("learning:lesson_edit", args=[lesson.pk]), False),
            (reverse("learning:editor_preview_lesson", args=[lesson.pk]), False),
        ]
    return pages


@pytest.mark.django_db
def test_script_typed_into_any_free_text_field_is_shown_as_text(hostile, capsys):
    signed_in, anonymous = Client(), Client()
    signed_in.force_login(hostile["admin"])
    course = hostile["course"]
    # A learner's own views of the check: the attempt (question, choices) and its result.
    signed_in.post(reverse("learning:enroll", args=[course.slug]))
    check = hostile["lessons"][2]
    started = signed_in.post(reverse("learning:check_start", args=[course.slug, check.pk]))
    assert started.status_code == 302, started.content.decode()[:2000]
    attempt_url = started["Location"]
    attempt_page = signed_in.get(attempt_url)
    assert attempt_page.status_code == 200
    question = hostile["question"]
    choice = question.choices.get(is_correct=True)
    signed_in.post(
        attempt_url.rstrip("/") + "/tra-loi/", {"question": question.pk, "choices": [choice.pk]}
    )
    submitted = signed_in.post(attempt_url.rstrip("/") + "/nop-bai/")
    pages = [*_pages(hostile), (submitted["Location"], False)]

    shown = attempt_page.content.decode()
    live = [m.group(0) for m in LIVE.finditer(shown)]
    for url, public in pages:
        for client in [anonymous, signed_in] if public else [signed_in]:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            live += [f"{url}: …{m.group(0)}…" for m in LIVE.finditer(html)]
            shown += html
    assert live == []
    not_shown = [field for field in PLAIN if escaped(field) not in shown]
    assert not_shown == [], "these fields were shown on none of the pages, or not escaped"

    not_shown = [field for field in MARKDOWN if f"X{field}X" not in shown]
    assert not_shown == []
    assert 'href="javascript:' not in shown
    with capsys.disabled():
        print(
            f"\nXSS: {len(PLAIN) + len(MARKDOWN) + len(UNSHOWN)} free-text fields, "
            f"{len(pages) + 1} pages, no payload live"
        )
