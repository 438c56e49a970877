"""What the benchmarks share: the machine they ran on, a PostgreSQL database made for one run, and
one HTTP request on loopback."""

import http.client
import os
import platform
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


@contextmanager
def postgres_database(url: str, *, recreate: bool):
    """Create the database named in `url` for the run and drop it afterwards."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    conf = dj_database_url.parse(url)
    name = conf["NAME"]
    admin = {
        "dbname": "postgres",
        "user": conf.get("USER") or None,
        "password": conf.get("PASSWORD") or None,
        "host": conf.get("HOST") or None,
        "port": conf.get("PORT") or None,
    }
    admin = {key: value for key, value in admin.items() if value}
    with psycopg.connect(**admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not recreate:
            sys.exit(f"Database {name!r} already exists; pass --recreate to drop and rebuild it.")
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(**admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def print_machine() -> None:
    """The machine, the software and the database engine, as the header of a benchmark's output."""
    import django
    from django.db import connection

    print(f"  machine : {os.cpu_count()} CPU, {cpu_model()}")
    print(f"  system  : {platform.platform()}")
    print(f"  python  : {platform.python_version()}")
    print(f"  django  : {django.get_version()}")
    print(f"  database: {database_version()} ({connection.vendor})")
    # Other work on the machine skews every figure; the load says how much there was.
    print("  load    : {:.2f} {:.2f} {:.2f} (1, 5, 15 min averages)".format(*os.getloadavg()))


def http_request(
    port: int,
    method: str,
    path: str,
    headers: dict | None = None,
    body: str | bytes | None = None,
    timeout: float = 60,
):
    """One request to 127.0.0.1:`port` on a connection of its own: (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def ensure_wrk() -> None:
    """wrk, the load client: installed from Debian when missing (as root), else a clear exit."""
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        sys.exit("wrk is missing: install it with `apt-get install -y wrk` (as root).")
    print("installing wrk from Debian …", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, check=True)
