"""Enrolment and progress: idempotent enrolment, sequential unlock, steps, completion, continuing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hocvuso.learning.models import Enrollment, Lesson, LessonProgress
from hocvuso.learning.selectors.learner import continue_lesson, lesson_states, lessons_in_order
from hocvuso.learning.services.enrolment import (
    EnrolmentError,
    LessonLocked,
    complete_lesson,
    enroll,
    open_lesson,
    record_step,
)

from .factories import add_lesson, make_course


def test_enrolling_twice_keeps_one_enrolment(course, learner):
    first = enroll(learner=learner, course=course)
    second = enroll(learner=learner, course=course)
    assert first.pk == second.pk
    assert Enrollment.objects.filter(learner=learner).count() == 1


def test_a_draft_course_cannot_be_enrolled_in(publisher, learner):
    draft = make_course(publisher=publisher, published=False)
    with pytest.raises(EnrolmentError, match="chưa được xuất bản"):
        enroll(learner=learner, course=draft)
    assert not Enrollment.objects.exists()


def test_a_lesson_opened_before_it_unlocks_gets_a_message_and_changes_nothing(
    course, lessons, learner
):
    enroll(learner=learner, course=course)
    with pytest.raises(LessonLocked) as raised:
        open_lesson(learner=learner, lesson=lessons[1])
    assert "VNeID là gì" in str(raised.value)
    assert not LessonProgress.objects.exists()
    assert Enrollment.objects.get(learner=learner).last_lesson is None


def test_opening_a_locked_lesson_without_enrolment_does_not_enrol(course, lessons, learner):
    with pytest.raises(LessonLocked):
        open_lesson(learner=learner, lesson=lessons[2])
    assert not Enrollment.objects.exists()


def test_completing_a_lesson_unlocks_the_next(course, lessons, learner):
    open_lesson(learner=learner, lesson=lessons[0])
    complete_lesson(learner=learner, lesson=lessons[0])
    progress = open_lesson(learner=learner, lesson=lessons[1])
    assert progress.lesson_id == lessons[1].id
    with pytest.raises(LessonLocked):
        complete_lesson(learner=learner, lesson=lessons[2])


def test_a_course_that_turns_off_sequential_opens_every_lesson(publisher, learner):
    free = make_course(publisher=publisher, is_sequential=False)
    first = add_lesson(free, Lesson.Kind.READING)
    last = add_lesson(free, Lesson.Kind.READING)
    complete_lesson(learner=learner, lesson=last)
    states = lesson_states(
        course=free, enrollment=Enrollment.objects.get(), lessons=lessons_in_order(free)
    )
    assert [(s.is_done, s.is_locked) for s in states] == [(False, False), (True, False)]
    assert open_lesson(learner=learner, lesson=first).lesson_id == first.id


def test_a_check_is_not_completed_by_the_complete_button(course, lessons, learner):
    for lesson in lessons[:3]:
        complete_lesson(learner=learner, lesson=lesson)
    with pytest.raises(EnrolmentError, match="đạt điểm"):
        complete_lesson(learner=learner, lesson=lessons[3])
    assert not LessonProgress.objects.filter(lesson=lessons[3], completed_at__isnull=False)


def test_completing_twice_keeps_the_first_time(course, lessons, learner):
    first = complete_lesson(learner=learner, lesson=lessons[0]).completed_at
    again = complete_lesson(learner=learner, lesson=lessons[0]).completed_at
    assert first == again


def test_the_course_is_complete_when_every_lesson_is_done(publisher, learner):
    short = make_course(publisher=publisher)
    one = add_lesson(short, Lesson.Kind.READING)
    two = add_lesson(short, Lesson.Kind.VIDEO, video_url="https://example.vn/v")
    complete_lesson(learner=learner, lesson=one)
    assert Enrollment.objects.get().completed_at is None
    complete_lesson(learner=learner, lesson=two)
    assert Enrollment.objects.get().completed_at is not None


def test_record_step_saves_where_the_learner_is(course, lessons, learner):
    complete_lesson(learner=learner, lesson=lessons[0])
    record_step(learner=learner, lesson=lessons[1], position=2)
    assert LessonProgress.objects.get(lesson=lessons[1]).last_step == 2
    record_step(learner=learner, lesson=lessons[1], position=3)
    assert LessonProgress.objects.get(lesson=lessons[1]).last_step == 3


def test_record_step_refuses_a_step_that_does_not_exist_or_a_locked_guide(course, lessons, learner):
    with pytest.raises(LessonLocked):
        record_step(learner=learner, lesson=lessons[1], position=1)
    complete_lesson(learner=learner, lesson=lessons[0])
    with pytest.raises(EnrolmentError, match="bước số 4"):
        record_step(learner=learner, lesson=lessons[1], position=4)
    with pytest.raises(EnrolmentError):
        record_step(learner=learner, lesson=lessons[0], position=1)
    assert LessonProgress.objects.filter(lesson=lessons[1]).count() == 0


def test_recording_a_step_on_an_open_guide_takes_few_queries(course, lessons, learner):
    complete_lesson(learner=learner, lesson=lessons[0])
    open_lesson(learner=learner, lesson=lessons[1])
    with CaptureQueriesContext(connection) as queries:
        record_step(learner=learner, lesson=lessons[1], position=2)
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len([s for s in statements if s.startswith(("SELECT", "UPDATE", "INSERT"))]) <= 2


def test_continue_goes_to_the_lesson_after_the_last_one_done_on_any_device(
    course, lessons, learner
):
    complete_lesson(learner=learner, lesson=lessons[0])
    open_lesson(learner=learner, lesson=lessons[1])
    # Another device: nothing but the database remembers.
    enrollment = Enrollment.objects.get(learner=learner)
    states = lesson_states(course=course, enrollment=enrollment, lessons=lessons_in_order(course))
    assert continue_lesson(enrollment, states).id == lessons[1].id
    complete_lesson(learner=learner, lesson=lessons[1])
    enrollment.refresh_from_db()
    states = lesson_states(course=course, enrollment=enrollment, lessons=lessons_in_order(course))
    assert continue_lesson(enrollment, states).id == lessons[2].id


def test_continue_for_a_new_learner_is_the_first_lesson(course, lessons):
    states = lesson_states(course=course, enrollment=None, lessons=lessons_in_order(course))
    assert continue_lesson(None, states).id == lessons[0].id
    assert [s.is_locked for s in states] == [False, True, True, True]
