"""Hostile input, part one: security headers and the content-security policy, CSRF on every form
and every page that takes a POST, and the login throttle on the production cache."""

import logging
import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.resolvers import RoutePattern

from hocvuso.accounts.models import Role
from hocvuso.config.middleware import CONTENT_SECURITY_POLICY
from tests import test_authorization_matrix as matrix
from tests.test_authorization_matrix import ANONYMOUS, DECISIONS, _args

# The authorisation matrix's users (one per role) and records, inside and outside their areas.
world = matrix.world

TEMPLATES = Path(settings.PACKAGE_DIR) / "templates"


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/hoc/",
        "/tai-khoan/dang-nhap/",
        "/api/v1/health",
        "/api/v1/openapi.json",
        "/api/v1/docs",
        "/quan-tri/login/",
        "/trang-khong-co/",
        "/static/hocvuso/site.css",
    ],
)
def test_every_kind_of_response_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code in {200, 404}, url
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    if not url.startswith("/static/"):
        assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_hsts_is_sent_over_https_when_secure_cookies_are_on(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    with override_settings(
        SECURE_HSTS_SECONDS=31_536_000,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    ):
        response = Client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_the_settings_turn_hsts_on_with_secure_cookies(monkeypatch):
    """base.py decides HSTS from SECURE_COOKIES; read it as a fresh module with the variable on."""
    import importlib.util

    monkeypatch.setenv("SECURE_COOKIES", "1")
    spec = importlib.util.spec_from_file_location(
        "hocvuso_base_secure", Path(settings.PACKAGE_DIR) / "config" / "settings" / "base.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.SESSION_COOKIE_SECURE and module.CSRF_COOKIE_SECURE
    assert module.SECURE_HSTS_SECONDS >= 31_536_000
    assert module.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


# What the policy refuses, so no template may contain it: inline scripts, inline event handlers,
# javascript: links, style attributes and <style> elements.
_INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>"
    r"|\son[a-z]+\s*=|javascript:|\sstyle\s*=|<style[\s>]",
    re.IGNORECASE,
)


def test_no_template_has_inline_script_or_style_that_the_policy_would_block():
    found = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(template.read_text().splitlines(), start=1):
            if _INLINE.search(line):
                found.append(f"{template.relative_to(TEMPLATES)}:{number}: {line.strip()}")
    assert found == [], "move these into static files:\n" + "\n".join(found)


def test_the_policy_allows_nothing_but_the_site_itself():
    policy = _directives(CONTENT_SECURITY_POLICY)
    for directive, sources in policy.items():
        for source in sources:
            assert source in {"'self'", "'none'", "data:", "blob:"}, (directive, source)
    assert "data:" not in policy["script-src"] and "blob:" not in policy["script-src"]


# --- CSRF ----------------------------------------------------------------------------------------


def _dummy(converter) -> object:
    if isinstance(converter, IntConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=1)
    return "x"


def _page_urls() -> dict[str, str]:
    """Every named page URL outside the JSON API, with made-up arguments: the CSRF check runs
    before the view, so the arguments need not name anything that exists."""
    urls: dict[str, str] = {}

    def walk(patterns, namespace: str, kwargs: dict) -> None:
        for pattern in patterns:
            if not isinstance(pattern.pattern, RoutePattern):
                continue  # the media files (regular expression, GET only)
            found = {k: _dummy(c) for k, c in pattern.pattern.converters.items()}
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(pattern.url_patterns, inner, {**kwargs, **found})
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = namespace + pattern.name
                if not name.startswith("api-v1:"):
                    urls[name] = reverse(name, kwargs={**kwargs, **found} or None)

    walk(get_resolver().url_patterns, "", {})
    return urls


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused_on_every_page_for_every_role(
    world, caplog, capsys
):
    """The JSON API is left out: it authenticates with a bearer token, not a cookie (its one
    cookie-authenticated operation is checked below)."""
    users, _targets = world
    urls = _page_urls()
    assert len(urls) > 100
    accepted = []
    requests = 0
    for who in [ANONYMOUS, *users]:
        client = Client(enforce_csrf_checks=True)
        if who != ANONYMOUS:
            client.force_login(users[who])
        for name, url in urls.items():
            if name.startswith("admin:") and who not in {ANONYMOUS, Role.NATIONAL_ADMIN}:
                continue  # Django admin lets in national admins only
            caplog.clear()
            with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
                response = client.post(url, {"name": "x", "title": "x"})
            requests += 1
            refused = response.status_code == 403 and any(
                r.name == "django.security.csrf" for r in caplog.records
            )
            if not refused:
                accepted.append(f"{who} {name} {url}: {response.status_code}")
    assert accepted == []
    with capsys.disabled():
        print(f"\nCSRF: {len(urls)} page URLs, {len(users) + 1} users, {requests} POSTs refused")


@pytest.mark.django_db
def test_the_session_authenticated_api_operation_wants_the_csrf_token(world):
    users, _targets = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(users[Role.TEAM_MEMBER])
    url = reverse("api-v1:obtain_device_token")
    response = client.post(url, {"name": "Điện thoại"}, content_type="application/json")
    assert response.status_code == 403
    client.get(reverse("field:app"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        url,
        {"name": "Điện thoại"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200


_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.IGNORECASE | re.DOTALL)


@pytest.mark.django_db
def test_every_post_form_of_every_page_carries_the_csrf_token(world, client, capsys):
    users, targets = world
    forms = pages = 0
    missing = []
    for name, decision in sorted(DECISIONS.items()):
        if name.startswith("api-v1:"):
            continue
        who = next(iter(sorted(decision.allowed)), ANONYMOUS) if decision.allowed else ANONYMOUS
        client.logout()
        if who != ANONYMOUS:
            client.force_login(users[who])
        url = reverse(name, args=_args(decision.target, targets["inside"]))
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        for form in _FORM.findall(response.content.decode()):
            opening = form[: form.index(">") + 1].lower()
            if 'method="post"' not in opening:
                continue
            forms += 1
            if "csrfmiddlewaretoken" not in form:
                missing.append(f"{name} {url}: {opening}")
    assert pages > 50 and forms > 30
    assert missing == []
    with capsys.disabled():
        print(f"\nCSRF: {forms} POST forms on {pages} pages, each with its token")


# --- Login throttle -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_lockout_holds_on_the_redis_cache_that_production_uses(make_user, dong_cuong):
    """The counters must live in the cache every app server shares; in production that is Redis."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    user = make_user(Role.TEAM_MEMBER, dong_cuong, phone="0987654321", password="Dung-2025!")
    redis_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    with override_settings(CACHES=redis_cache, LOGIN_FAILURE_LIMIT=3):
        # The failures of one client, counted in Redis, lock the account name for another.
        first, second = Client(), Client()
        for _ in range(3):
            first.post(reverse("accounts:login"), {"username": "0987654321", "password": "sai"})
        response = second.post(
            reverse("accounts:login"), {"username": user.phone, "password": "Dung-2025!"}
        )
        assert response.status_code == 200
        assert "Bạn đã nhập sai quá nhiều lần" in response.text
