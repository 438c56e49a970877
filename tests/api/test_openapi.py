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
