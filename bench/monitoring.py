"""Benchmark of monitoring: dashboards and rankings against population, rebuild time, rollup cost.

For each size a PostgreSQL database (hocvuso_bench_monitoring_<size>) is made, filled by
`hocvuso generate_population` (villages under the real 3,321 communes, households, residents,
milestones, teams, visits, classes), the counters are rebuilt from the records (timed), then
gunicorn serves the dashboards and rankings of Việt Nam, a province, a commune, a village and a
team, as HTML pages and over the JSON API, each requested one after the other on one keep-alive
connection (p50/p95). Last, the rollup's cost per write: the same service writes timed with the
monitoring receivers connected and disconnected, interleaved.

    .venv/bin/python bench/monitoring.py                                  # 100,000 and 1,000,000
    .venv/bin/python bench/monitoring.py --sizes 100000,1000000,10000000
    .venv/bin/python bench/monitoring.py --sizes 10000000 --keep          # keep the database
    .venv/bin/python bench/monitoring.py --sizes 10000000 --reuse         # reuse a kept one

Each database is dropped after its run unless --keep; --reuse takes a kept database of that size
(only synthetic residents, the size asked for) instead of generating it again.
"""

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SRC = ROOT / "src"
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
SECRET_KEY = "bench-only-not-secret"
TARGET_P95_MS = 50
TARGET_ROLLUP_MS = 2


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="residents, comma-separated")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per URL (200)")
    parser.add_argument(
        "--cap", type=float, default=30, help="at most this many seconds per URL (30)"
    )
    parser.add_argument("--writes", type=int, default=300, help="timed writes per mode (300)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--keep", action="store_true", help="keep each database after its run")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database of the size")
    parser.add_argument("--json", default="", help="also write every figure to this file")
    parser.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--result-file", default="", help=argparse.SUPPRESS)
    return parser.parse_args()


def database_url(args: argparse.Namespace, size: int) -> str:
    return f"{args.postgres_url.rstrip('/')}/hocvuso_bench_monitoring_{size}"


# ---------------------------------------------------------------------------------------------
# The database of one size.


def _admin_connection(url: str):
    import dj_database_url
    import psycopg

    conf = dj_database_url.parse(url)
    admin = {
        "dbname": "postgres",
        "user": conf.get("USER") or None,
        "password": conf.get("PASSWORD") or None,
        "host": conf.get("HOST") or None,
        "port": conf.get("PORT") or None,
    }
    return conf["NAME"], psycopg.connect(**{k: v for k, v in admin.items() if v}, autocommit=True)


def prepare_database(url: str, *, reuse: bool) -> bool:
    """Create the database (dropping an old one) unless reusing it; True when it was reused."""
    from psycopg import sql

    name, conn = _admin_connection(url)
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reuse:
            return True
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return False


def drop_database(url: str) -> None:
    from psycopg import sql

    name, conn = _admin_connection(url)
    with conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


