"""The task queue: in-process without Redis, and with Redis a real worker process that takes a task
enqueued here and writes to the same database."""

import datetime
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from hocvuso.accounts.models import Role
from hocvuso.monitoring.models import Report
from hocvuso.monitoring.services.reports import request_report
from hocvuso.monitoring.tasks import requeue_stale_reports
from hocvuso.portal.tasks import clear_expired_sessions

HOCVUSO = Path(sys.executable).with_name("hocvuso")


def _session(key: str, expires_in: timedelta) -> None:
    Session.objects.create(
        session_key=key, session_data="e30:", expire_date=timezone.now() + expires_in
    )


def _database_url() -> str:
    """The test database, as a URL another process can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    port = db["PORT"] or 5432
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{port}/{db['NAME']}"


@pytest.mark.django_db
def test_without_redis_settings_a_task_runs_at_once_in_process():
    """The embedded profile: no broker, no worker, the task's work is done when the call returns."""
    assert HUEY.immediate
    _session("expired-in-process", timedelta(days=-1))
    _session("current-in-process", timedelta(days=1))

    clear_expired_sessions()

    keys = set(Session.objects.values_list("session_key", flat=True))
    assert "expired-in-process" not in keys
    assert "current-in-process" in keys


@pytest.fixture
def redis_queue():
    """The queue of this test process switched from in-process to Redis, under a name no other run
    shares; emptied and switched back afterwards."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no Redis to run a real worker against")
    name = f"hocvuso-test-{uuid.uuid4().hex[:12]}"
    saved_name = HUEY.name
    HUEY.name = name
    HUEY.immediate = False
    try:
        yield name
    finally:
        HUEY.storage.flush_all()
        HUEY.immediate = True
        HUEY.name = saved_name


@contextmanager
def worker(queue: str, **env: str):
    """`hocvuso run_huey` in its own process, on the test database and the given queue."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hocvuso.config.settings.test",
        "DATABASE_URL": _database_url(),
        "HUEY_IMMEDIATE": "0",
        "HUEY_QUEUE": queue,
        **env,
    }
    proc = subprocess.Popen(
        [str(HOCVUSO), "run_huey", "--workers", "1", "--no-periodic"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            output, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
        print(output)


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_here_runs_in_the_worker_and_its_write_is_visible(redis_queue):
    _session("expired-queued", timedelta(days=-1))
    _session("current-queued", timedelta(days=1))

    clear_expired_sessions()

    # No worker yet: the task waits in Redis and nothing has been deleted.
    assert HUEY.pending_count() == 1
    assert Session.objects.filter(session_key="expired-queued").exists()
    with worker(redis_queue) as proc:
        deadline = time.monotonic() + 60
        while Session.objects.filter(session_key="expired-queued").exists():
            assert proc.poll() is None, "the worker stopped"
            assert time.monotonic() < deadline, "the worker did not run the task within 60 s"
            time.sleep(0.2)
    assert Session.objects.filter(session_key="current-queued").exists()
    assert HUEY.pending_count() == 0


def _wait(report: Report, proc, *statuses: str, within: float = 90) -> Report:
    deadline = time.monotonic() + within
    while True:
        report.refresh_from_db()
        if report.status in statuses:
            return report
        assert proc.poll() is None, "the worker stopped"
        assert time.monotonic() < deadline, f"still {report.status!r} after {within:.0f} s"
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_a_report_whose_worker_is_killed_is_queued_again_and_made(
    redis_queue, dong_cuong, make_user
):
    officer = make_user(Role.COMMUNE_OFFICER, dong_cuong)
    report = request_report(
        area=dong_cuong,
        kind=Report.Kind.YEAR,
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
        requested_by=officer,
    )
    with worker(redis_queue) as proc:
        _wait(report, proc, Report.Status.RUNNING, Report.Status.READY)
        proc.kill()  # SIGKILL: no chance to tidy up
        proc.wait()
    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING, "the report was made before the kill"
    assert not report.xlsx and not report.pdf
    # Huey had taken the task off the queue: nothing would ever run it again.
    assert HUEY.pending_count() == 0

    # The periodic check, run by the next worker, sees no sign of life for over a second.
    time.sleep(1.2)
    requeue_stale_reports()
    with worker(redis_queue, REPORT_STALE_SECONDS="1") as proc:
        done = _wait(report, proc, Report.Status.READY, Report.Status.FAILED)
    try:
        assert done.status == Report.Status.READY, done.error
        assert done.attempts == 2
        assert Path(done.xlsx.path).stat().st_size > 0
        assert Path(done.pdf.path).read_bytes().startswith(b"%PDF")
    finally:
        for file in (done.xlsx, done.pdf):
            if file:
                file.storage.delete(file.name)
