"""The content-security policy in a real browser: the pages work under it and it refuses nothing of
the site's own (a refusal would be a broken button or an unstyled page)."""

import pytest

from hocvuso.learning.models import Lesson
from tests.e2e.conftest import PHONE
from tests.e2e.test_e2e_offline import field_world, sign_in  # noqa: F401 (field_world is a fixture)
from tests.learning.factories import make_publisher, sample_course

pytestmark = pytest.mark.e2e

# Recorded in the page before any of its own scripts run; the browser reports every refusal here.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def strict_page(browser, live_server):
    """A tab that keeps the site's content-security policy (the shared `page` bypasses it)."""
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_the_site_runs_under_its_content_security_policy(strict_page, field_world):  # noqa: F811
    page = strict_page
    village, household, _people = field_world
    course = sample_course(make_publisher())
    guide = course.lessons.get(kind=Lesson.Kind.GUIDE)
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on("console", lambda message: console.append(message.text))
    sign_in(page)
    refused = {}
    for url in [
        "/",
        "/hoc/",
        f"/hoc/khoa-hoc/{course.slug}/",
        f"/hoc/khoa-hoc/{course.slug}/bai/{guide.pk}/",
        f"/co-so/thon/{village.code}/tham-ho/?ho={household.pk}",
        "/co-so/ung-dung/",
        "/api/v1/docs",
    ]:
        response = page.goto(url)
        assert response.status == 200, url
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        if violations := page.evaluate("window.__cspViolations"):
            refused[url] = violations
    assert refused == {}
    assert [text for text in console if "Content Security Policy" in text] == []
    # The policy really is enforced: an inline script injected now is refused.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.body.append(s); }"
    )
    assert page.evaluate("window.ran") is None
    assert page.evaluate("window.__cspViolations.length") == 1
