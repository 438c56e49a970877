"""Hostile input, part four: the JSON API fuzzed from its own OpenAPI schema with schemathesis.

Every operation gets generated requests, both valid by the schema and deliberately invalid, once
anonymously and once with a field user's bearer token and the ids of their own records in the path,
through the whole WSGI stack (middleware included). Whatever comes in, the answer is never a server error (5xx).
"""

import re
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from hocvuso.accounts.models import Role
from hocvuso.accounts.tokens import issue_token
from hocvuso.config.wsgi import application
from hocvuso.field.models import LearningSite
from hocvuso.field.services.classes import save_site, schedule_class
from hocvuso.people.services import register_household, register_resident
from tests.learning.factories import make_course, make_publisher

# Per operation, per generation mode, per caller: bounded so that the whole run stays well under
# two minutes on two cores.
EXAMPLES = 10


@contextmanager
def _one_transaction():
    """Requests through the WSGI handler would close the test's database connection after each
    response (and with it the transaction that keeps the test's rows apart); the test client
    disconnects the same signal for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _sender(operation, mode, headers, counts: Counter, errors: list[str], fixed: dict):
    """A hypothesis test that sends the operation's generated requests and notes each answer."""

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def send(case):
        response = case.call(headers=headers)
        counts["requests"] += 1
        counts[f"{response.status_code // 100}xx"] += 1
        if response.status_code >= 500:
            errors.append(
                f"{operation.label} [{mode.value}] → {response.status_code}: "
                f"{case.as_curl_command(headers=headers)}"
            )

    return send


def _fuzz(schema, headers: dict[str, str], known: dict) -> tuple[Counter, list[str]]:
    """Send each operation its generated requests; `known` fixes the path parameters it names
    (real records, so that the requests get past "not found")."""
    counts: Counter = Counter()
    errors: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        counts["operations"] += 1
        fixed = {
            name: known[name] for name in re.findall(r"{(\w+)}", operation.path) if name in known
        }
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _sender(operation, mode, headers, counts, errors, fixed)()
            except Unsatisfiable:
                # Nothing to get wrong: an operation without parameters or body has no invalid form.
                counts["without invalid requests"] += 1
    return counts, errors


@pytest.fixture
def field_user(dong_cuong, make_village, make_user):
    """A team member's token, and the records of their village: a household, a resident, a
    class at a learning site, and a published course."""
    village = make_village(dong_cuong, "Thôn Sài Lương")
    user = make_user(Role.TEAM_MEMBER, village)
    household = register_household(village=village, head_name="Triệu Văn Sơn", created_by=user)
    resident = register_resident(
        village=village, household=household, full_name="Triệu Văn Sơn", created_by=user
    )
    site = save_site(area=village, kind=LearningSite.Kind.CULTURAL_HOUSE, name="Nhà văn hoá")
    start = timezone.now() + timedelta(days=1)
    field_class = schedule_class(
        site=site,
        title="VNeID",
        topic="vneid",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        created_by=user,
    )
    course = make_course(publisher=make_publisher(dong_cuong))
    _token, secret = issue_token(user=user, name="schemathesis")
    known = {
        "code": village.code,
        "village_code": village.code,
        "resident_id": resident.pk,
        "household_id": household.pk,
        "class_id": field_class.pk,
        "id": course.pk,
    }
    return secret, known


@pytest.mark.django_db
def test_the_api_gives_no_server_error_whatever_it_is_sent(field_user, capsys):
    token, known = field_user
    bearer = {"Authorization": f"Bearer {token}"}
    with _one_transaction():
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
        callers = {"anonymous": ({}, {}), "field user, on their own records": (bearer, known)}
        summary, failures = [], []
        for caller, (headers, fixed) in callers.items():
            counts, errors = _fuzz(schema, headers, fixed)
            failures += errors
            statuses = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if "xx" in k)
            summary.append(
                f"{caller}: {counts['operations']} operations, {counts['requests']} requests "
                f"({statuses}), {len(errors)} server errors"
            )
    with capsys.disabled():
        print("\nschemathesis " + schemathesis.__version__ + ": " + "; ".join(summary))
    assert failures == []
