"""The learner's pages: catalogue, course, lesson, check and results, and their own courses."""

import mimetypes
import random

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hocvuso.learning.models import (
    BASE_LANGUAGE,
    Course,
    Lesson,
    LessonTranslation,
    Question,
    QuizAttempt,
    Step,
    StepTranslation,
    Topic,
)
from hocvuso.learning.rendering import render_markdown
from hocvuso.learning.selectors.catalogue import (
    LANGUAGE_NAMES,
    course_outline,
    languages_by_course,
    lesson_languages,
    published_course,
    published_courses,
)
from hocvuso.learning.selectors.learner import (
    CourseProgress,
    answers_by_question,
    attempts_of,
    continue_lesson,
    enrollment_of,
    lesson_states,
    lessons_in_order,
    my_enrollments,
    progress_by_course,
)
from hocvuso.learning.services.enrolment import (
    EnrolmentError,
    LessonLocked,
    complete_lesson,
    enroll,
    open_lesson_page,
    record_step,
)
from hocvuso.learning.services.quizzes import (
    QuizError,
    answer_question,
    start_attempt,
    submit_attempt,
)
from hocvuso.people.choices import TargetGroup

LANGUAGE_SESSION_KEY = "learning_language"
ALL_STEPS = "tat-ca"


def _course_or_404(slug: str) -> Course:
    course = published_course(slug)
    if course is None:
        raise Http404(_("Không tìm thấy khoá học."))
    return course


def _lesson_or_404(slug: str, lesson_id: int) -> Lesson:
    """A lesson of a published course, with its course, in one query."""
    lesson = (
        Lesson.objects.select_related("course")
        .filter(pk=lesson_id, course__slug=slug, course__status=Course.Status.PUBLISHED)
        .first()
    )
    if lesson is None:
        raise Http404(_("Không tìm thấy bài học."))
    return lesson


def _lesson_url(lesson: Lesson, course: Course) -> str:
    return reverse("learning:lesson", args=[course.slug, lesson.id])


def _crumbs(course: Course | None = None, last: str | None = None) -> list[dict]:
    crumbs = [{"label": _("Học kỹ năng số"), "url": reverse("learning:catalogue")}]
    if course is not None:
        crumbs.append(
            {"label": course.title, "url": reverse("learning:course", args=[course.slug])}
        )
    if last:
        crumbs.append({"label": last, "url": None})
    return crumbs


@require_GET
def catalogue(request):
    topic = request.GET.get("topic", "")
    topic = topic if topic in Topic.values else ""
    target_group = request.GET.get("target_group", "")
    target_group = target_group if target_group in TargetGroup.values else ""
    courses = list(published_courses(topic=topic, target_group=target_group))
    languages = languages_by_course([course.id for course in courses])
    progress = progress_by_course(request.user, courses)
    cards = [
        {"course": course, "languages": languages[course.id], "progress": progress.get(course.id)}
        for course in courses
    ]
    context = {
        "cards": cards,
        "topics": Topic.choices,
        "target_groups": TargetGroup.choices,
        "topic": topic,
        "target_group": target_group,
        "is_filtered": bool(topic or target_group),
        "nav_current": "learning",
    }
    return render(request, "learning/learner/catalogue.html", context)


@require_GET
def course(request, slug):
    course = _course_or_404(slug)
    outline = course_outline(course)
    enrollment = enrollment_of(request.user, course)
    states = lesson_states(
        course=course, enrollment=enrollment, lessons=[entry.lesson for entry in outline]
    )
    done = sum(state.is_done for state in states)
    context = {
        "course": course,
        "rows": list(zip(outline, states, strict=True)),
        "enrollment": enrollment,
        "progress": CourseProgress(enrollment=enrollment, done=done, total=len(states)),
        "continue_lesson": continue_lesson(enrollment, states),
        "languages": languages_by_course([course.id])[course.id],
        "crumbs": _crumbs(last=course.title),
        "nav_current": "learning",
    }
    return render(request, "learning/learner/course.html", context)


@login_required
@require_POST
def enroll_course(request, slug):
    course = _course_or_404(slug)
    try:
        enroll(learner=request.user, course=course)
    except EnrolmentError as error:
        messages.error(request, str(error))
        return redirect("learning:course", course.slug)
    messages.success(request, _("Bạn đã đăng ký khoá học “%(title)s”.") % {"title": course.title})
    return redirect("learning:continue", course.slug)


@login_required
@require_GET
def continue_course(request, slug):
    course = _course_or_404(slug)
    enrollment = enrollment_of(request.user, course)
    states = lesson_states(course=course, enrollment=enrollment, lessons=lessons_in_order(course))
    lesson = continue_lesson(enrollment, states)
    if lesson is None:
        return redirect("learning:course", course.slug)
    return redirect(_lesson_url(lesson, course))