# ---------------------------------------------------------------------------------------------
# The server and the client.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Gunicorn:
    def __init__(self, workers: int, env: dict[str, str]) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "hocvuso.config.wsgi",
                f"--bind={HOST}:{self.port}",
                f"--workers={workers}",
                # Slow pages are measured, not killed.
                "--timeout=600",
                "--log-level=warning",
            ],
            env=env,
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(self.port, "/api/v1/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit("gunicorn did not answer within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def latencies(
    port: int, path: str, headers: dict, count: int, cap_seconds: float, warmup: int = 3
) -> dict:
    """p50/p95 in ms of `count` GETs one after the other on one keep-alive connection; fewer when
    they take longer than `cap_seconds` in all (at least 20, or 3 for a page of seconds)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=900)
    samples: list[float] = []
    size = 0
    began = None
    try:
        while len(samples) < count:
            if began is not None:
                spent = time.perf_counter() - began
                if spent > cap_seconds and (len(samples) >= 20 or spent > 3 * cap_seconds):
                    break
                if len(samples) >= 3 and samples[-1] > cap_seconds * 1000 / 4:
                    break
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                return {
                    "status": f"{type(error).__name__} after {time.perf_counter() - start:.0f} s"
                }
            elapsed = (time.perf_counter() - start) * 1000
            if response.status != 200:
                return {"status": response.status}
            size = len(body)
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=900)
            # Warm-up: every worker's first requests load code and templates; one slow page
            # warms enough.
            if began is None:
                warmup -= 1
                if warmup <= 0 or elapsed > 5000:
                    began = time.perf_counter()
                continue
            samples.append(elapsed)
    finally:
        conn.close()
    if len(samples) < 2:
        return {"status": f"only {len(samples)} answer in {cap_seconds * 3:.0f} s"}
    return {
        "status": 200,
        "p50": statistics.median(samples),
        "p95": statistics.quantiles(samples, n=100)[94],
        "n": len(samples),
        "bytes": size,
    }


# ---------------------------------------------------------------------------------------------
# The rollup cost: the same writes with and without the monitoring receivers.


def _signals():
    from django.db.models import signals as model_signals
    from django.dispatch import Signal

    import hocvuso.field.signals
    import hocvuso.people.signals
    import hocvuso.places.signals

    found = [
        value
        for module in (model_signals, hocvuso.people.signals, hocvuso.field.signals)
        for value in vars(module).values()
        if isinstance(value, Signal)
    ]
    found += [v for v in vars(hocvuso.places.signals).values() if isinstance(v, Signal)]
    try:
        import hocvuso.skills.signals

        found += [v for v in vars(hocvuso.skills.signals).values() if isinstance(v, Signal)]
    except ImportError:
        pass
    return list({id(signal): signal for signal in found}.values())


class MonitoringReceivers:
    """Take the monitoring app's receivers off every signal, and put them back."""

    def __init__(self) -> None:
        self.saved = [(signal, list(signal.receivers)) for signal in _signals()]

    @staticmethod
    def _is_monitoring(entry) -> bool:
        ref = entry[1]
        function = ref() if isinstance(ref, weakref.ReferenceType) else ref
        return getattr(function, "__module__", "").startswith("hocvuso.monitoring")

    def off(self) -> int:
        removed = 0
        for signal, receivers in self.saved:
            kept = [entry for entry in receivers if not self._is_monitoring(entry)]
            removed += len(receivers) - len(kept)
            signal.receivers = kept
            signal.sender_receivers_cache.clear()
        return removed

    def on(self) -> None:
        for signal, receivers in self.saved:
            signal.receivers = list(receivers)
            signal.sender_receivers_cache.clear()


def rollup_cost(writes: int, seed: int) -> dict:
    """ms per service write with the monitoring receivers on and off, interleaved in blocks."""
    import datetime
    import uuid

    from django.db import transaction
    from django.db.models import Max, Min
    from django.utils import timezone

    from hocvuso.field.models import Team, TeamMembership
    from hocvuso.field.services.visits import record_visit
    from hocvuso.people.choices import Milestone
    from hocvuso.people.models import Household, MilestoneEvent, Resident
    from hocvuso.people.services import record_milestone

    # Fresh draws every run: on a reused database the same seed would pick residents that already
    # have the milestone and replay visits already recorded, which cost nothing.
    rng = random.Random(f"{seed}-{time.time_ns()}")
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    receivers = MonitoringReceivers()
    block = 25
    # Residents without the rarest milestone and households, drawn from the whole country.
    low, high = Resident.objects.aggregate(low=Min("pk"), high=Max("pk")).values()
    drawn = rng.sample(range(low, high + 1), min(high - low + 1, writes * 3))
    taken = set(
        MilestoneEvent.objects.filter(
            resident_id__in=drawn, milestone=Milestone.SELLS_ONLINE
        ).values_list("resident_id", flat=True)
    )
    found = Resident.objects.select_related("village").in_bulk([p for p in drawn if p not in taken])
    pool = [found[p] for p in drawn if p in found]
    low, high = Household.objects.aggregate(low=Min("pk"), high=Max("pk")).values()
    drawn = rng.sample(range(low, high + 1), min(high - low + 1, writes * 2))
    found = Household.objects.select_related("village").in_bulk(drawn)
    households = [found[p] for p in drawn if p in found]
    teams = {
        t.village_id: t for t in Team.objects.filter(village__in=[h.village for h in households])
    }
    members = dict(
        TeamMembership.objects.filter(team__in=teams.values(), role="leader").values_list(
            "team_id", "user"
        )
    )
    from hocvuso.accounts.models import User

    users = User.objects.in_bulk(set(members.values()))
    residents_of: dict[int, list] = {}
    for resident in Resident.objects.filter(household__in=households):
        residents_of.setdefault(resident.household_id, []).append(resident)

    def milestone_write(resident) -> None:
        with transaction.atomic():
            record_milestone(
                resident=resident,
                milestone=Milestone.SELLS_ONLINE,
                achieved_on=yesterday,
                method="visit",
                recorded_by=None,
            )

    def visit_write(household) -> None:
        team = teams[household.village_id]
        people = residents_of.get(household.pk, [])[:1]
        with transaction.atomic():
            record_visit(
                client_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                recorded_by=users[members[team.pk]],
                team=team,
                visited_on=yesterday,
                channel="door",
                household=household,
                residents=people,
                activities="Đo hiệu năng",
                milestones={people[0].pk: ["used_public_service"]} if people else None,
            )

    results = {}
    for label, items, write in (
        ("record_milestone", pool, milestone_write),
        ("record_visit (1 person, 1 milestone)", households, visit_write),
    ):
        timings = {"on": [], "off": []}
        items = iter(items)
        try:
            for round_ in range(2 * -(-writes // block)):
                mode = "on" if round_ % 2 == 0 else "off"
                if mode == "on":
                    receivers.on()
                else:
                    receivers.off()
                for _ in range(block):
                    item = next(items)
                    start = time.perf_counter()
                    write(item)
                    timings[mode].append((time.perf_counter() - start) * 1000)
        except StopIteration:
            pass
        finally:
            receivers.on()
        on, off = timings["on"], timings["off"]
        results[label] = {
            "n": min(len(on), len(off)),
            "on_p50": statistics.median(on),
            "off_p50": statistics.median(off),
            "on_mean": statistics.fmean(on),
            "off_mean": statistics.fmean(off),
            "rollup_ms": statistics.median(on) - statistics.median(off),
        }
    results["receivers_removed"] = receivers.off()
    receivers.on()
    return results


# ---------------------------------------------------------------------------------------------
# One size, in a process of its own (the database is chosen when Django starts).


def pick_areas() -> dict:
    """Việt Nam, its province with the most communes, the commune with the most synthetic
    villages there, that commune's most populated village, and the village's team."""
    from django.db.models import Count

    from hocvuso.field.models import Team
    from hocvuso.people.models import Resident
    from hocvuso.places.models import Area

    province = (
        Area.objects.filter(level=Area.Level.PROVINCE)
        .annotate(n=Count("children"))
        .order_by("-n", "code")
        .first()
    )
    commune = (
        Area.objects.filter(parent=province, level=Area.Level.COMMUNE)
        .annotate(n=Count("children"))
        .order_by("-n", "code")
        .first()
    )
    village_id = (
        Resident.objects.filter(village__parent=commune)
        .values("village_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("village_id", flat=True)
        .first()
    )
    village = Area.objects.get(pk=village_id)
    team = Team.objects.get(village=village)
    return {
        "province": (province.code, province.name, province.n),
        "commune": (commune.code, commune.name, commune.n),
        "village": (village.code, village.name, Resident.objects.filter(village=village).count()),
        "team": (team.pk, team.name),
    }


def session_for(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def urls(areas: dict) -> list[tuple[str, str, str]]:
    """(level, what, path) for every dashboard and ranking measured."""
    from django.urls import NoReverseMatch, reverse

    from hocvuso.monitoring.indicators import HEADLINE

    indicator = HEADLINE[0]
    levels = [
        ("Việt Nam", "VN"),
        ("tỉnh", areas["province"][0]),
        ("xã", areas["commune"][0]),
        ("thôn", areas["village"][0]),
    ]
    found = []

    def page(level: str, what: str, name: str, code: str, query: str = "") -> None:
        with contextlib.suppress(NoReverseMatch):
            found.append((level, what, reverse(name, args=[code]) + query))

    for level, code in levels:
        page(level, "dashboard HTML", "monitoring:dashboard", code)
        found.append((level, "indicators API", f"/api/v1/areas/{code}/indicators"))
        if level != "thôn":
            page(level, "ranking HTML", "monitoring:ranking", code, f"?chi_tieu={indicator}")
            found.append(
                (level, "ranking API", f"/api/v1/areas/{code}/ranking?indicator={indicator}")
            )
    page("tổ", "team dashboard HTML", "monitoring:team", areas["village"][0])
    page("Việt Nam", "public board HTML", "monitoring:public", "VN")
    return found


def queries_per_page(user, pages: list[tuple[str, str, str]]) -> dict:
    """SQL statements and their time for one request of each page, served in this process."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    found = {}
    for level, what, path in pages:
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            status = client.get(path).status_code
        sql_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        found[f"{level}|{what}"] = {"status": status, "queries": len(captured), "sql_ms": sql_ms}
    return found


def worker(args: argparse.Namespace) -> None:
    size = args.worker
    url = database_url(args, size)
    os.environ["DATABASE_URL"] = url
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    result: dict = {"size": size}

    def save(phase: str) -> None:
        Path(args.result_file).write_text(json.dumps(result))
        print(f"   {time.strftime('%H:%M:%S')} {phase}", flush=True)

    reused = prepare_database(url, reuse=args.reuse)

    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    from hocvuso.accounts.models import Role
    from hocvuso.accounts.services import create_user
    from hocvuso.demo.synthetic import generate_population, real_resident_count
    from hocvuso.monitoring.services.rebuild import rebuild_counters
    from hocvuso.people.models import Resident

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    if reused:
        count = Resident.objects.count()
        if count != size or real_resident_count():
            sys.exit(f"{url} holds {count:,} residents, not {size:,} synthetic ones")
        result["generated"] = None
    else:
        generated = generate_population(residents=size, seed=args.seed)
        result["generated"] = {
            "rows": generated.rows,
            "seconds": generated.seconds,
            "residents": generated.residents,
            "villages": generated.villages,
            "milestones": generated.milestones,
            "visits": generated.visits,
        }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        result["database_gb"] = cursor.fetchone()[0] / 2**30
        cursor.execute("SHOW server_version")
        result["engine"] = f"PostgreSQL {cursor.fetchone()[0]}"

    save("database ready")
    start = time.perf_counter()
    rebuilt = rebuild_counters()
    result["rebuild"] = {"seconds": time.perf_counter() - start, "rows": rebuilt.rows}
    save(f"rebuilt in {result['rebuild']['seconds']:.0f} s")
    # What autovacuum does within a minute of a rebuild: the rows the rebuild deleted are
    # dead index entries until vacuumed, and the planner probes past them on every write
    # (≈100 ms of planning per statement on the tally table at 10 million residents).
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE monitoring_tally, monitoring_areacounter, monitoring_weeklycounter"
        )
        cursor.execute("ANALYZE")
    result["rebuild"]["vacuum_seconds"] = time.perf_counter() - start

    areas = pick_areas()
    result["areas"] = areas
    from hocvuso.accounts.models import User

    admin = User.objects.filter(username="bench.quantri").first() or create_user(
        username="bench.quantri", password=None, roles=[(Role.NATIONAL_ADMIN, _country())]
    )
    cookie = {"Cookie": f"sessionid={session_for(admin)}"}
    result["queries"] = queries_per_page(admin, urls(areas))
    save("pages served in-process")
    connection.close()

    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "hocvuso.config.settings.base",
        "PYTHONPATH": str(SRC),
        "LOG_LEVEL": "WARNING",
    }
    server = Gunicorn(args.workers, env)
    measured = []
    try:
        for level, what, path in urls(areas):
            figures = latencies(server.port, path, cookie, args.requests, args.cap)
            measured.append({"level": level, "what": what, "path": path, **figures})
            result["requests"] = measured
            save(f"{path}: {figures.get('p95', figures['status'])}")
    finally:
        server.stop()
    result["requests"] = measured
    result["rollup"] = rollup_cost(args.writes, args.seed)
    result["load"] = os.getloadavg()
    save("rollup measured")


def _country():
    from hocvuso.places.models import Area

    return Area.objects.get(code="VN")


# ---------------------------------------------------------------------------------------------
# The report.


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def report(results: list[dict], args: argparse.Namespace) -> None:
    sizes = [r["size"] for r in results]
    print()
    print("Population and rebuild")
    header = f"{'residents':>11} {'rows made':>11} {'gen s':>7} {'rows/s':>8} {'DB GB':>6} "
    header += f"{'rebuild s':>9} {'counter rows':>12}"
    print(header)
    print("-" * len(header))
    for r in results:
        g = r["generated"]
        made = (
            f"{g['rows']:>11,} {g['seconds']:>7.0f} {g['rows'] / g['seconds']:>8,.0f}"
            if g
            else f"{'(reused)':>11} {'':>7} {'':>8}"
        )
        print(
            f"{r['size']:>11,} {made} {r['database_gb']:>6.1f} "
            f"{r['rebuild']['seconds']:>9.1f} {r['rebuild']['rows']:>12,}"
        )
    print()
    print("Dashboards and rankings: p50 / p95 ms, one request at a time (target p95 < 50 ms)")
    keys = [(m["level"], m["what"]) for m in results[0]["requests"]]
    first = f"{'level':<9} {'page':<22}"
    columns = "".join(f" {size:>15,}" for size in sizes)
    print(first + columns + "  target")
    print("-" * (len(first) + len(columns) + 8))
    worst = 0.0
    for level, what in keys:
        cells = []
        ok = True
        for r in results:
            m = next((x for x in r["requests"] if (x["level"], x["what"]) == (level, what)), None)
            if m is None or m.get("status") != 200:
                cells.append(f"{'HTTP ' + str(m and m.get('status')):>15}")
                ok = False
                continue
            worst = max(worst, m["p95"])
            ok = ok and m["p95"] < TARGET_P95_MS
            cells.append(f"{m['p50']:>7.1f} / {m['p95']:>5.1f}")
        print(
            f"{level:<9} {what:<22}"
            + "".join(f" {c}" for c in cells)
            + ("  ok" if ok else "  MISS")
        )
    print(f"worst p95: {worst:.1f} ms")
    print()
    print("SQL statements per page (and their total ms), one request served in-process")
    print(first + columns)
    print("-" * (len(first) + len(columns)))
    for level, what in keys:
        cells = []
        for r in results:
            q = r.get("queries", {}).get(f"{level}|{what}")
            cells.append(f"{q['queries']:>5} ({q['sql_ms']:>6.1f})" if q else f"{'':>15}")
        print(f"{level:<9} {what:<22}" + "".join(f" {c:>15}" for c in cells))
    print()
    print("Rollup cost per write: median ms with the monitoring receivers on / off (target < 2 ms)")
    for r in results:
        for label, figures in r["rollup"].items():
            if not isinstance(figures, dict):
                continue
            print(
                f"{r['size']:>11,}  {label:<38} on {figures['on_p50']:6.2f}  off "
                f"{figures['off_p50']:6.2f}  rollup {figures['rollup_ms']:+6.2f} ms "
                f"(means {figures['on_mean']:.2f} / {figures['off_mean']:.2f}, n={figures['n']})"
            )
    print()
    print(markdown(results))
    print()
    for r in results:
        a = r["areas"]
        print(
            f"{r['size']:>11,}: province {a['province'][0]} {a['province'][1]} "
            f"({a['province'][2]} communes), commune {a['commune'][0]} {a['commune'][1]} "
            f"({a['commune'][2]} villages), village {a['village'][0]} ({a['village'][2]} "
            f"residents); load after: {' '.join(f'{x:.2f}' for x in r['load'])}"
        )


def markdown(results: list[dict]) -> str:
    """The figures as Markdown tables, for the README's Performance section."""
    sizes = [r["size"] for r in results]
    lines = [
        "| residents | generated | rows/s | rebuild of every counter |",
        "| --- | --- | --- | --- |",
    ]
    for r in results:
        g = r["generated"]
        made = f"{g['rows']:,} rows in {g['seconds']:,.0f} s" if g else "(database reused)"
        rate = f"{g['rows'] / g['seconds']:,.0f}" if g else ""
        lines.append(f"| {r['size']:,} | {made} | {rate} | {r['rebuild']['seconds']:,.1f} s |")
    lines += ["", "| level | page | " + " | ".join(f"{s:,}" for s in sizes) + " |"]
    lines.append("| --- | --- |" + " --- |" * len(sizes))
    for m in results[0]["requests"]:
        cells = []
        for r in results:
            x = next(y for y in r["requests"] if (y["level"], y["what"]) == (m["level"], m["what"]))
            q = r.get("queries", {}).get(f"{m['level']}|{m['what']}", {})
            cells.append(
                f"{x['p50']:.0f} / {x['p95']:.0f} ms ({q.get('queries', '?')} q)"
                if x.get("status") == 200
                else f"HTTP {x.get('status')}"
            )
        lines.append(f"| {m['level']} | {m['what']} | " + " | ".join(cells) + " |")
    lines += ["", "| residents | write | with / without monitoring (median) | rollup |"]
    lines.append("| --- | --- | --- | --- |")
    for r in results:
        for label, f in r["rollup"].items():
            if isinstance(f, dict):
                lines.append(
                    f"| {r['size']:,} | {label} | {f['on_p50']:.1f} / {f['off_p50']:.1f} ms | "
                    f"{f['rollup_ms']:+.1f} ms |"
                )
    return "\n".join(lines)


def main() -> int:
    args = parse_args()
    sys.path.insert(0, str(SRC))
    os.environ.setdefault("SECRET_KEY", SECRET_KEY)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hocvuso.config.settings.base"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-monitoring-"))
    os.environ["HOCVUSO_DATA_DIR"] = str(workdir)
    try:
        if args.worker:
            worker(args)
            return 0
        print("hocvuso monitoring benchmark")
        print(f"  machine : {os.cpu_count()} CPU, {cpu_model()}")
        print(f"  system  : {platform.platform()}")
        print(f"  python  : {platform.python_version()}")
        print("  load    : {:.2f} {:.2f} {:.2f} (1, 5, 15 min averages)".format(*os.getloadavg()))
        print(f"  server  : gunicorn {args.workers} sync workers; {args.requests} GETs per URL")
        results = []
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"\n## {size:,} residents", flush=True)
            result_file = workdir / f"result-{size}.json"
            command = [
                sys.executable,
                __file__,
                "--worker",
                str(size),
                "--result-file",
                str(result_file),
                *[
                    f"--{k.replace('_', '-')}={v}"
                    for k, v in vars(args).items()
                    if k in ("postgres_url", "seed", "requests", "writes", "workers", "cap")
                ],
                *(["--reuse"] if args.reuse else []),
            ]
            started = time.perf_counter()
            code = subprocess.call(command)
            if code != 0:
                print(f"   run of {size:,} failed ({code})")
                return 1
            result = json.loads(result_file.read_text())
            print(f"   done in {time.perf_counter() - started:,.0f} s", flush=True)
            results.append(result)
            if not args.keep:
                drop_database(database_url(args, size))
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=1))
        report(results, args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
