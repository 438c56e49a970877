"""Benchmark of the foundation: the administrative tree, authorisation and the demo load.

Performance is measured here, not asserted in tests. Each run builds a fresh database, migrates it,
and prints the machine and a table of timings:

    .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/hocvuso_bench

A SQLite file goes into a temporary folder; a PostgreSQL database is created for the run and dropped
after it (an existing database of that name is refused unless --recreate is given).
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path

from common import SRC, postgres_database, print_machine


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default="",
        help="sqlite:///… or postgres://…/<name>; default: a SQLite file in a temporary folder",
    )
    parser.add_argument("--villages", type=int, default=2000, help="villages to create (2000)")
    parser.add_argument("--repeat", type=int, default=200, help="timed repetitions per read (200)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--recreate",
        action="store_true",
        help="drop an existing PostgreSQL database of that name before the run",
    )
    return parser.parse_args()


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []

    def once(self, label: str, seconds: float, queries: int | None = None) -> None:
        self.rows.append((label, "1", f"{seconds * 1000:,.1f}", "", _q(queries)))

    def series(self, label: str, samples: list[float], queries: int | None = None) -> None:
        p95 = statistics.quantiles(samples, n=100)[94]
        self.rows.append(
            (
                label,
                str(len(samples)),
                f"{statistics.median(samples) * 1000:,.3f}",
                f"{p95 * 1000:,.3f}",
                _q(queries),
            )
        )

    def print(self) -> None:
        header = ("operation", "n", "median ms", "p95 ms", "queries")
        widths = [max(len(row[i]) for row in [header, *self.rows]) for i in range(5)]
        fmt = "  ".join(f"{{:<{w}}}" if i == 0 else f"{{:>{w}}}" for i, w in enumerate(widths))
        print(fmt.format(*header))
        print("  ".join("-" * w for w in widths))
        for row in self.rows:
            print(fmt.format(*row))


def _q(queries: int | None) -> str:
    return "" if queries is None else str(queries)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def count_queries(fn: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def sample(fn: Callable[[], object], repeat: int, warmup: int = 10) -> list[float]:
    for _ in range(warmup):
        fn()
    return [timed(fn) for _ in range(repeat)]


def run(args: argparse.Namespace) -> None:
    import django
    from django.core.management import call_command

    django.setup()

    from django.contrib.auth.hashers import make_password

    from hocvuso.accounts.authz import Perm, can
    from hocvuso.accounts.models import Role, User
    from hocvuso.accounts.services import create_user
    from hocvuso.places.models import Area
    from hocvuso.places.selectors import areas_above, areas_under
    from hocvuso.places.services import create_village, load_administrative_units

    rng = random.Random(args.seed)
    table = Table()

    print("hocvuso benchmark")
    print_machine()
    print()

    table.once("migrate (fresh database)", timed(lambda: call_command("migrate", verbosity=0)))

    loaded = {}
    table.once(
        "load_administrative_units, cold",
        timed(lambda: loaded.setdefault("result", load_administrative_units())),
    )
    result = loaded["result"]
    table.once("load_administrative_units, again (no change)", timed(load_administrative_units))

    province = Area.objects.get(code="15")
    communes = list(areas_under(province, level=Area.Level.COMMUNE).order_by("code"))
    village_times: list[float] = []
    villages: list[Area] = []
    for n in range(args.villages):
        commune = communes[n % len(communes)]
        start = time.perf_counter()
        villages.append(
            create_village(commune=commune, name=f"Xóm {n // len(communes) + 1}", kind="xóm")
        )
        village_times.append(time.perf_counter() - start)
    table.series(
        f"create_village ({args.villages} across {len(communes)} communes of {province.name})",
        village_times,
    )

    def under_province():
        return areas_under(province).count()

    def villages_under_province():
        return areas_under(province, level=Area.Level.VILLAGE).count()

    table.series(
        f"areas_under(province).count() → {under_province():,}",
        sample(under_province, args.repeat),
        count_queries(under_province),
    )
    table.series(
        f"areas_under(province, level=village).count() → {villages_under_province():,}",
        sample(villages_under_province, args.repeat),
        count_queries(villages_under_province),
    )

    def above_random_village():
        return list(areas_above(rng.choice(villages)))

    table.series(
        "list(areas_above(village))",
        sample(above_random_village, args.repeat),
        count_queries(above_random_village),
    )

    commune = communes[0]
    officer = create_user(
        username="bench.canboxa",
        password=None,
        roles=[(Role.COMMUNE_OFFICER, commune)],
    )
    own = [v for v in villages if v.parent_id == commune.pk]
    other = [v for v in villages if v.parent_id != commune.pk]

    def can_samples(targets: list[Area], expected: bool) -> tuple[list[float], int]:
        samples: list[float] = []
        for i in range(args.repeat + 10):
            user = User.objects.get(pk=officer.pk)
            village = rng.choice(targets)
            start = time.perf_counter()
            allowed = can(user, Perm.MANAGE_VILLAGES, village)
            elapsed = time.perf_counter() - start
            assert allowed is expected
            if i >= 10:
                samples.append(elapsed)
        fresh = User.objects.get(pk=officer.pk)
        queries = count_queries(lambda: can(fresh, Perm.MANAGE_VILLAGES, targets[0]))
        return samples, queries

    samples, queries = can_samples(own, True)
    table.series("can(commune officer, village in commune), fresh user", samples, queries)
    samples, queries = can_samples(other, False)
    table.series("can(commune officer, village elsewhere), fresh user", samples, queries)

    table.series(
        "make_password (one account; the demo hashes 11)",
        sample(lambda: make_password("hocvuso2025"), 10, warmup=1),
    )
    table.once("hocvuso demo, first run", timed(lambda: call_command("demo", stdout=StringIO())))
    table.once("hocvuso demo, second run", timed(lambda: call_command("demo", stdout=StringIO())))

    print(
        f"Loaded {result.provinces} provinces and {result.communes} communes; "
        f"{Area.objects.filter(level=Area.Level.VILLAGE).count():,} villages in the database."
    )
    print()
    table.print()


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(SRC))
    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ["HOCVUSO_DATA_DIR"] = str(workdir)
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hocvuso.config.settings.base"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    try:
        if url.startswith(("postgres://", "postgresql://")):
            with postgres_database(url, recreate=args.recreate):
                run(args)
        else:
            run(args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
