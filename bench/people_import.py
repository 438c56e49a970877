"""Benchmark of the resident import: rows per second and memory as the file grows.

Builds a fresh database (SQLite in a temporary folder, or a PostgreSQL database created for the run
and dropped after it, as bench/run.py does), then for each size writes a CSV like a commune's list
(households of about four, nine in ten with an ID number, a phone, consent) and imports it into a
village of its own, each in a fresh process so that its peak memory is its own:

    .venv/bin/python bench/people_import.py
    .venv/bin/python bench/people_import.py --database-url postgres://postgres@127.0.0.1:5432/hocvuso_bench_people

Peak RSS is read with resource.getrusage; "growth" is the peak minus the RSS just before the import.
"""

import argparse
import csv
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SRC = BENCH.parent / "src"

FAMILIES = ("Triệu", "Bàn", "Lý", "Đặng", "Hoàng", "Nông", "Ma", "Nguyễn", "Trần", "Phạm", "Vũ")
GIVEN = ("Văn Sơn", "Thị Hoa", "Văn Tuấn", "Thị Mây", "Đức Anh", "Thị Lan", "Văn Hùng", "Thu Trang")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--recreate", action="store_true")
    parser.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--offset", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args()


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time of this process (user + system): on a shared machine, steadier than wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def write_csv(path: Path, rows: int, *, offset: int, village_code: str) -> None:
    from hocvuso.people.services import IMPORT_COLUMNS

    rng = random.Random(offset)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(IMPORT_COLUMNS.values())
        for n in range(rows):
            household = n // 4
            family = FAMILIES[household % len(FAMILIES)]
            name = f"{family} {GIVEN[n % len(GIVEN)]} {n}"
            has_id = n % 10 != 9
            writer.writerow(
                [
                    f"{household:06d}",
                    f"{family} Văn Chủ {household}",
                    f"Xóm {household // 50 + 1}",
                    name,
                    rng.randrange(1940, 2015),
                    "Nữ" if n % 2 else "Nam",
                    ("Dao", "Tày", "Kinh")[n % 3],
                    f"09{offset // 10**6 % 10}{n:07d}",
                    f"010{offset + n:09d}" if has_id else "",
                    "Người dân",
                    "Không",
                    "Tiếng Việt",
                    village_code,
                    "Có" if n % 5 else "Không",
                ]
            )


def worker(rows: int, offset: int) -> None:
    """Import one file of `rows` rows into a new village; print a JSON line of the results."""
    import django

    django.setup()
    from django.db import connection

    from hocvuso.accounts.models import Role
    from hocvuso.accounts.services import create_user
    from hocvuso.people.importers import iter_resident_rows
    from hocvuso.people.models import Resident
    from hocvuso.people.services import ImportMode, import_residents
    from hocvuso.places.models import Area
    from hocvuso.places.services import create_village

    commune = Area.objects.get(code="04399")
    village = create_village(commune=commune, name=f"Thôn Đo {rows} {offset}")
    officer = create_user(
        username=f"bench.people.{offset}", password=None, roles=[(Role.COMMUNE_OFFICER, commune)]
    )
    workdir = Path(os.environ["HOCVUSO_DATA_DIR"])
    path = workdir / f"residents-{rows}.csv"
    write_csv(path, rows, offset=offset, village_code=village.code)
    before = rss_mb()
    cpu_before = cpu_seconds()
    start = time.perf_counter()
    with path.open("rb") as stream:
        result = import_residents(
            village_or_commune=commune,
            rows=iter_resident_rows(stream, name=path.name),
            mode=ImportMode.ALL_OR_NOTHING,
            imported_by=officer,
        )
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds() - cpu_before
    assert not result.errors, result.errors[:3]
    assert Resident.objects.filter(village=village).count() == rows
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": elapsed,
                "cpu_seconds": cpu,
                "households": result.households,
                "consents": result.consents,
                "file_mb": path.stat().st_size / 2**20,
                "rss_before_mb": before,
                "rss_peak_mb": rss_mb(),
                "vendor": connection.vendor,
            }
        )
    )


def measure_encryption() -> tuple[float, float]:
    """Microseconds per call of Fernet (the former cipher) and of the AES-GCM now used."""
    import base64
    import hashlib

    from cryptography.fernet import Fernet

    from hocvuso.people.crypto import encrypt_citizen_id

    fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"bench").digest()))
    n = 50_000
    start = time.perf_counter()
    for _ in range(n):
        fernet.encrypt(b"010068123456")
    fernet_us = (time.perf_counter() - start) / n * 1e6
    start = time.perf_counter()
    for _ in range(n):
        encrypt_citizen_id("010068123456")
    return fernet_us, (time.perf_counter() - start) / n * 1e6


def run(args: argparse.Namespace) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    from hocvuso.places.services import load_administrative_units

    call_command("migrate", verbosity=0)
    load_administrative_units()
    if connection.vendor == "sqlite":
        import sqlite3

        engine = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            engine = f"PostgreSQL {cursor.fetchone()[0]}"
    connection.close()
    print("hocvuso resident import benchmark")
    print(f"  machine : {os.cpu_count()} CPU, {platform.processor() or platform.machine()}")
    print(f"  python  : {platform.python_version()}, django {django.get_version()}")
    print(f"  database: {engine}")
    # Other work on the machine skews every figure; the load says how much there was.
    print("  load    : {:.2f} {:.2f} {:.2f} (1, 5, 15 min averages)".format(*os.getloadavg()))
    fernet_us, gcm_us = measure_encryption()
    print(f"  encrypt one ID number: Fernet {fernet_us:.1f} µs, AES-GCM (in use) {gcm_us:.1f} µs")
    print("  (the app's CPU only: on PostgreSQL the server's own CPU is not in 'CPU s')")
    print()
    header = (
        f"{'rows':>8} {'file MB':>8} {'seconds':>8} {'rows/s':>8} {'CPU s':>6} "
        f"{'rows/CPU s':>10} {'households':>10} {'RSS before':>10} {'RSS peak':>9} {'growth':>7}"
    )
    print(header)
    print("-" * len(header))
    for index, size in enumerate(int(s) for s in args.sizes.split(",")):
        command = [
            sys.executable,
            __file__,
            "--worker",
            str(size),
            "--offset",
            str((index + 1) * 10**6),
        ]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        r = json.loads(output.strip().splitlines()[-1])
        print(
            f"{r['rows']:>8,} {r['file_mb']:>8.1f} {r['seconds']:>8.2f} "
            f"{r['rows'] / r['seconds']:>8,.0f} {r['cpu_seconds']:>6.2f} "
            f"{r['rows'] / r['cpu_seconds']:>10,.0f} {r['households']:>10,} "
            f"{r['rss_before_mb']:>8.0f}MB {r['rss_peak_mb']:>7.0f}MB "
            f"{r['rss_peak_mb'] - r['rss_before_mb']:>5.0f}MB"
        )


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(SRC))
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("PERSONAL_DATA_KEY", "bench-only-personal-data-key")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hocvuso.config.settings.base"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if args.worker:
        worker(args.worker, args.offset)
        return
    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-people-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ["HOCVUSO_DATA_DIR"] = str(workdir)
    try:
        if url.startswith(("postgres://", "postgresql://")):
            sys.path.insert(0, str(BENCH))
            from run import postgres_database

            with postgres_database(url, recreate=args.recreate):
                run(args)
        else:
            run(args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