def _content_language(request, available: list[tuple[str, str]]) -> str:
    """The language shown beside Vietnamese: ?lang= picks it and the session remembers it."""
    codes = {code for code, _name in available}
    asked = request.GET.get("lang")
    if asked is not None:
        if asked in codes:
            request.session[LANGUAGE_SESSION_KEY] = asked
        elif asked == BASE_LANGUAGE and LANGUAGE_SESSION_KEY in request.session:
            del request.session[LANGUAGE_SESSION_KEY]
        return asked if asked in codes else BASE_LANGUAGE
    remembered = request.session.get(LANGUAGE_SESSION_KEY, BASE_LANGUAGE)
    return remembered if remembered in codes else BASE_LANGUAGE


def _steps(lesson: Lesson, language: str) -> list[dict]:
    steps = list(Step.objects.filter(lesson=lesson).order_by("position", "id"))
    translated = {}
    if language != BASE_LANGUAGE:
        translated = {
            row.step_id: row
            for row in StepTranslation.objects.filter(step__lesson=lesson, language=language)
        }
    return [
        {
            "step": step,
            "number": number,
            "instruction_html": render_markdown(step.instruction),
            "translation": translated.get(step.id),
            "translation_html": render_markdown(translated[step.id].instruction)
            if step.id in translated
            else "",
        }
        for number, step in enumerate(steps, start=1)
    ]


def lesson_content_context(lesson: Lesson, *, language: str = BASE_LANGUAGE) -> dict:
    """What `learning/learner/_lesson_content.html` needs to show a lesson (the editor's preview too)."""
    translation = None
    if language != BASE_LANGUAGE:
        translation = LessonTranslation.objects.filter(lesson=lesson, language=language).first()
    context = {
        "lesson": lesson,
        "body_html": render_markdown(lesson.body),
        "language": language,
        # The name "Nghe bài" (learning/learner/_listen.html) reads the chosen language from.
        "content_language": language,
        "language_name": LANGUAGE_NAMES.get(language, ""),
        "translation": translation,
        "translation_html": render_markdown(translation.body) if translation else "",
        "steps": _steps(lesson, language) if lesson.kind == Lesson.Kind.GUIDE else [],
        "video_type": "",
        # Only a web address is linked: a javascript: or data: "video" never becomes a link.
        "video_link": lesson.video_url
        if lesson.video_url.lower().startswith(("https://", "http://"))
        else "",
    }
    if lesson.video_file:
        context["video_type"] = mimetypes.guess_type(lesson.video_file.name)[0] or ""
    return context


def _step_view(request, steps: list[dict], last_step: int) -> dict:
    """One step at a time (?buoc=N, the phone's way) or every step on one page (?buoc=tat-ca)."""
    asked = request.GET.get("buoc", "")
    if not steps or asked == ALL_STEPS:
        return {"shown_steps": steps, "step_mode": "all"}
    number = int(asked) if asked.isdigit() else last_step or 1
    number = min(max(number, 1), len(steps))
    return {
        "shown_steps": [steps[number - 1]],
        "step_mode": "one",
        "step_number": number,
        "step_total": len(steps),
        "step_previous": number - 1 if number > 1 else None,
        "step_next": number + 1 if number < len(steps) else None,
    }


@login_required
@require_GET
def lesson(request, slug, lesson_id):
    lesson = _lesson_or_404(slug, lesson_id)
    course = lesson.course
    try:
        opened = open_lesson_page(learner=request.user, lesson=lesson)
    except EnrolmentError as error:
        messages.error(request, str(error))
        return redirect("learning:course", course.slug)
    progress = opened.progress
    states = lesson_states(
        course=course,
        enrollment=opened.enrollment,
        lessons=lessons_in_order(course, lesson_id=lesson.id),
        rows=opened.rows,
    )
    index = next(i for i, state in enumerate(states) if state.lesson.id == lesson.id)
    languages = lesson_languages(lesson)
    language = _content_language(request, languages)
    context = lesson_content_context(lesson, language=language)
    context.update(_step_view(request, context["steps"], progress.last_step))
    done = sum(state.is_done for state in states)
    context.update(
        {
            "course": course,
            "state": states[index],
            "previous": states[index - 1] if index > 0 else None,
            "next": states[index + 1] if index + 1 < len(states) else None,
            "progress": CourseProgress(
                enrollment=progress.enrollment, done=done, total=len(states)
            ),
            "languages": languages,
            "crumbs": _crumbs(course, lesson.title),
            "nav_current": "learning",
        }
    )
    if lesson.kind == Lesson.Kind.CHECK:
        attempts = attempts_of(request.user, lesson)
        context.update(
            {
                "attempts": attempts,
                "open_attempt": next((a for a in attempts if a.submitted_at is None), None),
                "question_total": lesson.draw_count or lesson.questions.count(),
                "attempts_left": max(lesson.max_attempts - len(attempts), 0)
                if lesson.max_attempts
                else None,
            }
        )
    return render(request, "learning/learner/lesson.html", context)


