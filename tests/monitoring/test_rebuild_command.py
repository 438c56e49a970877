"""The rebuild command: its report, and on PostgreSQL the counter tables vacuumed after it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from hocvuso.monitoring.models import AreaCounter


def test_the_command_rebuilds_one_commune_and_says_so(dong_cuong):
    out = StringIO()
    call_command("rebuild_counters", "--area", "04399", stdout=out)
    assert "Đã tính lại bộ đếm của Xã Đông Cuông (04399)" in out.getvalue()


def test_an_unknown_area_is_refused(administrative_units):
    with pytest.raises(CommandError, match="Không có địa bàn mã 99999"):
        call_command("rebuild_counters", "--area", "99999")


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_counter_tables_are_vacuumed_after_a_rebuild(administrative_units):
    call_command("rebuild_counters", stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = %s",
            [AreaCounter._meta.db_table],
        )
        (last_vacuum,) = cursor.fetchone()
    assert last_vacuum is not None
