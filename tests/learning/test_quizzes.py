"""Checks: drawing questions, answers stored attempt by attempt, scoring, limits and bad answers."""

import pytest

from hocvuso.learning.models import AttemptAnswer, Enrollment, Lesson, LessonProgress, QuizAttempt
from hocvuso.learning.services.enrolment import LessonLocked, complete_lesson
from hocvuso.learning.services.quizzes import (
    QuizError,
    answer_question,
    start_attempt,
    submit_attempt,
)

from .factories import add_check, add_lesson, add_question, make_course, right_answer, wrong_answer


@pytest.fixture
def check(course, lessons, learner) -> Lesson:
    for lesson in lessons[:3]:
        complete_lesson(learner=learner, lesson=lesson)
    return lessons[3]


def questions_of(attempt):
    return [attempt.lesson.questions.get(pk=pk) for pk in attempt.question_ids]


def test_a_check_cannot_be_started_before_it_unlocks(course, lessons, learner):
    with pytest.raises(LessonLocked):
        start_attempt(learner=learner, lesson=lessons[3])
    assert not QuizAttempt.objects.exists()


def test_starting_again_resumes_the_open_attempt(check, learner):
    first = start_attempt(learner=learner, lesson=check)
    again = start_attempt(learner=learner, lesson=check)
    assert first.pk == again.pk
    assert QuizAttempt.objects.count() == 1


def test_the_draw_takes_draw_count_questions_from_the_bank(publisher, learner):
    course = make_course(publisher=publisher)
    check = add_lesson(course, Lesson.Kind.CHECK, draw_count=3, shuffle_questions=True)
    for n in range(10):
        add_question(check, "true_false", [("Đúng", n % 2 == 0), ("Sai", n % 2 == 1)])
    bank = set(check.questions.values_list("id", flat=True))
    seen = set()
    for _ in range(5):
        attempt = start_attempt(learner=learner, lesson=check)
        assert len(attempt.question_ids) == 3
        assert len(set(attempt.question_ids)) == 3
        assert set(attempt.question_ids) <= bank
        seen |= set(attempt.question_ids)
        submit_attempt(attempt=attempt)
    assert len(seen) > 3


def test_without_shuffle_the_questions_keep_the_bank_order(check, learner):
    attempt = start_attempt(learner=learner, lesson=check)
    assert attempt.question_ids == list(
        check.questions.order_by("position").values_list("id", flat=True)
    )


def test_all_right_answers_pass_and_complete_the_check_and_the_course(check, learner):
    attempt = start_attempt(learner=learner, lesson=check)
    for question in questions_of(attempt):
        answer_question(attempt=attempt, question=question, choice_ids=right_answer(question))
    result = submit_attempt(attempt=attempt)
    assert (result.score_percent, result.passed) == (100, True)
    assert LessonProgress.objects.get(lesson=check).completed_at is not None
    assert Enrollment.objects.get(learner=learner).completed_at is not None


def test_below_the_pass_mark_fails_and_the_check_stays_open(check, learner):
    attempt = start_attempt(learner=learner, lesson=check)
    questions = questions_of(attempt)
    for question in questions[:2]:
        answer_question(attempt=attempt, question=question, choice_ids=right_answer(question))
    answer_question(attempt=attempt, question=questions[2], choice_ids=wrong_answer(questions[2]))
    result = submit_attempt(attempt=attempt)
    assert (result.score_percent, result.passed) == (50, False)
    assert LessonProgress.objects.get(lesson=check).completed_at is None


def test_an_order_question_is_right_only_in_the_right_order(check, learner):
    attempt = start_attempt(learner=learner, lesson=check)
    order = check.questions.get(kind="order")
    answer = answer_question(attempt=attempt, question=order, choice_ids=wrong_answer(order))
    assert answer.is_correct is False
    assert answer.choice_ids == wrong_answer(order)


def test_a_second_submit_changes_nothing_and_returns_the_same_result(check, learner):
    attempt = start_attempt(learner=learner, lesson=check)
    first = submit_attempt(attempt=attempt)
    again = submit_attempt(attempt=attempt)
    assert (again.score_percent, again.passed, again.submitted_at) == (
        first.score_percent,
        first.passed,
        first.submitted_at,
    )