@login_required
@require_POST
def lesson_complete(request, slug, lesson_id):
    lesson = _lesson_or_404(slug, lesson_id)
    course = lesson.course
    try:
        progress = complete_lesson(learner=request.user, lesson=lesson)
    except LessonLocked as error:
        messages.error(request, str(error))
        return redirect("learning:course", course.slug)
    except EnrolmentError as error:
        messages.error(request, str(error))
        return redirect(_lesson_url(lesson, course))
    enrollment = enrollment_of(request.user, course)
    if enrollment and enrollment.completed_at:
        messages.success(
            request,
            _("Chúc mừng! Bạn đã hoàn thành khoá học “%(title)s”.") % {"title": course.title},
        )
        return redirect("learning:course", course.slug)
    messages.success(
        request, _("Đã ghi nhận: bạn hoàn thành bài “%(title)s”.") % {"title": lesson.title}
    )
    following = enrollment.last_lesson if enrollment else None
    if following is not None and following.id != progress.lesson_id:
        return redirect(_lesson_url(following, course))
    return redirect("learning:course", course.slug)


@login_required
@require_POST
def lesson_step(request, slug, lesson_id):
    lesson = _lesson_or_404(slug, lesson_id)
    course = lesson.course
    position = request.POST.get("position", "")
    try:
        if not position.isdigit():
            raise EnrolmentError(_("Số bước không hợp lệ."))
        record_step(learner=request.user, lesson=lesson, position=int(position))
    except LessonLocked as error:
        messages.error(request, str(error))
        return redirect("learning:course", course.slug)
    except EnrolmentError as error:
        messages.error(request, str(error))
        return redirect(_lesson_url(lesson, course))
    return redirect(f"{_lesson_url(lesson, course)}?buoc={position}#buoc")


@login_required
@require_POST
def check_start(request, slug, lesson_id):
    lesson = _lesson_or_404(slug, lesson_id)
    course = lesson.course
    try:
        attempt = start_attempt(learner=request.user, lesson=lesson)
    except LessonLocked as error:
        messages.error(request, str(error))
        return redirect("learning:course", course.slug)
    except (QuizError, EnrolmentError) as error:
        messages.error(request, str(error))
        return redirect(_lesson_url(lesson, course))
    return redirect("learning:attempt", course.slug, lesson.id, attempt.number)


def _attempt_or_404(request, slug, lesson_id, number) -> tuple[Course, Lesson, QuizAttempt]:
    lesson = _lesson_or_404(slug, lesson_id)
    course = lesson.course
    # Only the learner's own attempts exist for them; anyone else's is "not found".
    attempt = get_object_or_404(QuizAttempt, learner=request.user, lesson=lesson, number=number)
    attempt.lesson = lesson
    return course, lesson, attempt


def _questions(attempt: QuizAttempt) -> list[Question]:
    """The attempt's questions in the order drawn, each with its choices."""
    by_id = {
        question.id: question
        for question in Question.objects.filter(id__in=attempt.question_ids).prefetch_related(
            "choices"
        )
    }
    return [by_id[question_id] for question_id in attempt.question_ids if question_id in by_id]


def _shown_choices(attempt: QuizAttempt, question: Question) -> list:
    """Choices in the order shown; an ORDER question's are mixed, never in the right order."""
    choices = list(question.choices.all())
    if question.kind != Question.Kind.ORDER:
        return choices
    mixed = choices[:]
    random.Random(f"{attempt.pk}-{question.pk}").shuffle(mixed)
    if mixed == choices and len(choices) > 1:
        mixed = mixed[1:] + mixed[:1]
    return mixed


def _right_choices(question: Question) -> list:
    """The right answer: the correct choices, or for an ORDER question every item in its place."""
    if question.kind == Question.Kind.ORDER:
        return list(question.choices.all())
    return [choice for choice in question.choices.all() if choice.is_correct]


def _answer_view(question: Question, answer) -> dict:
    choices = {choice.id: choice for choice in question.choices.all()}
    given = [choices[choice_id] for choice_id in answer.choice_ids if choice_id in choices]
    return {"answer": answer, "given": given, "right": _right_choices(question)}


