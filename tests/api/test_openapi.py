from html.parser import HTMLParser

from django.conf import settings
from django.contrib.staticfiles import finders


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])


def test_openapi_document_is_openapi_3_with_health_and_areas(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"]
    assert "get" in document["paths"]["/api/v1/health"]
    assert "get" in document["paths"]["/api/v1/areas/{code}"]


def test_api_docs_load_their_assets_from_our_static_files_not_a_cdn(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    parser = _Assets()
    parser.feed(html)
    assert parser.urls, "the docs page loads the Swagger UI assets"
    static_prefix = "/" + settings.STATIC_URL.lstrip("/")
    for url in parser.urls:
        assert not url.startswith(("http:", "https:", "//")), url
        assert url.startswith(static_prefix), url
        assert finders.find(url.removeprefix(static_prefix)), url


FIELD_WORK_PREFIXES = ("/api/v1/field/", "/api/v1/people/")


def _field_work_operations(document):
    return [
        (method, path, operation)
        for path, operations in document["paths"].items()
        if path.startswith(FIELD_WORK_PREFIXES)
        for method, operation in operations.items()
    ]


def test_every_field_and_people_operation_declares_bearer_security(client, db):
    document = client.get("/api/v1/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    operations = _field_work_operations(document)
    assert len(operations) >= 29
    for method, path, operation in operations:
        assert operation.get("security"), f"{method} {path}"
        for requirement in operation["security"]:
            for name in requirement:
                assert schemes[name] == {"type": "http", "scheme": "bearer"}, name


def test_every_field_and_people_operation_documents_its_answers(client, db):
    document = client.get("/api/v1/openapi.json").json()
    for method, path, operation in _field_work_operations(document):
        assert " / " in operation["summary"], f"{method} {path}: Vietnamese / English summary"
        assert operation["description"], f"{method} {path}"
        assert "401" in operation["responses"], f"{method} {path}"
        ok = [code for code in operation["responses"] if code.startswith("2")]
        assert ok, f"{method} {path}"
        for code in ok:
            if code != "204":
                assert operation["responses"][code]["content"]["application/json"]["schema"], (
                    f"{method} {path} {code}"
                )
