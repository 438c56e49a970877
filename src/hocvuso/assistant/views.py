"""Help pages under /tro-giup/: search, the assistant, the message check, help requests, the feeds."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from hocvuso.accounts.authz import Perm, authorize
from hocvuso.assistant import ratelimit, selectors, services
from hocvuso.assistant.answers import ask
from hocvuso.assistant.checker import MESSAGE_MAX_LENGTH, check_message
from hocvuso.assistant.forms import CloseHelpRequestForm, FaqForm, ScamPatternForm
from hocvuso.assistant.index import get_index, parse_query, search, snippet
from hocvuso.assistant.models import QUESTION_MAX_LENGTH, Faq, HelpRequest, ScamPattern
from hocvuso.assistant.text import tokens
from hocvuso.learning.models import Lesson
from hocvuso.people.audit import record_access
from hocvuso.people.models import PersonalDataAccess
from hocvuso.places.models import Area

SESSION_CONVERSATION = "assistant_conversation"
EXAMPLES = [
    "Cách kích hoạt VNeID mức 2",
    "quen mat khau vneid",
    "dang nhap dvc bang gi",
    "co nguoi goi xung cong an bao chuyen tien",
    "cach tra tien bang ma qr",
]


def _too_many(request, template: str, context: dict) -> HttpResponse:
    context["error"] = _(
        "Bạn gửi nhiều quá trong thời gian ngắn. Hãy chờ khoảng một phút rồi thử lại."
    )
    return render(request, template, context, status=429)


def _form_read_first(template: str, base: Callable[[], dict]):
    """Read the posted form before the CSRF check, so that a paste of megabytes gets our message.

    The CSRF middleware would read the body first and answer a bare 400 when it is too big; here the
    body is read, an oversized one answered 413 in Vietnamese, and only then the same CSRF check made.
    """

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                try:
                    request.POST  # noqa: B018 - parse now, to catch an oversized body here
                except RequestDataTooBig:
                    context = {
                        **base(),
                        "error": _("Nội dung dán vào quá lớn. Hãy dán phần chính, ngắn hơn."),
                    }
                    return render(request, template, context, status=413)
                rejected = CsrfViewMiddleware(lambda _request: None).process_view(
                    request, None, (), {}
                )
                if rejected is not None:
                    return rejected
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _crumbs(*items: tuple[str, str | None]) -> list[dict]:
    return [{"label": _("Trang chủ"), "url": reverse("portal:home")}] + [
        {"label": label, "url": url} for label, url in items
    ]


def _ask_context() -> dict:
    return {
        "examples": EXAMPLES,
        "max_length": QUESTION_MAX_LENGTH,
        "crumbs": _crumbs((_("Hỏi trợ lý"), None)),
        "nav_current": "assistant",
    }


@_form_read_first("assistant/ask.html", _ask_context)
@require_http_methods(["GET", "POST"])
def assistant(request):
    """Ask in Vietnamese; the answer quotes our material and links the exact lesson and step."""
    context = _ask_context()
    if request.method == "POST":
        if request.POST.get("moi"):
            request.session.pop(SESSION_CONVERSATION, None)
            return redirect("assistant:ask")
        question = request.POST.get("question", "")
        context["question"] = question[: QUESTION_MAX_LENGTH * 2]
        if not ratelimit.allow(request, "ask"):
            return _too_many(request, "assistant/ask.html", context)
        try:
            answer = ask(question, conversation_id=request.session.get(SESSION_CONVERSATION))
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            return render(request, "assistant/ask.html", context, status=422)
        request.session[SESSION_CONVERSATION] = answer.conversation_id
        context.update({"answer": answer, "question": ""})
    return render(request, "assistant/ask.html", context)


def search_page(request):
    """Search courses, lessons, steps and the FAQ, typed the way people type on a phone."""
    query = request.GET.get("q", "").strip()
    context = {"query": query, "crumbs": _crumbs((_("Tìm kiếm"), None)), "nav_current": "assistant"}
    if query:
        if len(query) > QUESTION_MAX_LENGTH:
            context["error"] = _("Từ khoá dài quá %(limit)s ký tự.") % {
                "limit": QUESTION_MAX_LENGTH
            }
            return render(request, "assistant/search.html", context, status=422)
        if not ratelimit.allow(request, "search"):
            return _too_many(request, "assistant/search.html", context)
        hits = search(query, limit=20)
        context["corrected"] = parse_query(query, get_index()).corrected
        context["results"] = [
            {"hit": hit, "snippet": snippet(hit.entry.text, tokens(query))} for hit in hits
        ]
    return render(request, "assistant/search.html", context)


def _check_context() -> dict:
    return {
        "max_length": MESSAGE_MAX_LENGTH,
        "crumbs": _crumbs((_("Kiểm tra tin nhắn"), None)),
        "nav_current": "assistant",
    }


@_form_read_first("assistant/check.html", _check_context)
@require_http_methods(["GET", "POST"])
def check_message_page(request):
    """Paste a suspicious SMS or Zalo message: the warning signs it shows, and what to do."""
    context = _check_context()
    if request.method == "POST":
        text = request.POST.get("message", "")
        context["message"] = text[: MESSAGE_MAX_LENGTH * 2]
        if not ratelimit.allow(request, "check"):
            return _too_many(request, "assistant/check.html", context)
        try:
            context["result"] = check_message(text)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            context["message"] = text[:MESSAGE_MAX_LENGTH]
            return render(request, "assistant/check.html", context, status=422)
    return render(request, "assistant/check.html", context)


def faq(request):
    return render(
        request,
        "assistant/faq.html",
        {
            "faqs": selectors.published_faqs(),
            "crumbs": _crumbs((_("Câu hỏi thường gặp"), None)),
            "nav_current": "assistant",
        },
    )


def scams(request):
    return render(
        request,
        "assistant/scams.html",
        {
            "scams": selectors.current_scams(),
            "crumbs": _crumbs((_("Cảnh báo lừa đảo"), None)),
            "nav_current": "assistant",
        },
    )


@require_http_methods(["GET", "POST"])
def help_request_new(request):
    """A question for the community team of the person's village ("Tôi cần người hướng dẫn")."""
    data = request.POST if request.method == "POST" else request.GET
    question = data.get("question", "")[: QUESTION_MAX_LENGTH * 2]
    lesson = _lesson(data.get("lesson"))
    user = request.user if request.user.is_authenticated else None
    home = getattr(user, "home_area", None)
    commune_typed = data.get("xa", "")[:100]
    commune = selectors.commune_matching(commune_typed)
    if commune is None and home is not None and home.level == Area.Level.VILLAGE:
        commune = home.parent
    context = {
        "question": question,
        "lesson": lesson,
        "home_village": home if home and home.level == Area.Level.VILLAGE else None,
        "commune": commune,
        "commune_typed": commune_typed,
        "villages": selectors.villages_of(commune) if commune else [],
        "max_length": QUESTION_MAX_LENGTH,
        "crumbs": _crumbs(
            (_("Hỏi trợ lý"), reverse("assistant:ask")), (_("Cần người hướng dẫn"), None)
        ),
        "nav_current": "assistant",
    }
    if request.method == "POST" and request.POST.get("send"):
        if not ratelimit.allow(request, "help"):
            return _too_many(request, "assistant/help_request_new.html", context)
        village = Area.objects.filter(
            code=request.POST.get("village", ""), level=Area.Level.VILLAGE, is_active=True
        ).first()
        try:
            created = services.create_help_request(
                question=question,
                learner=user,
                village=village,
                contact_name=request.POST.get("contact_name", ""),
                contact_phone=request.POST.get("contact_phone", ""),
                consent=request.POST.get("consent") == "on",
                lesson=lesson,
            )
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            context["contact_name"] = request.POST.get("contact_name", "")[:100]
            return render(request, "assistant/help_request_new.html", context, status=422)
        return render(
            request,
            "assistant/help_request_sent.html",
            {"help_request": created, "crumbs": context["crumbs"], "nav_current": "assistant"},
        )
    return render(request, "assistant/help_request_new.html", context)


