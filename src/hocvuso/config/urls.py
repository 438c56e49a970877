"""Root URLs: the pages of each app, the JSON API under /api/v1/, and Django admin for national admins."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from hocvuso.config.api import api

admin.site.site_header = "hocvuso — Quản trị hệ thống"
admin.site.site_title = "hocvuso"
admin.site.index_title = "Quản trị"

urlpatterns = [
    path("", include("hocvuso.portal.urls")),
    path("tai-khoan/", include("hocvuso.accounts.urls")),
    path("dia-ban/", include("hocvuso.places.urls")),
    path("hoc/", include("hocvuso.learning.urls")),
    path("nguoi-dan/", include("hocvuso.people.urls")),
    path("co-so/", include("hocvuso.field.urls")),
    path("theo-doi/", include("hocvuso.monitoring.urls")),
    path("ky-nang-so/", include("hocvuso.skills.urls")),
    path("tro-giup/", include("hocvuso.assistant.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )

if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
