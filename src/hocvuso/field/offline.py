"""What makes the field pages work without signal: the service worker, the app manifest, the offline page.

The worker is served from /co-so/ rather than /static/, because a service worker only controls the
pages under the path it is served from.
"""

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hocvuso import __version__
from hocvuso.accounts.authz import Perm, scope_q
from hocvuso.places.models import Area

# The app page links to this many villages at most (a province officer is in scope of thousands).
VILLAGE_LINKS = 60

# Kept on the phone at install, so that a field page opens offline with its styles and scripts.
PRECACHE = [
    "hocvuso/site.css",
    "hocvuso/display-init.js",
    "hocvuso/display.js",
    "hocvuso/vendor/htmx.min.js",
    "hocvuso/icon.svg",
    "hocvuso/field/field.css",
    "hocvuso/field/queue.js",
    "hocvuso/field/icon-192.png",
    "hocvuso/field/icon-512.png",
]


@lru_cache(maxsize=1)
def _worker_source() -> str:
    return Path(finders.find("hocvuso/field/sw.js")).read_text(encoding="utf-8")


@require_GET
def service_worker(request):
    source = _worker_source()
    precache = [static(name) for name in PRECACHE]
    offline_page = reverse("field:app")
    # A new version of the worker or of any kept file's URL makes a new cache and drops the old.
    version = hashlib.sha256(
        "\n".join([__version__, source, offline_page, *precache]).encode()
    ).hexdigest()[:12]
    preamble = (
        f"self.HOCVUSO_VERSION = {json.dumps(version)};\n"
        f"self.HOCVUSO_PRECACHE = {json.dumps(precache)};\n"
        f"self.HOCVUSO_OFFLINE_PAGE = {json.dumps(offline_page)};\n"
    )
    response = HttpResponse(preamble + source, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = _scope()
    return response


def _scope() -> str:
    """The path the worker controls: the folder it is served from, /co-so/."""
    return reverse("field:service_worker").rsplit("/", 1)[0] + "/"


@require_GET
def manifest(request):
    scope = _scope()
    data = {
        "name": _("Bình dân học vụ số — Công tác cơ sở"),
        "short_name": _("Tổ CNSCĐ"),
        "description": _("Ghi nhận thăm hộ, mốc kỹ năng số và lớp học, cả khi không có sóng."),
        "lang": "vi",
        "start_url": reverse("field:app"),
        "scope": scope,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0a3d6b",
        "icons": [
            {"src": static("hocvuso/field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("hocvuso/field/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("hocvuso/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def app(request):
    """The field app's start page: what waits on this phone, and the member's visit pages.

    The service worker also shows it for a field page never opened with signal on this phone.
    """
    villages = Area.objects.none()
    if request.user.is_authenticated:
        villages = (
            Area.objects.filter(
                scope_q(request.user, Perm.RECORD_FIELD_WORK),
                level=Area.Level.VILLAGE,
                is_active=True,
            )
            .select_related("parent")
            .order_by("parent__name", "name")[:VILLAGE_LINKS]
        )
    return render(request, "field/offline/app.html", {"villages": villages})
