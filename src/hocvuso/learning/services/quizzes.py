"""Checks: drawing an attempt's questions, storing each answer, scoring and passing."""

import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hocvuso.accounts.models import User
from hocvuso.learning.models import (
    AttemptAnswer,
    Choice,
    Enrollment,
    Lesson,
    LessonProgress,
    Question,
    QuizAttempt,
)
from hocvuso.learning.services.enrolment import mark_lesson_done, unlocked_progress

ONE_CHOICE = {Question.Kind.SINGLE, Question.Kind.TRUE_FALSE}


class QuizError(ValueError):
    """An answer or attempt the check cannot take; the message is for the learner."""


def _draw(lesson: Lesson) -> list[int]:
    ids = list(lesson.questions.order_by("position", "id").values_list("id", flat=True))
    if lesson.draw_count and lesson.draw_count < len(ids):
        drawn = set(random.sample(ids, lesson.draw_count))
        ids = [question_id for question_id in ids if question_id in drawn]
    if lesson.shuffle_questions:
        random.shuffle(ids)
    return ids


@transaction.atomic
def start_attempt(*, learner: User, lesson: Lesson) -> QuizAttempt:
    """The learner's open attempt at a check, or a new one with freshly drawn questions."""
    if lesson.kind != Lesson.Kind.CHECK:
        raise QuizError(_("Bài này không phải bài kiểm tra."))
    enrollment, _progress = unlocked_progress(learner=learner, lesson=lesson)
    # Serialises two "Bắt đầu làm bài" taps so that they end in one attempt, not two.
    Enrollment.objects.select_for_update().filter(pk=enrollment.pk).first()
    attempts = list(QuizAttempt.objects.filter(learner=learner, lesson=lesson).order_by("number"))
    for attempt in attempts:
        if attempt.submitted_at is None:
            return attempt
    if lesson.max_attempts and len(attempts) >= lesson.max_attempts:
        raise QuizError(
            ngettext(
                "Bạn đã làm bài kiểm tra này %(count)s lần, là số lần tối đa được phép.",
                "Bạn đã làm bài kiểm tra này %(count)s lần, là số lần tối đa được phép.",
                len(attempts),
            )
            % {"count": len(attempts)}
        )
    question_ids = _draw(lesson)
    if not question_ids:
        raise QuizError(_("Bài kiểm tra này chưa có câu hỏi."))
    return QuizAttempt.objects.create(
        learner=learner, lesson=lesson, number=len(attempts) + 1, question_ids=question_ids
    )


def _is_correct(question: Question, choices: list[Choice], choice_ids: list[int]) -> bool:
    if question.kind == Question.Kind.ORDER:
        return choice_ids == [choice.id for choice in choices]
    return set(choice_ids) == {choice.id for choice in choices if choice.is_correct}


def _validate(question: Question, choices: list[Choice], choice_ids: list[int]) -> None:
    known = {choice.id for choice in choices}
    if len(set(choice_ids)) != len(choice_ids):
        raise QuizError(_("Mỗi lựa chọn chỉ được chọn một lần."))
    if not set(choice_ids) <= known:
        raise QuizError(_("Lựa chọn này không thuộc câu hỏi."))
    if question.kind in ONE_CHOICE and len(choice_ids) != 1:
        raise QuizError(_("Hãy chọn đúng một đáp án."))
    if question.kind == Question.Kind.MULTIPLE and not choice_ids:
        raise QuizError(_("Hãy chọn ít nhất một đáp án."))
    if question.kind == Question.Kind.ORDER and set(choice_ids) != known:
        raise QuizError(_("Hãy xếp thứ tự cho tất cả các mục."))


@transaction.atomic
def answer_question(
    *, attempt: QuizAttempt, question: Question, choice_ids: list[int]
) -> AttemptAnswer:
    """Store the learner's answer to one question of an open attempt; the first answer stands."""
    # Locking the attempt orders this answer against a submit of the same attempt.
    current = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
    if current.submitted_at is not None:
        raise QuizError(_("Lần làm bài này đã nộp, không thể trả lời thêm."))
    if question.id not in current.question_ids:
        raise QuizError(_("Câu hỏi này không có trong lần làm bài của bạn."))
    choice_ids = [int(choice_id) for choice_id in choice_ids]
    choices = list(Choice.objects.filter(question=question).order_by("position", "id"))
    _validate(question, choices, choice_ids)
    existing = AttemptAnswer.objects.filter(attempt=current, question=question).first()
    if existing is not None:
        if _same_answer(question, existing.choice_ids, choice_ids):
            return existing
        # The explanation is shown after answering, so a changed answer would only copy it.
        raise QuizError(
            _("Bạn đã trả lời câu này; mỗi câu chỉ trả lời một lần trong một lần làm bài.")
        )
    return AttemptAnswer.objects.create(
        attempt=current,
        question=question,
        choice_ids=choice_ids,
        is_correct=_is_correct(question, choices, choice_ids),
    )


def _same_answer(question: Question, stored: list[int], given: list[int]) -> bool:
    if question.kind == Question.Kind.ORDER:
        return list(stored) == list(given)
    return set(stored) == set(given)


@transaction.atomic
def submit_attempt(*, attempt: QuizAttempt) -> QuizAttempt:
    """Score an attempt, pass or fail it, and complete the check when passed; submitting again changes nothing."""
    current = (
        QuizAttempt.objects.select_for_update().select_related("lesson__course").get(pk=attempt.pk)
    )
    if current.submitted_at is not None:
        return current
    lesson = current.lesson
    total = len(current.question_ids)
    right = AttemptAnswer.objects.filter(
        attempt=current, question_id__in=current.question_ids, is_correct=True
    ).count()
    # Rounded down, so that 69.9 % does not pass a 70 % mark.
    current.score_percent = right * 100 // total if total else 0
    current.passed = current.score_percent >= lesson.pass_mark
    current.submitted_at = timezone.now()
    current.save(update_fields=["score_percent", "passed", "submitted_at"])
    if current.passed:
        progress = (
            LessonProgress.objects.select_related("enrollment", "lesson")
            .filter(enrollment__learner_id=current.learner_id, lesson=lesson)
            .first()
        )
        if progress is None:
            enrollment, progress = unlocked_progress(learner=current.learner, lesson=lesson)
        else:
            enrollment = progress.enrollment
        mark_lesson_done(enrollment=enrollment, progress=progress)
    return current
