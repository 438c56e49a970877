"""The navigation each role sees: its own work first."""

from django.urls import reverse
from django.utils.translation import gettext as _

from hocvuso.accounts.authz import Perm, grants, has_role, scope_paths
from hocvuso.accounts.models import Role
from hocvuso.places.models import COUNTRY_CODE, Area


def _scope_root(user, perm: Perm, found: dict[str, Area | None]) -> Area | None:
    """The area at the top of the user's scope for `perm`; `found` remembers areas already read."""
    paths = scope_paths(user, perm)
    if not paths:
        return None
    # Most roles give several permissions over the same area: one query per area, not per item.
    if paths[0] not in found:
        found[paths[0]] = Area.objects.filter(path=paths[0]).first()
    return found[paths[0]]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    items = [
        {"label": _("Trang chủ"), "url": reverse("portal:home"), "name": "home"},
        {"label": _("Học kỹ năng số"), "url": reverse("learning:catalogue"), "name": "learning"},
        {"label": _("Trợ giúp"), "url": reverse("assistant:ask"), "name": "assistant"},
        {"label": _("Xác minh chứng nhận"), "url": reverse("skills:verify"), "name": "verify"},
    ]
    if user is None or not user.is_authenticated:
        return {"nav_items": items, "user_roles": []}
    items.append(
        {
            "label": _("Khoá học của tôi"),
            "url": reverse("learning:my_courses"),
            "name": "my_courses",
        }
    )
    items.append(
        {
            "label": _("Đánh giá kỹ năng số"),
            "url": reverse("skills:assessment_home"),
            "name": "skills",
        }
    )

    found: dict[str, Area | None] = {}
    area = _scope_root(user, Perm.VIEW_AREA, found)
    if area is not None:
        items.append(
            {
                "label": _("Địa bàn của tôi"),
                "url": reverse("places:area_detail", args=[area.code]),
                "name": "area",
            }
        )
    village_root = _scope_root(user, Perm.MANAGE_VILLAGES, found)
    if village_root is not None and village_root.level == Area.Level.COMMUNE:
        items.append(
            {
                "label": _("Thôn, tổ dân phố"),
                "url": reverse("places:villages", args=[village_root.code]),
                "name": "villages",
            }
        )
    if scope_paths(user, Perm.REGISTER_LEARNER):
        items.append(
            {
                "label": _("Đăng ký hộ người học"),
                "url": reverse("accounts:register_assisted"),
                "name": "register_assisted",
            }
        )
    people_root = _scope_root(user, Perm.EDIT_PEOPLE, found)
    if people_root is not None and people_root.level == Area.Level.VILLAGE:
        items.append(
            {
                "label": _("Sổ hộ"),
                "url": reverse("people:village", args=[people_root.code]),
                "name": "people",
            }
        )
    elif people_root is not None and people_root.level == Area.Level.COMMUNE:
        items.append(
            {
                "label": _("Nhập danh sách người dân"),
                "url": reverse("people:import", args=[people_root.code]),
                "name": "people_import",
            }
        )
    field_root = _scope_root(user, Perm.RECORD_FIELD_WORK, found)
    if field_root is not None and field_root.level == Area.Level.VILLAGE:
        items.append(
            {
                "label": _("Tổ công nghệ số"),
                "url": reverse("field:team", args=[field_root.code]),
                "name": "field_team",
            }
        )
    elif field_root is not None and field_root.level == Area.Level.COMMUNE:
        items.append(
            {
                "label": _("Hỗ trợ tại một cửa"),
                "url": reverse("field:desk_visit_new", args=[field_root.code]),
                "name": "field_desk",
            }
        )
    report_root = _scope_root(user, Perm.VIEW_REPORTS, found)
    if report_root is not None:
        items.append(
            {
                "label": _("Theo dõi, đánh giá"),
                "url": reverse("monitoring:dashboard", args=[report_root.code]),
                "name": "monitoring",
            }
        )
    if has_role(user, Role.AMBASSADOR):
        items.append(
            {"label": _("Người tôi kèm cặp"), "url": reverse("field:mentees"), "name": "mentees"}
        )
    data_root = _scope_root(user, Perm.MANAGE_PERSONAL_DATA, found)
    if data_root is not None:
        items.append(
            {
                "label": _("Nhật ký dữ liệu cá nhân"),
                "url": reverse("people:access_log", args=[data_root.code]),
                "name": "access_log",
            }
        )
    if has_role(user, Role.LEARNER):
        items.append(
            {"label": _("Dữ liệu của tôi"), "url": reverse("people:my_data"), "name": "my_data"}
        )
    if scope_paths(user, Perm.EDIT_CONTENT):
        items.append(
            {
                "label": _("Biên tập nội dung"),
                "url": reverse("learning:editor_home"),
                "name": "editor",
            }
        )
        items.append(
            {
                "label": _("Độ phủ khung năng lực"),
                "url": reverse("skills:coverage"),
                "name": "skills_coverage",
            }
        )
    if has_role(user, Role.NATIONAL_ADMIN) or user.is_superuser:
        items.append(
            {"label": _("Quản trị hệ thống"), "url": reverse("admin:index"), "name": "admin"}
        )
    if has_role(user, Role.NATIONAL_ADMIN):
        items.append(
            {
                "label": _("Thu hồi chứng nhận"),
                "url": reverse("skills:certificates_admin"),
                "name": "certificates_admin",
            }
        )
    help_root = _scope_root(user, Perm.RECORD_FIELD_WORK, found)
    if help_root is not None and help_root.level in (Area.Level.VILLAGE, Area.Level.COMMUNE):
        items.append(
            {
                "label": _("Yêu cầu hỗ trợ"),
                "url": reverse("assistant:help_requests", args=[help_root.code]),
                "name": "help_requests",
            }
        )
    # The FAQ and the scam feed are national: their editors hold EDIT_CONTENT over the country.
    if f"{COUNTRY_CODE}/" in scope_paths(user, Perm.EDIT_CONTENT):
        items.append(
            {
                "label": _("Biên tập trợ giúp"),
                "url": reverse("assistant:staff"),
                "name": "assistant_staff",
            }
        )
    items.append({"label": _("Tài khoản"), "url": reverse("accounts:profile"), "name": "profile"})
    roles = sorted({role.label for role, _path in grants(user)})
    return {"nav_items": items, "user_roles": roles}
