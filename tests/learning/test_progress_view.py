"""The progress view: which learners of an area are stuck where, per course and per lesson."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hocvuso.accounts.models import Role, User
from hocvuso.learning.models import (
    Course,
    Enrollment,
    Lesson,
    LessonProgress,
    Publisher,
    QuizAttempt,
)


def make_course(publisher_area, slug: str, lessons: int = 4) -> tuple[Course, list[Lesson]]:
    publisher, _created = Publisher.objects.get_or_create(
        name="Bộ Khoa học và Công nghệ",
        area=publisher_area,
        defaults={"kind": Publisher.Kind.NATIONAL},
    )
    course = Course.objects.create(
        slug=slug,
        title=f"Khoá {slug}",
        topic="vneid",
        publisher=publisher,
        status=Course.Status.PUBLISHED,
    )
    kinds = [Lesson.Kind.READING, Lesson.Kind.GUIDE, Lesson.Kind.READING, Lesson.Kind.CHECK]
    made = [
        Lesson.objects.create(
            course=course, position=n, kind=kinds[n % 4], title=f"Bài {n + 1} của {slug}"
        )
        for n in range(lessons)
    ]
    return course, made


def enrol(
    learner: User, course: Course, lessons: list[Lesson], completed: list[int], days_ago: float
):
    """Enrol with the given lessons (by index) completed, the last activity `days_ago` days back."""
    when = timezone.now() - timedelta(days=days_ago)
    enrollment = Enrollment.objects.create(learner=learner, course=course)
    Enrollment.objects.filter(pk=enrollment.pk).update(enrolled_at=when - timedelta(days=30))
    for index in completed:
        progress = LessonProgress.objects.create(
            enrollment=enrollment, lesson=lessons[index], completed_at=when
        )
        LessonProgress.objects.filter(pk=progress.pk).update(started_at=when - timedelta(hours=1))
    return enrollment


def attempt(learner: User, lesson: Lesson, number: int, score: int, days_ago: float):
    QuizAttempt.objects.create(
        learner=learner,
        lesson=lesson,
        number=number,
        submitted_at=timezone.now() - timedelta(days=days_ago),
        score_percent=score,
        passed=score >= lesson.pass_mark,
    )


@pytest.fixture
def village(make_village, dong_cuong):
    return make_village(dong_cuong, "Thôn Sài Lương")


@pytest.fixture
def team(make_user, area, dong_cuong, tien_lu, village, make_village):
    """A course and six learners: five in Thôn Sài Lương (Đông Cuông), one in Tiên Lữ."""
    course, lessons = make_course(area("VN"), "kich-hoat-vneid")
    people = {
        name: make_user(full_name=full_name, home_area=village)
        for name, full_name in [
            ("an", "Lý Văn An"),
            ("binh", "Hoàng Thị Bình"),
            ("chi", "Triệu Thị Chi"),
            ("dung", "Đặng Văn Dũng"),
            ("phuong", "Lò Thị Phượng"),
        ]
    }
    people["outside"] = make_user(full_name="Nguyễn Văn Ngoài", home_area=make_village(tien_lu))
    enrol(people["an"], course, lessons, [0, 1], days_ago=5)
    LessonProgress.objects.create(
        enrollment=Enrollment.objects.get(learner=people["an"]), lesson=lessons[2]
    )
    LessonProgress.objects.filter(lesson=lessons[2], completed_at__isnull=True).update(
        started_at=timezone.now() - timedelta(days=5)
    )
    enrol(people["binh"], course, lessons, [0, 1, 2], days_ago=2)
    attempt(people["binh"], lessons[3], 1, 40, days_ago=1.5)
    attempt(people["binh"], lessons[3], 2, 60, days_ago=1)
    enrol(people["chi"], course, lessons, [0, 1, 2, 3], days_ago=0.5)
    attempt(people["chi"], lessons[3], 1, 80, days_ago=0.5)
    enrol(people["dung"], course, lessons, [], days_ago=10)
    Enrollment.objects.filter(learner=people["dung"]).update(
        enrolled_at=timezone.now() - timedelta(days=10)
    )
    # Lessons may be taken out of order when the course is not sequential.
    enrol(people["phuong"], course, lessons, [1], days_ago=3)
    enrol(people["outside"], course, lessons, [0], days_ago=20)
    return course, lessons, people


def url(code: str, **query) -> str:
    base = reverse("learning:team_progress", args=[code])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def rows_by_name(response) -> dict:
    return {row.name: row for row in response.context["report"].page.object_list}


def test_team_leader_sees_done_of_total_stuck_lesson_attempts_and_best_score(
    team, make_user, login, village
):
    _course, lessons, _people = team
    leader = make_user(Role.TEAM_LEADER, village)
    response = login(leader).get(url(village.code))
    assert response.status_code == 200
    rows = rows_by_name(response)
    assert set(rows) == {
        "Lý Văn An",
        "Hoàng Thị Bình",
        "Triệu Thị Chi",
        "Đặng Văn Dũng",
        "Lò Thị Phượng",
    }
    got = {name: (e.done, e.stuck_lesson, e.attempts, e.best_score) for name, e in rows.items()}
    assert got == {
        "Lý Văn An": (2, lessons[2], 0, None),
        "Hoàng Thị Bình": (3, lessons[3], 2, 60),
        "Triệu Thị Chi": (4, None, 1, 80),
        "Đặng Văn Dũng": (0, lessons[0], 0, None),
        "Lò Thị Phượng": (1, lessons[0], 0, None),
    }
    page = response.content.decode()
    assert "Lý Văn An" in page
    assert "Thôn Sài Lương" in page
    assert "3/4" in page
    assert "60%" in page
    assert "Nguyễn Văn Ngoài" not in page


def test_last_activity_is_the_latest_of_enrolment_lessons_and_attempts(
    team, make_user, login, village
):
    _course, _lessons, _people = team
    leader = make_user(Role.TEAM_LEADER, village)
    rows = rows_by_name(login(leader).get(url(village.code)))
    now = timezone.now()

    def days(name):
        return round((now - rows[name].last_activity) / timedelta(days=1), 1)

    assert days("Đặng Văn Dũng") == 10
    assert days("Lý Văn An") == 5
    assert days("Hoàng Thị Bình") == 1


def test_summary_counts_completed_and_stuck_per_lesson_for_the_area_only(
    team, make_user, login, dong_cuong
):
    _course, lessons, _people = team
    officer = make_user(Role.COMMUNE_OFFICER, dong_cuong)
    report = login(officer).get(url(dong_cuong.code)).context["report"]
    assert [(s.lesson, s.completed, s.stuck) for s in report.summary] == [
        (lessons[0], 3, 2),
        (lessons[1], 4, 0),
        (lessons[2], 2, 1),
        (lessons[3], 1, 1),
    ]
    assert report.enrolled == 5
    assert report.finished == 1


def test_stuck_longest_first_puts_finished_learners_last(team, make_user, login, village):
    leader = make_user(Role.TEAM_LEADER, village)
    response = login(leader).get(url(village.code, **{"sap-xep": "lau-nhat"}))
    order = [row.name for row in response.context["report"].page.object_list]
    assert order == [
        "Đặng Văn Dũng",
        "Lý Văn An",
        "Lò Thị Phượng",
        "Hoàng Thị Bình",
        "Triệu Thị Chi",
    ]
    least_done = login(leader).get(url(village.code, **{"sap-xep": "it-nhat"}))
    assert [e.done for e in least_done.context["report"].page.object_list] == [0, 1, 2, 3, 4]


def test_the_most_enrolled_course_is_shown_unless_another_is_chosen(
    team, make_user, login, village, area
):
    course, _lessons, people = team
    other, other_lessons = make_course(area("VN"), "lua-dao-truc-tuyen", lessons=2)
    enrol(people["an"], other, other_lessons, [0], days_ago=1)
    leader = make_user(Role.TEAM_LEADER, village)
    client = login(leader)
    response = client.get(url(village.code))
    assert response.context["course"] == course
    assert [(c.slug, c.learner_count) for c in response.context["courses"]] == [
        ("kich-hoat-vneid", 5),
        ("lua-dao-truc-tuyen", 1),
    ]
    chosen = client.get(url(village.code, khoa="lua-dao-truc-tuyen"))
    assert chosen.context["course"] == other
    assert [r.learner_id for r in chosen.context["report"].page.object_list] == [people["an"].pk]


# Where each staff role is scoped, as in tests/test_authorization_matrix.py.
STAFF_SCOPES = {
    Role.AMBASSADOR: "village",
    Role.TEAM_MEMBER: "village",
    Role.TEAM_LEADER: "village",
    Role.COMMUNE_OFFICER: "commune",
    Role.PROVINCE_OFFICER: "province",
}


@pytest.mark.parametrize("page", ["team", "lesson"])
@pytest.mark.parametrize("role", list(STAFF_SCOPES))
def test_staff_of_the_area_may_view_and_staff_elsewhere_are_refused(
    role, page, team, make_user, login, village, dong_cuong, tien_lu, make_village
):
    _course, lessons, _people = team
    other_village = make_village(tien_lu)
    scopes = {
        "inside": {"village": village, "commune": dong_cuong, "province": dong_cuong.parent},
        "outside": {"village": other_village, "commune": tien_lu, "province": tien_lu.parent},
    }

    def path(code):
        if page == "team":
            return url(code)
        return reverse("learning:lesson_progress", args=[code, lessons[0].pk])

    inside = login(make_user(role, scopes["inside"][STAFF_SCOPES[role]]))
    assert inside.get(path(village.code)).status_code == 200
    outside = login(make_user(role, scopes["outside"][STAFF_SCOPES[role]]))
    assert outside.get(path(village.code)).status_code == 403
    assert outside.get(path(dong_cuong.code)).status_code == 403


def test_learners_and_content_editors_are_refused_and_national_admins_see_all(
    team, make_user, login, village, area
):
    _course, lessons, _people = team
    drill = reverse("learning:lesson_progress", args=[village.code, lessons[0].pk])
    for role, scope in [(Role.LEARNER, village), (Role.CONTENT_EDITOR, area("VN"))]:
        client = login(make_user(role, scope))
        assert client.get(url(village.code)).status_code == 403
        assert client.get(drill).status_code == 403
    admin = login(make_user(Role.NATIONAL_ADMIN, area("VN")))
    assert admin.get(url(village.code)).status_code == 200
    assert admin.get(drill).status_code == 200


def test_a_village_team_sees_its_village_but_not_the_commune_or_a_neighbour(
    team, make_user, login, village, dong_cuong, make_village
):
    neighbour = make_village(dong_cuong, "Thôn Khe Cam")
    leader = make_user(Role.TEAM_LEADER, neighbour)
    client = login(leader)
    assert client.get(url(dong_cuong.code)).status_code == 403
    assert client.get(url(village.code)).status_code == 403
    response = client.get(url(neighbour.code))
    assert response.status_code == 200
    assert response.context["courses"] == []
    assert "Chưa có người học nào" in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(team, client, village):
    _course, lessons, _people = team
    drill = reverse("learning:lesson_progress", args=[village.code, lessons[0].pk])
    for path in [url(village.code), drill]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def _bulk_learners(village, course, lessons, count: int, start: int) -> None:
    learners = User.objects.bulk_create(
        User(username=f"bulk{start + n}", full_name=f"Người học {start + n}", home_area=village)
        for n in range(count)
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(learner=learner, course=course) for learner in learners
    )
    LessonProgress.objects.bulk_create(
        LessonProgress(enrollment=e, lesson=lessons[n % len(lessons)], completed_at=timezone.now())
        for n, e in enumerate(enrollments)
    )
    QuizAttempt.objects.bulk_create(
        QuizAttempt(learner=learner, lesson=lessons[3], number=1, score_percent=50)
        for learner in learners
    )


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_queries_stay_the_same_whatever_the_number_of_learners(
    team, make_user, login, village, django_assert_max_num_queries
):
    course, lessons, _people = team
    client = login(make_user(Role.TEAM_LEADER, village))
    few = _queries(client, url(village.code))
    _bulk_learners(village, course, lessons, 60, start=0)
    with django_assert_max_num_queries(few):
        client.get(url(village.code))
    drill = reverse("learning:lesson_progress", args=[village.code, lessons[0].pk])
    few_drill = _queries(client, drill)
    _bulk_learners(village, course, lessons, 60, start=100)
    with django_assert_max_num_queries(few_drill):
        client.get(drill)
    assert few <= 16


def test_a_page_shows_100_learners_and_the_summary_counts_them_all(team, make_user, login, village):
    course, lessons, _people = team
    _bulk_learners(village, course, lessons, 130, start=0)
    client = login(make_user(Role.TEAM_LEADER, village))
    first = client.get(url(village.code, **{"sap-xep": "ten"}))
    report = first.context["report"]
    assert len(report.page.object_list) == 100
    assert report.page.paginator.num_pages == 2
    assert report.enrolled == 135
    assert sum(s.stuck for s in report.summary) + report.finished == 135
    second = client.get(url(village.code, **{"sap-xep": "ten", "trang": 2}))
    assert len(second.context["report"].page.object_list) == 35
    assert f"?khoa={course.slug}&amp;sap-xep=ten&amp;trang=1" in second.content.decode()


def test_the_lesson_drill_down_lists_who_completed_it_and_who_is_stuck_on_it(
    team, make_user, login, village
):
    _course, lessons, people = team
    client = login(make_user(Role.TEAM_LEADER, village))
    response = client.get(reverse("learning:lesson_progress", args=[village.code, lessons[0].pk]))
    assert response.status_code == 200
    report = response.context["report"]
    assert [row.learner_id for row in report.stuck] == [people["dung"].pk, people["phuong"].pk]
    assert report.stuck_total == 2
    assert {p.enrollment.learner for p in report.completed} == {
        people["an"],
        people["binh"],
        people["chi"],
    }
    assert report.completed_total == 3
    assert "Nguyễn Văn Ngoài" not in response.content.decode()


def test_the_lesson_drill_down_is_refused_outside_the_area(
    team, make_user, login, tien_lu, village
):
    _course, lessons, _people = team
    outsider = make_user(Role.COMMUNE_OFFICER, tien_lu)
    drill = reverse("learning:lesson_progress", args=[village.code, lessons[0].pk])
    assert login(outsider).get(drill).status_code == 403
