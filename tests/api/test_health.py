from django.db import connection

import hocvuso


def test_health_reports_ok_the_database_engine_and_the_version(client, db):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": connection.vendor,
        "version": hocvuso.__version__,
    }
    assert connection.vendor in {"sqlite", "postgresql"}