def _lesson(value: str | None) -> Lesson | None:
    if not value or not str(value).isdigit():
        return None
    return Lesson.objects.filter(pk=value, course__status="published").first()


@login_required
def help_requests(request, code: str):
    """The help requests of a village (or of the villages under an area), for its team."""
    area = get_object_or_404(Area, code=code)
    authorize(request.user, Perm.RECORD_FIELD_WORK, area)
    requests = list(selectors.help_requests_under(area)[:200])
    record_access(
        request=request,
        action=PersonalDataAccess.Action.VIEW,
        what="assistant:help_requests",
        area=area,
        count=len(requests),
    )
    return render(
        request,
        "assistant/help_requests.html",
        {
            "area": area,
            "open_requests": [r for r in requests if r.status == HelpRequest.Status.OPEN],
            "closed_requests": [r for r in requests if r.status == HelpRequest.Status.CLOSED][:20],
            "crumbs": _crumbs((_("Yêu cầu hỗ trợ"), None)),
            "nav_current": "help_requests",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def help_request_detail(request, pk: int):
    """One request: who asked what, how to reach them; the team closes it after the visit."""
    help_request = selectors.help_request_for(request.user, pk)
    if request.method == "GET":
        # The page shows who asked and, for a person without an account, their phone number.
        record_access(
            request=request,
            action=PersonalDataAccess.Action.VIEW,
            what="assistant:help_request_detail",
            area=help_request.village,
        )
    visits = selectors.visits_for(help_request)
    form = CloseHelpRequestForm(request.POST or None, visits=visits)
    if request.method == "POST" and form.is_valid():
        try:
            services.close_help_request(
                help_request=help_request,
                closed_by=request.user,
                note=form.cleaned_data["note"],
                visit=form.cleaned_data["visit"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã đóng yêu cầu hỗ trợ."))
            return redirect("assistant:help_requests", help_request.village.code)
    return render(
        request,
        "assistant/help_request_detail.html",
        {
            "help_request": help_request,
            "form": form,
            "crumbs": _crumbs(
                (
                    _("Yêu cầu hỗ trợ"),
                    reverse("assistant:help_requests", args=[help_request.village.code]),
                ),
                (_("Chi tiết"), None),
            ),
            "nav_current": "help_requests",
        },
    )


@login_required
def staff(request):
    """The editors' page: the FAQ and the scam-pattern feed."""
    services.ensure_editor(request.user)
    return render(
        request,
        "assistant/staff.html",
        {
            "faqs": Faq.objects.order_by("position", "id"),
            "scams": ScamPattern.objects.order_by("position", "id"),
            "crumbs": _crumbs((_("Biên tập trợ giúp"), None)),
            "nav_current": "assistant_staff",
        },
    )


def _edit(request, *, form_class, instance, save, heading: str):
    services.ensure_editor(request.user)
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            save(form.save(commit=False), request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Đã lưu."))
            return redirect("assistant:staff")
    return render(
        request,
        "assistant/staff_form.html",
        {
            "form": form,
            "heading": heading,
            "crumbs": _crumbs(
                (_("Biên tập trợ giúp"), reverse("assistant:staff")), (heading, None)
            ),
            "nav_current": "assistant_staff",
        },
    )


def _save_faq(faq, user):
    return services.save_faq(faq=faq, edited_by=user)


def _save_scam(pattern, user):
    return services.save_scam_pattern(pattern=pattern, edited_by=user)


@login_required
@require_http_methods(["GET", "POST"])
def faq_create(request):
    return _edit(
        request, form_class=FaqForm, instance=None, save=_save_faq, heading=_("Thêm câu hỏi")
    )


@login_required
@require_http_methods(["GET", "POST"])
def faq_edit(request, pk: int):
    services.ensure_editor(request.user)
    return _edit(
        request,
        form_class=FaqForm,
        instance=get_object_or_404(Faq, pk=pk),
        save=_save_faq,
        heading=_("Sửa câu hỏi"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def scam_create(request):
    return _edit(
        request,
        form_class=ScamPatternForm,
        instance=None,
        save=_save_scam,
        heading=_("Thêm cảnh báo lừa đảo"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def scam_edit(request, pk: int):
    services.ensure_editor(request.user)
    return _edit(
        request,
        form_class=ScamPatternForm,
        instance=get_object_or_404(ScamPattern, pk=pk),
        save=_save_scam,
        heading=_("Sửa cảnh báo lừa đảo"),
    )
