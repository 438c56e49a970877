"""The public JSON API, version 1: each app contributes a router; OpenAPI at /api/v1/openapi.json."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils.translation import gettext
from ninja import NinjaAPI, Schema

from hocvuso import __version__
from hocvuso.accounts.api import router as auth_router
from hocvuso.assistant.api import router as assistant_router
from hocvuso.assistant.api import search_router
from hocvuso.field.api import router as field_router
from hocvuso.learning.api import router as learning_router
from hocvuso.monitoring.api import router as monitoring_router
from hocvuso.people.api import router as people_router
from hocvuso.people.services import PeopleError
from hocvuso.places.api import router as places_router
from hocvuso.skills.api import router as skills_router

api = NinjaAPI(
    title="hocvuso API",
    version="1",
    description=(
        "API công khai và API cho ứng dụng hiện trường của nền tảng Bình dân học vụ số. "
        "Các thao tác /field và /people cần mã truy cập (POST /api/v1/auth/token, rồi gửi "
        "`Authorization: Bearer hvs_…`) và chỉ thấy dữ liệu trong địa bàn của người dùng.\n\n"
        "The public API and the field app's API. /field and /people operations need a bearer "
        "token (POST /api/v1/auth/token) and see only the data of the user's area."
    ),
    urls_namespace="api-v1",
)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    """A service or authorize() refused: 403 with a reason the user can read."""
    detail = str(exc) or gettext("Bạn không có quyền thực hiện thao tác này ở địa bàn này.")
    return api.create_response(request, {"detail": detail}, status=403)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    """A service rejected the input (django ValidationError): 422 with its Vietnamese messages."""
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=422)


@api.exception_handler(PeopleError)
def people_error(request, exc):
    """The registry rejected the change (bad ID number, duplicate, withdrawn twice…): 422."""
    return api.create_response(request, {"detail": str(exc)}, status=422)


class HealthOut(Schema):
    status: str
    database: str
    version: str


@api.get("/health", response=HealthOut, tags=["system"])
def health(request):
    """Liveness and the database engine in use."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor, "version": __version__}


api.add_router("/areas", places_router)
api.add_router("/areas", monitoring_router)
api.add_router("/auth", auth_router)
api.add_router("/field", field_router)
api.add_router("/people", people_router)
api.add_router("/courses", learning_router)
api.add_router("/certificates", skills_router)
api.add_router("/search", search_router)
api.add_router("/assistant", assistant_router)
