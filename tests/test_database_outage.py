"""A PostgreSQL outage (a restart, a failover) seen from the requests: a request that cannot do
anything twice is handled again once the database is back; any other gets a 503, never a 500."""

import socket
import threading
import time
from contextlib import contextmanager

import psycopg
import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client

from hocvuso.config.middleware import is_connection_failure
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


def _terminate_own_backend() -> None:
    """Cut this process's connection from the server's side, as a restart of PostgreSQL does."""
    pid = connection.connection.info.backend_pid
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_down(*, for_seconds: float | None = None):
    """Nothing listens where the database was; back after `for_seconds` (None: at the end)."""
    saved = connection.settings_dict["PORT"]

    def back() -> None:
        connection.settings_dict["PORT"] = saved

    connection.close()
    connection.settings_dict["PORT"] = _closed_port()
    timer = threading.Timer(for_seconds, back) if for_seconds is not None else None
    if timer:
        timer.start()
    try:
        yield
    finally:
        if timer:
            timer.cancel()
        back()
        connection.close()


@pytest.fixture
def client():
    # The test client would raise the first attempt's error even when the retry succeeded.
    return Client(raise_request_exception=False)


@pytest.fixture
def officer(make_user, dong_cuong):
    from hocvuso.accounts.models import Role

    return make_user(Role.COMMUNE_OFFICER, dong_cuong, username="canbo.dongcuong")


def test_a_page_read_on_a_connection_the_server_cut_is_answered_after_a_retry(
    client, officer, caplog
):
    client.force_login(officer)
    connection.ensure_connection()
    _terminate_own_backend()

    response = client.get("/theo-doi/04399/")

    assert response.status_code == 200
    assert "answered 200 after 1 retries" in caplog.text
    # One line for the request, no traceback of the attempt that failed.
    assert "Internal Server Error" not in caplog.text


def test_a_form_sent_while_the_database_restarts_is_handled_once_it_is_back(
    client, officer, caplog
):
    with database_down(for_seconds=0.6):
        started = time.monotonic()
        response = client.post(
            "/tai-khoan/dang-nhap/", {"username": officer.username, "password": PASSWORD}
        )
        waited = time.monotonic() - started

    # The connection failed before any statement was sent: nothing can have been stored.
    assert response.status_code == 302, response.content[:300]
    assert waited >= 0.6
    assert "answered 302 after" in caplog.text
    assert Session.objects.count() == 1


def test_a_form_that_wrote_before_the_connection_was_cut_is_not_handled_again(
    client, officer, caplog
):
    writes = []

    def cut_after_first_write(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(sql)
            if len(writes) == 1:
                _terminate_own_backend()
        return result

    connection.ensure_connection()
    with connection.execute_wrapper(cut_after_first_write):
        response = client.post(
            "/tai-khoan/dang-nhap/", {"username": officer.username, "password": PASSWORD}
        )

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "không kết nối được cơ sở dữ liệu" in page
    assert "có thể đã được lưu" in page and "Traceback" not in page
    # The login's first write went through; the request was not run a second time.
    assert len(writes) == 1
    assert "not retried: it may have written" in caplog.text


def test_a_database_out_of_reach_is_answered_503_with_retry_after(client, settings, dong_cuong):
    settings.DATABASE_RETRY_SECONDS = 1
    with database_down():
        started = time.monotonic()
        page = client.get("/theo-doi/cong-khai/04399/")
        waited = time.monotonic() - started
        api = client.get("/api/v1/areas/04399")
        started_health = time.monotonic()
        health = client.get("/api/v1/health")
        health_seconds = time.monotonic() - started_health

    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert 0.5 < waited < 3
    assert "không kết nối được cơ sở dữ liệu" in page.content.decode()
    assert "có thể đã được lưu" not in page.content.decode()
    assert api.status_code == 503
    assert "không kết nối được cơ sở dữ liệu" in api.json()["detail"]
    # A health check tells the truth at once rather than waiting the outage out.
    assert health.status_code == 503 and health_seconds < 0.5
    assert client.get("/api/v1/health").status_code == 200


def test_errors_on_a_working_connection_are_not_outages():
    with pytest.raises(OperationalError) as deadlock, connection.cursor() as cursor:
        cursor.execute("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '40P01'; END $$")
    assert not is_connection_failure(deadlock.value)
