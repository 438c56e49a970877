"""The content editor's pages: publishers, courses, lessons, steps, questions, versions, packages.

Every page asks for Perm.EDIT_CONTENT over the area of the course's publisher.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hocvuso.accounts.authz import Perm, authorize, can, scope_paths
from hocvuso.learning.forms_editor import (
    TRANSLATION_LANGUAGES,
    AudioForm,
    CourseForm,
    LanguageForm,
    LessonCreateForm,
    LessonForm,
    PackageImportForm,
    PublisherForm,
    QuestionForm,
    StepForm,
    TranslationForm,
)
from hocvuso.learning.models import (
    Course,
    CourseVersion,
    Lesson,
    LessonAudio,
    Publisher,
    Question,
    Step,
)
from hocvuso.learning.rendering import render_markdown
from hocvuso.learning.selectors.authoring import (
    adoptable_courses,
    course_lessons,
    editable_courses,
    has_unpublished_changes,
    publication_problems,
    publishers_in_scope,
)
from hocvuso.learning.services.audio import AudioError, attach_uploaded_audio
from hocvuso.learning.services.authoring import (
    AuthoringError,
    PublishError,
    add_lesson,
    add_question,
    add_step,
    adopt_course,
    archive_course,
    create_course,
    create_publisher,
    delete_lesson,
    delete_question,
    delete_step,
    move_lesson,
    move_question,
    move_step,
    publish_course,
    restore_course_version,
    save_lesson_translation,
    update_course,
    update_lesson,
    update_question,
    update_step,
    withdraw_adoption,
)
from hocvuso.learning.services.packages import (
    PackageError,
    export_course_package,
    import_course_package,
    package_file_name,
)
from hocvuso.places.models import Area

NAV = "editor"


def _require_editor(user) -> None:
    if not scope_paths(user, Perm.EDIT_CONTENT):
        raise PermissionDenied


def _course(request, slug: str) -> Course:
    course = get_object_or_404(Course.objects.select_related("publisher__area"), slug=slug)
    authorize(request.user, Perm.EDIT_CONTENT, course.publisher.area)
    return course


def _lesson(request, lesson_id: int, kind: str | None = None) -> Lesson:
    lessons = Lesson.objects.select_related("course__publisher__area")
    lesson = get_object_or_404(lessons, pk=lesson_id)
    authorize(request.user, Perm.EDIT_CONTENT, lesson.course.publisher.area)
    if kind is not None and lesson.kind != kind:
        raise Http404
    return lesson


def _step(request, step_id: int) -> Step:
    step = get_object_or_404(
        Step.objects.select_related("lesson__course__publisher__area"), pk=step_id
    )
    authorize(request.user, Perm.EDIT_CONTENT, step.lesson.course.publisher.area)
    return step


def _question(request, question_id: int) -> Question:
    question = get_object_or_404(
        Question.objects.select_related("lesson__course__publisher__area"), pk=question_id
    )
    authorize(request.user, Perm.EDIT_CONTENT, question.lesson.course.publisher.area)
    return question


def _crumbs(course: Course | None = None, lesson: Lesson | None = None, last: str = "") -> list:
    crumbs = [{"label": _("Biên tập nội dung"), "url": reverse("learning:editor_home")}]
    if course is not None:
        crumbs.append(
            {"label": course.title, "url": reverse("learning:course_edit", args=[course.slug])}
        )
    if lesson is not None:
        crumbs.append(
            {"label": lesson.title, "url": reverse("learning:lesson_edit", args=[lesson.pk])}
        )
    if last:
        crumbs.append({"label": last, "url": None})
    return crumbs


def _form_error(form, error: AuthoringError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


def _render(request, template: str, context: dict, status: int = 200):
    context.setdefault("nav_current", NAV)
    return render(request, f"learning/editor/{template}", context, status=status)


@login_required
@require_GET
def editor_home(request):
    _require_editor(request.user)
    context = {
        "crumbs": [],
        "courses": editable_courses(request.user),
        "publishers": publishers_in_scope(request.user),
    }
    return _render(request, "home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def publisher_create(request):
    _require_editor(request.user)
    root = Area.objects.filter(path=scope_paths(request.user, Perm.EDIT_CONTENT)[0]).first()
    form = PublisherForm(request.POST or None, initial={"area_code": root.code if root else ""})
    if request.method == "POST" and form.is_valid():
        area = form.cleaned_data["area_code"]
        if not can(request.user, Perm.EDIT_CONTENT, area):
            form.add_error("area_code", _("Địa bàn này nằm ngoài phạm vi biên tập của bạn."))
        else:
            try:
                publisher = create_publisher(
                    name=form.cleaned_data["name"], kind=form.cleaned_data["kind"], area=area
                )
            except AuthoringError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request, _("Đã thêm đơn vị xuất bản “%(name)s”.") % {"name": publisher.name}
                )
                return redirect("learning:editor_home")
    context = {"form": form, "crumbs": _crumbs(last=_("Thêm đơn vị xuất bản"))}
    return _render(request, "publisher_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request):
    _require_editor(request.user)
    publishers = publishers_in_scope(request.user)
    form = CourseForm(request.POST or None, publishers=publishers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            course = create_course(
                publisher=data["publisher"],
                title=data["title"],
                summary=data["summary"],
                topic=data["topic"],
                target_groups=data["target_groups"],
                is_sequential=data["is_sequential"],
                estimated_minutes=data["estimated_minutes"],
            )
        except AuthoringError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Đã tạo khoá học. Hãy thêm các bài học."))
            return redirect("learning:course_edit", course.slug)
    context = {
        "form": form,
        "has_publishers": publishers.exists(),
        "crumbs": _crumbs(last=_("Tạo khoá học")),
    }
    return _render(request, "course_create.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request, slug):
    course = _course(request, slug)
    publishers = publishers_in_scope(request.user)
    form = CourseForm(
        request.POST or None, publishers=publishers, initial=CourseForm.initial_for(course)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_course(
                course=course,
                publisher=data["publisher"],
                title=data["title"],
                summary=data["summary"],
                topic=data["topic"],
                target_groups=data["target_groups"],
                is_sequential=data["is_sequential"],
                estimated_minutes=data["estimated_minutes"],
            )
        except AuthoringError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Đã lưu thông tin khoá học."))
            return redirect("learning:course_edit", course.slug)
    context = {
        "course": course,
        "form": form,
        "lessons": course_lessons(course),
        "lesson_form": LessonCreateForm(),
        "unpublished_changes": has_unpublished_changes(course),
        "crumbs": _crumbs(course),
    }
    return _render(request, "course_edit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def lesson_create(request, slug):
    course = _course(request, slug)
    form = LessonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lesson = add_lesson(
            course=course, kind=form.cleaned_data["kind"], title=form.cleaned_data["title"]
        )
        messages.success(request, _("Đã thêm bài. Hãy viết nội dung cho bài."))
        return redirect("learning:lesson_edit", lesson.pk)
    context = {"course": course, "form": form, "crumbs": _crumbs(course, last=_("Thêm bài"))}
    return _render(request, "lesson_create.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def lesson_edit(request, lesson_id):
    lesson = _lesson(request, lesson_id)
    form = LessonForm(request.POST or None, request.FILES or None, lesson=lesson)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST:
            preview = render_markdown(data["body"])
        else:
            try:
                update_lesson(
                    lesson=lesson,
                    title=data["title"],
                    body=data["body"],
                    estimated_minutes=data["estimated_minutes"],
                    pass_mark=data.get("pass_mark"),
                    max_attempts=data.get("max_attempts"),
                    shuffle_questions=data.get("shuffle_questions"),
                    draw_count=data.get("draw_count"),
                    video_url=data.get("video_url") or "",
                    video_file=data.get("video_file"),
                    remove_video_file=data.get("remove_video_file", False),
                    poster=data.get("poster"),
                    remove_poster=data.get("remove_poster", False),
                    captions=data.get("captions"),
                    remove_captions=data.get("remove_captions", False),
                )
            except AuthoringError as error:
                lesson.refresh_from_db()
                _form_error(form, error)
            else:
                messages.success(request, _("Đã lưu bài học."))
                return redirect("learning:lesson_edit", lesson.pk)
    context = {
        "course": lesson.course,
        "lesson": lesson,
        "form": form,
        "preview": preview,
        "steps": lesson.steps.order_by("position", "id"),
        "questions": lesson.questions.order_by("position", "id").prefetch_related("choices"),
        "audio_form": AudioForm(),
        "audio": lesson.audio.order_by("language"),
        "translations": lesson.translations.order_by("language"),
        "crumbs": _crumbs(lesson.course, last=lesson.title),
    }
    return _render(request, "lesson_edit.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def lesson_delete(request, lesson_id):
    lesson = _lesson(request, lesson_id)
    course = lesson.course
    if request.method == "POST":
        delete_lesson(lesson=lesson)
        messages.success(request, _("Đã xoá bài “%(title)s”.") % {"title": lesson.title})
        return redirect("learning:course_edit", course.slug)
    context = {"course": course, "lesson": lesson, "crumbs": _crumbs(course, lesson, _("Xoá"))}
    return _render(request, "lesson_delete.html", context)


def _direction(request) -> str:
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise Http404
    return direction


@login_required
@require_POST
def lesson_move(request, lesson_id):
    lesson = _lesson(request, lesson_id)
    move_lesson(lesson=lesson, direction=_direction(request))
    return redirect(reverse("learning:course_edit", args=[lesson.course.slug]) + "#lessons")


@login_required
@require_http_methods(["GET", "POST"])
def lesson_translation(request, lesson_id):
    lesson = _lesson(request, lesson_id)
    picker = LanguageForm(request.GET or {"lang": TRANSLATION_LANGUAGES[0][0]})
    language = picker.cleaned_data["lang"] if picker.is_valid() else TRANSLATION_LANGUAGES[0][0]
    steps = list(lesson.steps.order_by("position", "id").prefetch_related("translations"))
    existing = lesson.translations.filter(language=language).first()
    initial = {"title": existing.title, "body": existing.body} if existing else {}
    for step in steps:
        text = next((t for t in step.translations.all() if t.language == language), None)
        if text:
            initial[f"step_{step.pk}_title"] = text.title
            initial[f"step_{step.pk}_instruction"] = text.instruction
    form = TranslationForm(request.POST or None, steps=steps, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_lesson_translation(
                lesson=lesson,
                language=language,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                steps=form.step_texts(),
            )
        except AuthoringError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Đã lưu bản dịch."))
            url = reverse("learning:lesson_translation", args=[lesson.pk])
            return redirect(f"{url}?lang={language}")
    context = {
        "course": lesson.course,
        "lesson": lesson,
        "picker": picker,
        "language": language,
        "language_label": dict(TRANSLATION_LANGUAGES)[language],
        "form": form,
        "crumbs": _crumbs(lesson.course, lesson, _("Bản dịch song ngữ")),
    }
    return _render(request, "lesson_translation.html", context)


@login_required
@require_POST
def lesson_audio_upload(request, lesson_id):
    lesson = _lesson(request, lesson_id)
    form = AudioForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Hãy chọn ngôn ngữ và tệp ghi âm."))
    else:
        try:
            attach_uploaded_audio(
                lesson=lesson,
                language=form.cleaned_data["language"],
                upload=form.cleaned_data["file"],
            )
        except AudioError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Đã lưu bản ghi âm cho bài."))
    return redirect(reverse("learning:lesson_edit", args=[lesson.pk]) + "#audio")


@login_required
@require_http_methods(["GET", "POST"])
def step_create(request, lesson_id):
    lesson = _lesson(request, lesson_id, Lesson.Kind.GUIDE)
    form = StepForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            add_step(
                lesson=lesson,
                title=data["title"],
                instruction=data["instruction"],
                image=data["image"],
                image_alt=data["image_alt"],
            )
        except AuthoringError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Đã thêm bước."))
            return redirect(reverse("learning:lesson_edit", args=[lesson.pk]) + "#steps")
    context = {
        "course": lesson.course,
        "lesson": lesson,
        "form": form,
        "crumbs": _crumbs(lesson.course, lesson, _("Thêm bước")),
    }
    return _render(request, "step_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def step_edit(request, step_id):
    step = _step(request, step_id)
    initial = {"title": step.title, "instruction": step.instruction, "image_alt": step.image_alt}
    form = StepForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_step(
                step=step,
                title=data["title"],
                instruction=data["instruction"],
                image=data["image"],
                remove_image=data["remove_image"],
                image_alt=data["image_alt"],
            )
        except AuthoringError as error:
            step.refresh_from_db()
            _form_error(form, error)
        else:
            messages.success(request, _("Đã lưu bước."))
            return redirect(reverse("learning:lesson_edit", args=[step.lesson_id]) + "#steps")
    context = {
        "course": step.lesson.course,
        "lesson": step.lesson,
        "step": step,
        "form": form,
        "crumbs": _crumbs(step.lesson.course, step.lesson, step.title),
    }
    return _render(request, "step_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def step_delete(request, step_id):
    step = _step(request, step_id)
    delete_step(step=step)
    messages.success(request, _("Đã xoá bước “%(title)s”.") % {"title": step.title})
    return redirect(reverse("learning:lesson_edit", args=[step.lesson_id]) + "#steps")


@login_required
@require_POST
def step_move(request, step_id):
    step = _step(request, step_id)
    move_step(step=step, direction=_direction(request))
    return redirect(reverse("learning:lesson_edit", args=[step.lesson_id]) + "#steps")


def _question_page(request, lesson: Lesson, question: Question | None):
    initial = QuestionForm.initial_for(question) if question else {}
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {"kind": data["kind"], "text": data["text"], "explanation": data["explanation"]}
        try:
            if question is None:
                add_question(lesson=lesson, choices=form.choices(), **fields)
            else:
                update_question(question=question, choices=form.choices(), **fields)
        except AuthoringError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Đã lưu câu hỏi."))
            return redirect(reverse("learning:lesson_edit", args=[lesson.pk]) + "#questions")
    last = _("Sửa câu hỏi") if question else _("Thêm câu hỏi")
    context = {
        "course": lesson.course,
        "lesson": lesson,
        "question": question,
        "form": form,
        "crumbs": _crumbs(lesson.course, lesson, last),
    }
    return _render(request, "question_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def question_create(request, lesson_id):
    return _question_page(request, _lesson(request, lesson_id, Lesson.Kind.CHECK), None)


@login_required
@require_http_methods(["GET", "POST"])
def question_edit(request, question_id):
    question = _question(request, question_id)
    return _question_page(request, question.lesson, question)


@login_required
@require_POST
def question_delete(request, question_id):
    question = _question(request, question_id)
    delete_question(question=question)
    messages.success(request, _("Đã xoá câu hỏi."))
    return redirect(reverse("learning:lesson_edit", args=[question.lesson_id]) + "#questions")


@login_required
@require_POST
def question_move(request, question_id):
    question = _question(request, question_id)
    move_question(question=question, direction=_direction(request))
    return redirect(reverse("learning:lesson_edit", args=[question.lesson_id]) + "#questions")


@login_required
@require_GET
def editor_preview(request, slug):
    course = _course(request, slug)
    context = {
        "course": course,
        "lessons": course.lessons.order_by("position", "id"),
        "audiences": course.audiences.all(),
        "crumbs": _crumbs(course, last=_("Xem trước")),
    }
    return _render(request, "preview_course.html", context)


@login_required
@require_GET
def editor_preview_lesson(request, lesson_id):
    lesson = _lesson(request, lesson_id)
    course = lesson.course
    lessons = list(course.lessons.order_by("position", "id"))
    index = next(i for i, other in enumerate(lessons) if other.pk == lesson.pk)
    language = request.GET.get("lang", "")
    translation = lesson.translations.filter(language=language).first() if language else None
    steps = lesson.steps.order_by("position", "id").prefetch_related("translations")
    context = {
        "course": course,
        "lesson": lesson,
        "number": index + 1,
        "total": len(lessons),
        "previous": lessons[index - 1] if index > 0 else None,
        "next": lessons[index + 1] if index + 1 < len(lessons) else None,
        "body": render_markdown(lesson.body),
        "translation": translation,
        "translated_body": render_markdown(translation.body) if translation else "",
        "languages": lesson.translations.order_by("language"),
        "steps": steps,
        "questions": lesson.questions.order_by("position", "id").prefetch_related("choices"),
        "audio": lesson.audio.filter(source=LessonAudio.Source.UPLOADED).order_by("language"),
        "crumbs": _crumbs(course, last=_("Xem trước: %(title)s") % {"title": lesson.title}),
    }
    return _render(request, "preview_lesson.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def course_publish(request, slug):
    course = _course(request, slug)
    reasons = publication_problems(course)
    if request.method == "POST":
        try:
            version = publish_course(course=course, published_by=request.user)
        except PublishError as error:
            reasons = error.reasons
        else:
            messages.success(
                request,
                _("Đã xuất bản khoá học, phiên bản %(number)d.") % {"number": version.number},
            )
            return redirect("learning:course_edit", course.slug)
    context = {
        "course": course,
        "reasons": reasons,
        "crumbs": _crumbs(course, last=_("Xuất bản")),
    }
    refused = request.method == "POST" and reasons
    return _render(request, "course_publish.html", context, status=400 if refused else 200)


@login_required
@require_POST
def course_archive(request, slug):
    course = _course(request, slug)
    archive_course(course=course)
    messages.success(request, _("Đã lưu trữ khoá học; người học không còn thấy trong danh mục."))
    return redirect("learning:course_edit", course.slug)


@login_required
@require_GET
def course_versions(request, slug):
    course = _course(request, slug)
    context = {
        "course": course,
        "versions": CourseVersion.objects.filter(course=course)
        .select_related("published_by")
        .defer("snapshot"),
        "crumbs": _crumbs(course, last=_("Các phiên bản")),
    }
    return _render(request, "course_versions.html", context)


@login_required
@require_POST
def course_version_restore(request, slug, number):
    course = _course(request, slug)
    get_object_or_404(CourseVersion, course=course, number=number)
    try:
        restore_course_version(course=course, number=number)
    except AuthoringError as error:
        messages.error(request, str(error))
        return redirect("learning:course_versions", course.slug)
    messages.success(
        request,
        _(
            "Đã khôi phục nội dung phiên bản %(number)d. Hãy xem lại rồi xuất bản để "
            "người học thấy nội dung này như một phiên bản mới."
        )
        % {"number": number},
    )
    return redirect("learning:course_edit", course.slug)


@login_required
@require_GET
def course_export(request, slug):
    course = _course(request, slug)
    try:
        package = export_course_package(course)
    except PackageError as error:
        messages.error(request, str(error))
        return redirect("learning:course_edit", course.slug)
    response = HttpResponse(package, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{package_file_name(course)}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def course_import(request):
    _require_editor(request.user)
    publishers = publishers_in_scope(request.user)
    form = PackageImportForm(request.POST or None, request.FILES or None, publishers=publishers)
    if request.method == "POST" and form.is_valid():
        try:
            course = import_course_package(
                upload=form.cleaned_data["package"],
                publisher=form.cleaned_data["publisher"],
                imported_by=request.user,
            )
        except PackageError as error:
            form.add_error("package", str(error))
        else:
            messages.success(
                request,
                _("Đã nhập khoá học “%(title)s” thành bản nháp.") % {"title": course.title},
            )
            return redirect("learning:course_edit", course.slug)
    context = {
        "form": form,
        "has_publishers": publishers.exists(),
        "crumbs": _crumbs(last=_("Nhập gói khoá học")),
    }
    return _render(request, "course_import.html", context, status=400 if form.errors else 200)


def _acting_publisher(request, raw: str | None) -> Publisher | None:
    publishers = publishers_in_scope(request.user)
    if raw:
        if not raw.isdigit():
            raise Http404
        publisher = Publisher.objects.select_related("area").filter(pk=raw).first()
        if publisher is None:
            raise Http404
        authorize(request.user, Perm.EDIT_CONTENT, publisher.area)
        return publisher
    return publishers.first()


@login_required
@require_GET
def adoptions(request):
    _require_editor(request.user)
    publisher = _acting_publisher(request, request.GET.get("publisher"))
    context = {
        "publisher": publisher,
        "publishers": publishers_in_scope(request.user),
        "courses": adoptable_courses(publisher) if publisher else [],
        "crumbs": _crumbs(last=_("Khoá học dùng chung")),
    }
    return _render(request, "adoptions.html", context)


@login_required
@require_POST
def course_adopt(request, slug):
    _require_editor(request.user)
    course = get_object_or_404(Course, slug=slug)
    publisher = _acting_publisher(request, request.POST.get("publisher"))
    if publisher is None:
        raise Http404
    if request.POST.get("action") == "withdraw":
        withdraw_adoption(course=course, publisher=publisher)
        messages.success(
            request,
            _("%(publisher)s đã thôi dùng khoá học “%(title)s”.")
            % {"publisher": publisher.name, "title": course.title},
        )
    else:
        try:
            adopt_course(course=course, publisher=publisher, adopted_by=request.user)
        except AuthoringError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Khoá học “%(title)s” đã có trong danh mục của %(publisher)s.")
                % {"publisher": publisher.name, "title": course.title},
            )
    return redirect(f"{reverse('learning:adoptions')}?publisher={publisher.pk}")