@login_required
@require_GET
def attempt(request, slug, lesson_id, number):
    course, lesson, attempt = _attempt_or_404(request, slug, lesson_id, number)
    if attempt.submitted_at is not None:
        return redirect("learning:attempt_result", course.slug, lesson.id, attempt.number)
    questions = _questions(attempt)
    answers = answers_by_question(attempt)
    asked = request.GET.get("cau", "")
    if asked.isdigit() and 1 <= int(asked) <= len(questions):
        index = int(asked) - 1
    else:
        unanswered = [i for i, q in enumerate(questions) if q.id not in answers]
        index = unanswered[0] if unanswered else None
    context = {
        "course": course,
        "lesson": lesson,
        "attempt": attempt,
        "total": len(questions),
        "answered": len(answers),
        "crumbs": _crumbs(course, lesson.title),
        "nav_current": "learning",
    }
    if index is not None:
        question = questions[index]
        answer = answers.get(question.id)
        context.update(
            {
                "question": question,
                "question_number": index + 1,
                "choices": _shown_choices(attempt, question),
                "positions": range(1, question.choices.count() + 1),
                "feedback": _answer_view(question, answer) if answer else None,
                "next_number": index + 2 if index + 1 < len(questions) else None,
            }
        )
    return render(request, "learning/learner/attempt.html", context)


def _choice_ids_from(request, question: Question) -> list[int]:
    """The learner's choices as the form sent them; an ORDER question sends a number per item."""
    if question.kind != Question.Kind.ORDER:
        values = request.POST.getlist("choice")
        if not all(value.isdigit() for value in values):
            raise QuizError(_("Lựa chọn này không thuộc câu hỏi."))
        return [int(value) for value in values]
    places = {}
    for choice in question.choices.all():
        value = request.POST.get(f"order-{choice.id}", "")
        if not value.isdigit():
            raise QuizError(_("Hãy xếp thứ tự cho tất cả các mục."))
        places[choice.id] = int(value)
    if sorted(places.values()) != list(range(1, len(places) + 1)):
        raise QuizError(_("Mỗi số thứ tự chỉ dùng cho một mục."))
    return sorted(places, key=places.get)


@login_required
@require_POST
def attempt_answer(request, slug, lesson_id, number):
    course, lesson, attempt = _attempt_or_404(request, slug, lesson_id, number)
    url = reverse("learning:attempt", args=[course.slug, lesson.id, attempt.number])
    question_id = request.POST.get("question", "")
    question = (
        Question.objects.filter(pk=question_id, lesson=lesson).first()
        if question_id.isdigit()
        else None
    )
    if question is None or question.id not in attempt.question_ids:
        messages.error(request, _("Câu hỏi này không có trong lần làm bài của bạn."))
        return redirect(url)
    position = attempt.question_ids.index(question.id) + 1
    try:
        answer_question(
            attempt=attempt, question=question, choice_ids=_choice_ids_from(request, question)
        )
    except QuizError as error:
        messages.error(request, str(error))
    return redirect(f"{url}?cau={position}")


@login_required
@require_POST
def attempt_submit(request, slug, lesson_id, number):
    course, lesson, attempt = _attempt_or_404(request, slug, lesson_id, number)
    submit_attempt(attempt=attempt)
    return redirect("learning:attempt_result", course.slug, lesson.id, attempt.number)


@login_required
@require_GET
def attempt_result(request, slug, lesson_id, number):
    course, lesson, attempt = _attempt_or_404(request, slug, lesson_id, number)
    if attempt.submitted_at is None:
        return redirect("learning:attempt", course.slug, lesson.id, attempt.number)
    answers = answers_by_question(attempt)
    rows = []
    for question in _questions(attempt):
        answer = answers.get(question.id)
        view = (
            _answer_view(question, answer)
            if answer
            else {"answer": None, "given": [], "right": _right_choices(question)}
        )
        rows.append({"question": question, **view})
    states = lesson_states(
        course=course,
        enrollment=enrollment_of(request.user, course),
        lessons=lessons_in_order(course),
    )
    index = next(i for i, state in enumerate(states) if state.lesson.id == lesson.id)
    used = len(attempts_of(request.user, lesson))
    context = {
        "course": course,
        "lesson": lesson,
        "attempt": attempt,
        "rows": rows,
        "next": states[index + 1] if index + 1 < len(states) else None,
        "can_retry": not attempt.passed and (not lesson.max_attempts or used < lesson.max_attempts),
        "crumbs": _crumbs(course, lesson.title),
        "nav_current": "learning",
    }
    return render(request, "learning/learner/attempt_result.html", context)


@login_required
@require_GET
def my_courses(request):
    context = {
        "rows": my_enrollments(request.user),
        "crumbs": _crumbs(last=_("Khoá học của tôi")),
        "nav_current": "my_courses",
    }
    return render(request, "learning/learner/my_courses.html", context)