def test_an_answer_after_the_attempt_closed_is_refused(check, learner):
    attempt = start_attempt(learner=learner, lesson=check)
    submit_attempt(attempt=attempt)
    question = questions_of(attempt)[0]
    with pytest.raises(QuizError, match="đã nộp"):
        answer_question(attempt=attempt, question=question, choice_ids=right_answer(question))
    assert not AttemptAnswer.objects.exists()


def test_an_answer_for_a_question_not_in_the_attempt_is_refused(publisher, check, learner):
    other = add_check(make_course(publisher=publisher))
    stranger = other.questions.first()
    attempt = start_attempt(learner=learner, lesson=check)
    with pytest.raises(QuizError, match="không có trong lần làm bài"):
        answer_question(attempt=attempt, question=stranger, choice_ids=right_answer(stranger))
    assert not AttemptAnswer.objects.exists()


def test_choices_of_another_question_or_the_wrong_count_are_refused(check, learner):
    attempt = start_attempt(learner=learner, lesson=check)
    single = check.questions.get(kind="single")
    multiple = check.questions.get(kind="multiple")
    true_false = check.questions.get(kind="true_false")
    order = check.questions.get(kind="order")
    bad = [
        (single, right_answer(multiple), "không thuộc câu hỏi"),
        (single, [c.id for c in single.choices.all()], "đúng một đáp án"),
        (true_false, [], "đúng một đáp án"),
        (multiple, [], "ít nhất một"),
        (multiple, [right_answer(multiple)[0]] * 2, "một lần"),
        (order, right_answer(order)[:2], "tất cả các mục"),
    ]
    for question, choice_ids, message in bad:
        with pytest.raises(QuizError, match=message):
            answer_question(attempt=attempt, question=question, choice_ids=choice_ids)
    assert not AttemptAnswer.objects.exists()


def test_a_double_submit_of_the_same_answer_is_harmless(check, learner):
    attempt = start_attempt(learner=learner, lesson=check)
    question = check.questions.get(kind="multiple")
    first = answer_question(attempt=attempt, question=question, choice_ids=right_answer(question))
    again = answer_question(
        attempt=attempt, question=question, choice_ids=list(reversed(right_answer(question)))
    )
    assert first.pk == again.pk
    assert AttemptAnswer.objects.count() == 1


def test_a_changed_answer_after_seeing_the_explanation_is_refused(check, learner):
    attempt = start_attempt(learner=learner, lesson=check)
    question = check.questions.get(kind="single")
    answer_question(attempt=attempt, question=question, choice_ids=wrong_answer(question))
    with pytest.raises(QuizError, match="chỉ trả lời một lần"):
        answer_question(attempt=attempt, question=question, choice_ids=right_answer(question))
    assert AttemptAnswer.objects.get().is_correct is False


def test_answers_are_kept_attempt_by_attempt(check, learner):
    question = check.questions.get(kind="single")
    first = start_attempt(learner=learner, lesson=check)
    answer_question(attempt=first, question=question, choice_ids=wrong_answer(question))
    submit_attempt(attempt=first)
    second = start_attempt(learner=learner, lesson=check)
    answer_question(attempt=second, question=question, choice_ids=right_answer(question))
    assert second.number == 2
    assert [a.is_correct for a in AttemptAnswer.objects.order_by("attempt__number")] == [
        False,
        True,
    ]


def test_no_attempt_beyond_max_attempts(publisher, learner):
    course = make_course(publisher=publisher)
    check = add_check(course, max_attempts=2)
    for _ in range(2):
        submit_attempt(attempt=start_attempt(learner=learner, lesson=check))
    with pytest.raises(QuizError, match="tối đa"):
        start_attempt(learner=learner, lesson=check)
    assert QuizAttempt.objects.count() == 2


def test_a_reading_lesson_is_not_a_check(course, lessons, learner):
    with pytest.raises(QuizError):
        start_attempt(learner=learner, lesson=lessons[0])
