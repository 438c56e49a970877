"""The public JSON API, version 1: each app contributes a router; OpenAPI at /api/v1/openapi.json."""

from django.db import connection
from ninja import NinjaAPI, Schema

from hocvuso import __version__
from hocvuso.accounts.api import router as auth_router
from hocvuso.field.api import router as field_router
from hocvuso.learning.api import router as learning_router
from hocvuso.places.api import router as places_router

api = NinjaAPI(
    title="hocvuso API",
    version="1",
    description="API công khai và API cho ứng dụng hiện trường của nền tảng Bình dân học vụ số.",
    urls_namespace="api-v1",
)


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
api.add_router("/auth", auth_router)
api.add_router("/field", field_router)
api.add_router("/courses", learning_router)
