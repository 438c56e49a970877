"""Public pages: the home page, which also lists a signed-in user's own work."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from hocvuso.accounts.context_processors import navigation

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
}


def home(request):
    tasks = []
    if request.user.is_authenticated:
        tasks = [
            {**item, "description": TASK_DESCRIPTIONS.get(item["name"], "")}
            for item in navigation(request)["nav_items"]
            if item["name"] != "home"
        ]
    return render(request, "portal/home.html", {"tasks": tasks})
