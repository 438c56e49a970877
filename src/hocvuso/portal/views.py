"""Public pages: the home page with a signed-in user's own work, and each commune's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hocvuso.accounts.authz import Perm, authorize, can
from hocvuso.accounts.context_processors import navigation
from hocvuso.assistant.selectors import current_scams
from hocvuso.learning.rendering import render_markdown
from hocvuso.portal import selectors, services
from hocvuso.portal.forms import ArticleForm
from hocvuso.portal.models import NEWS_COLUMN, NewsArticle

# What each navigation entry lets its holder do, shown under "Việc của bạn".
TASK_DESCRIPTIONS = {
    "area": _("Xem các đơn vị hành chính và thôn, tổ dân phố trong phạm vi bạn phụ trách."),
    "villages": _(
        "Thêm, đổi tên, gộp, chuyển thôn, tổ dân phố và nhập danh sách từ tệp Excel hoặc CSV."
    ),
    "register_assisted": _(
        "Tạo tài khoản người học cho người dân chưa có điện thoại hoặc chưa tự đăng ký được."
    ),
    "admin": _("Quản lý người dùng, vai trò và danh mục của toàn hệ thống."),
    "profile": _("Xem thông tin tài khoản và đổi mật khẩu."),
    "learning": _("Chọn khoá học ngắn về VNeID, dịch vụ công, thanh toán số, phòng lừa đảo…"),
    "my_courses": _("Học tiếp từ chỗ đã dừng, xem tiến độ từng khoá học."),
    "assistant": _("Hỏi cách làm, tìm bài học, kiểm tra tin nhắn nghi lừa đảo."),
    "verify": _("Kiểm tra một giấy chứng nhận kỹ năng số bằng mã hoặc mã QR."),
    "skills": _("Làm bài đánh giá kỹ năng số, xem kết quả và giấy chứng nhận của bạn."),
    "people": _("Sổ hộ của thôn: hộ gia đình, người dân, mốc kỹ năng số, sự đồng ý."),
    "people_import": _("Nhập danh sách người dân từ tệp Excel hoặc CSV."),
    "field_team": _("Tổ công nghệ số cộng đồng: thành viên, chỉ tiêu, ghi nhận hỗ trợ từng hộ."),
    "field_desk": _("Ghi nhận việc hướng dẫn người dân tại bộ phận một cửa của xã."),
    "monitoring": _("Chỉ số, chỉ tiêu, tiến độ và xếp hạng của địa bàn; báo cáo định kỳ."),
    "mentees": _("Những người bạn kèm cặp theo mô hình “1 kèm 5”."),
    "access_log": _("Ai đã xem, xuất hay sửa dữ liệu cá nhân của người dân trên địa bàn."),
    "my_data": _("Xem và tải về dữ liệu cá nhân của bạn; rút lại sự đồng ý."),
    "editor": _("Soạn, xem trước và xuất bản khoá học."),
    "skills_coverage": _("Gắn bài học, câu hỏi với khung năng lực số; xem năng lực còn thiếu bài."),
    "certificates_admin": _("Tra cứu và thu hồi giấy chứng nhận."),
    "help_requests": _(
        "Người dân cần người hướng dẫn: xem, nhận việc và đóng yêu cầu sau khi đến hỗ trợ."
    ),
    "assistant_staff": _("Quản lý câu hỏi thường gặp và cảnh báo lừa đảo."),
}


def home(request):
    tasks = []
    if request.user.is_authenticated:
        tasks = [
            {**item, "description": TASK_DESCRIPTIONS.get(item["name"], "")}
            for item in navigation(request)["nav_items"]
            if item["name"] != "home"
        ]
    return render(request, "portal/home.html", {"tasks": tasks, "scams": current_scams(limit=3)})


def commune(request, code: str):
    """A commune's public page: news column, coming classes and events, team contacts, progress."""
    area = selectors.commune_by_code(code)
    registered, figures = selectors.commune_progress(area)
    can_publish = can(request.user, Perm.PUBLISH_NEWS, area)
    return render(
        request,
        "portal/commune.html",
        {
            "commune": area,
            "news_column": NEWS_COLUMN,
            "articles": selectors.published_articles(area)[:10],
            "drafts": selectors.draft_articles(area) if can_publish else [],
            "can_publish": can_publish,
            "classes": selectors.coming_classes(area)[:20],
            "events": selectors.coming_events(area)[:20],
            "teams": selectors.team_contacts(area),
            "registered": registered,
            "figures": figures,
            "small_count": selectors.SMALL_COUNT,
        },
    )


def _article_of(request, code: str, pk: int) -> NewsArticle:
    area = selectors.commune_by_code(code)
    article = get_object_or_404(NewsArticle.objects.select_related("author"), pk=pk, commune=area)
    # A draft is as good as absent for anyone who may not publish in this commune.
    if not article.is_published and not can(request.user, Perm.PUBLISH_NEWS, area):
        raise Http404
    return article


def article(request, code: str, pk: int):
    item = _article_of(request, code, pk)
    return render(
        request,
        "portal/article.html",
        {
            "article": item,
            "commune": item.commune,
            "news_column": NEWS_COLUMN,
            "body": render_markdown(item.body),
            "can_publish": can(request.user, Perm.PUBLISH_NEWS, item.commune),
            "crumbs": [
                {"label": item.commune.name, "url": reverse("portal:commune", args=[code])},
                {"label": NEWS_COLUMN},
            ],
        },
    )


@login_required
def article_create(request, code: str):
    area = selectors.commune_by_code(code)
    authorize(request.user, Perm.PUBLISH_NEWS, area)
    form = ArticleForm(request.POST or None, initial={"publish": True})
    if request.method == "POST" and form.is_valid():
        item = services.create_article(
            commune=area,
            author=request.user,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            publish=form.cleaned_data["publish"],
        )
        messages.success(request, _saved_message(item))
        return redirect("portal:article", code=area.code, pk=item.pk)
    return render(
        request,
        "portal/article_form.html",
        {"form": form, "commune": area, "news_column": NEWS_COLUMN, "article": None},
    )


@login_required
def article_edit(request, code: str, pk: int):
    area = selectors.commune_by_code(code)
    authorize(request.user, Perm.PUBLISH_NEWS, area)
    item = get_object_or_404(NewsArticle, pk=pk, commune=area)
    form = ArticleForm(request.POST or None, instance=item, initial={"publish": item.is_published})
    if request.method == "POST" and form.is_valid():
        item = services.update_article(
            article=item,
            editor=request.user,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            publish=form.cleaned_data["publish"],
        )
        messages.success(request, _saved_message(item))
        return redirect("portal:article", code=area.code, pk=item.pk)
    return render(
        request,
        "portal/article_form.html",
        {"form": form, "commune": area, "news_column": NEWS_COLUMN, "article": item},
    )


def _saved_message(item: NewsArticle) -> str:
    if item.is_published:
        return gettext("Đã đăng bài “%(title)s” lên trang của xã.") % {"title": item.title}
    return gettext("Đã lưu bản nháp “%(title)s”.") % {"title": item.title}
