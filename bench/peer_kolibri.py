"""Peer benchmark: hocvuso beside Kolibri 0.19.5, the same workloads, the same client, one run.

    .venv/bin/python bench/peer_kolibri.py                       # both on PostgreSQL
    .venv/bin/python bench/peer_kolibri.py --engine sqlite --duration 10

Kolibri is installed from PyPI into its own virtualenv under var/peer/ (never committed), provisioned
with a facility and a superuser in a fresh KOLIBRI_HOME under var/peer/, and served on 127.0.0.1 by
its own server (`kolibri start`, CherryPy, as it ships) with zeroconf and the telemetry ping off.
hocvuso is served by gunicorn (3 sync workers, as bench/learning.py). Both get a class or team of
1,000 learners; the same wrk, the same number of connections and the same duration drive both:

  sign-in          POST /tai-khoan/dang-nhap/ (form + CSRF)   vs  POST /api/auth/session/ (JSON + CSRF)
  learner home     GET /hoc/cua-toi/ (the whole page)        vs  GET /learn/api/homehydrate (the data
                                                                  of the home page; its HTML shell is
                                                                  measured too)
  progress write   POST of a guide step (HTTP, CSRF)          vs  PUT /api/logger/trackprogress/<id>/
  class report     GET /hoc/tien-do/<team>/, 1,000 learners  vs  GET /coach/api/classsummary/<class>/
  bulk import      import_residents of N rows of a CSV       vs  `kolibri manage bulkimportusers` of
                                                                  N learners into one class

Kolibri imports content only from its network studio, which is not reachable here: its class has no
channel, lesson or quiz, so its class report has less to compute than ours. Its progress endpoint
does not check that the content node exists, so real content-session logs are written against
made-up node ids. Every ratio is ours / theirs: above 1 means more requests per second for
throughput, and slower for latency.
"""

import argparse
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path

from common import SRC, ensure_wrk, http_request, postgres_database, print_machine

ROOT = SRC.parent
PEER = ROOT / "var" / "peer"
KOLIBRI_VERSION = "0.19.5"
KOLIBRI_VENV = PEER / "kolibri-venv"
KOLIBRI_BIN = KOLIBRI_VENV / "bin"
HOST = "127.0.0.1"
LEARNER_PASSWORD = "hocvuso2025"
CLASS_NAME = "Lop 1000"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--learners", type=int, default=1000, help="the class / team (1000)")
    parser.add_argument("--import-rows", type=int, default=1000, help="bulk import size (1000)")
    parser.add_argument("--clients", type=int, default=8, help="wrk connections (8)")
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run (15)")
    parser.add_argument("--report-requests", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (3)")
    return parser.parse_args()


# ---------------------------------------------------------------------------------------------
# Kolibri: install, provision, serve.


def ensure_kolibri(engine: str) -> None:
    """Kolibri in a virtualenv of its own: its pinned Django 3.2 must not meet ours."""
    if not (KOLIBRI_BIN / "kolibri").exists():
        PEER.mkdir(parents=True, exist_ok=True)
        print(
            f"  installing kolibri=={KOLIBRI_VERSION} from PyPI into {KOLIBRI_VENV} …", flush=True
        )
        subprocess.run([sys.executable, "-m", "venv", str(KOLIBRI_VENV)], check=True)
    packages = [f"kolibri=={KOLIBRI_VERSION}"]
    if engine == "postgresql":
        packages.append("psycopg2-binary")
    installed = subprocess.run(
        [str(KOLIBRI_BIN / "pip"), "install", "-q", *packages],
        capture_output=True,
        text=True,
    )
    if installed.returncode != 0:
        sys.exit(f"Kolibri did not install on Python {sys.version.split()[0]}:\n{installed.stderr}")


class Kolibri:
    def __init__(self, engine: str, database: str) -> None:
        self.home = PEER / "kolibri-home"
        shutil.rmtree(self.home, ignore_errors=True)
        self.home.mkdir(parents=True)
        self.env = {
            **os.environ,
            "KOLIBRI_HOME": str(self.home),
            "KOLIBRI_LISTEN_ADDRESS": HOST,
            # Loopback only: no announcing on the network, no telemetry ping.
            "KOLIBRI_ZEROCONF_ENABLED": "False",
            "KOLIBRI_DISABLE_PING": "True",
            "KOLIBRI_RUN_MODE": "bench",
        }
        for key in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH", "SECRET_KEY"):
            self.env.pop(key, None)
        if engine == "postgresql":
            import dj_database_url

            conf = dj_database_url.parse(database)
            self.env.update(
                KOLIBRI_DATABASE_ENGINE="postgres",
                KOLIBRI_DATABASE_NAME=conf["NAME"],
                KOLIBRI_DATABASE_USER=conf.get("USER") or "postgres",
                KOLIBRI_DATABASE_PASSWORD=conf.get("PASSWORD") or "",
                KOLIBRI_DATABASE_HOST=conf.get("HOST") or HOST,
                KOLIBRI_DATABASE_PORT=str(conf.get("PORT") or 5432),
            )
        self.process: subprocess.Popen | None = None
        self.port = 0

    def manage(self, *args: str) -> float:
        started = time.perf_counter()
        done = subprocess.run(
            [str(KOLIBRI_BIN / "kolibri"), "manage", *args],
            env=self.env,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            sys.exit(
                f"kolibri manage {args[0]} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
            )
        return time.perf_counter() - started

    def python(self, code: str) -> str:
        """Run `code` with Kolibri's own bundled Django on the path."""
        site = next((KOLIBRI_VENV / "lib").glob("python3*/site-packages"))
        prefix = f"import sys; sys.path.insert(0, {str(site / 'kolibri' / 'dist')!r});"
        return subprocess.run(
            [str(KOLIBRI_BIN / "python"), "-c", prefix + code],
            check=True,
            capture_output=True,
            text=True,
            env=self.env,
        ).stdout.strip()

    def start(self) -> None:
        from learning import free_port

        self.port = free_port()
        self.log = (PEER / "kolibri-server.log").open("w")
        self.process = subprocess.Popen(
            [str(KOLIBRI_BIN / "kolibri"), "start", "--foreground", f"--port={self.port}"],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                status, _h, _b = http_request(self.port, "GET", "/api/public/info/")
                if status == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.5)
        self.stop()
        sys.exit(f"Kolibri did not answer; see {PEER / 'kolibri-server.log'}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def cookies_of(headers) -> dict[str, str]:
    jar = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {key: morsel.value for key, morsel in jar.items()}


def kolibri_csrf(port: int) -> str:
    _status, headers, _body = http_request(port, "GET", "/api/auth/session/current/")
    return cookies_of(headers)["kolibri_csrftoken"]


def kolibri_login(port: int, username: str, password: str, facility: str) -> dict[str, str]:
    """A signed-in Kolibri session: its cookie and the CSRF token rotated at sign-in."""
    csrf = kolibri_csrf(port)
    status, headers, body = http_request(
        port,
        "POST",
        "/api/auth/session/",
        {
            "Content-Type": "application/json",
            "X-CSRFToken": csrf,
            "Cookie": f"kolibri_csrftoken={csrf}",
        },
        json.dumps({"username": username, "password": password, "facility": facility}),
    )
    if status != 200:
        sys.exit(f"Kolibri sign-in of {username} answered {status}: {body[:300]!r}")
    jar = cookies_of(headers)
    token = jar.get("kolibri_csrftoken", csrf)
    return {
        "cookie": f"kolibri={jar['kolibri']}; kolibri_csrftoken={token}",
        "csrf": token,
    }


def kolibri_world(args: argparse.Namespace, kolibri: Kolibri, workdir: Path) -> dict:
    """Provision, bulk-import the class of learners (timed), then serve and sign the clients in."""
    kolibri.manage(
        "provisiondevice",
        "--facility=Bench",
        "--superusername=admin",
        f"--superuserpassword={LEARNER_PASSWORD}",
        "--preset=formal",
        "--language_id=vi",
        "--noinput",
    )
    header = "UUID,USERNAME,PASSWORD,FULL_NAME,USER_TYPE,IDENTIFIER,BIRTH_YEAR,GENDER,ENROLLED_IN,ASSIGNED_TO"
    one = workdir / "kolibri-one.csv"
    one.write_text(f"{header}\n,probe,{LEARNER_PASSWORD},Probe,LEARNER,,,,{CLASS_NAME},\n")
    # Start-up of the command (Kolibri, Django, plugins) measured by a one-row dry run.
    startup = kolibri.manage("bulkimportusers", str(one), "--dryrun")
    path = workdir / "kolibri-users.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header.split(","))
        for n in range(max(args.import_rows, args.learners)):
            writer.writerow(
                [
                    "",
                    f"hv{n:06d}",
                    LEARNER_PASSWORD,
                    f"Học viên {n}",
                    "LEARNER",
                    "",
                    "",
                    "",
                    CLASS_NAME if n < args.learners else "",
                    "",
                ]
            )
    wall = kolibri.manage("bulkimportusers", str(path))
    hash_seconds = float(
        kolibri.python(
            "from django.conf import settings; settings.configure();"
            "from django.contrib.auth.hashers import make_password; import time;"
            "t = time.perf_counter(); [make_password('x') for _ in range(5)];"
            "print((time.perf_counter() - t) / 5)"
        )
    )
    iterations = kolibri.python(
        "from django.conf import settings; settings.configure();"
        "from django.contrib.auth.hashers import PBKDF2PasswordHasher;"
        "import django; print(PBKDF2PasswordHasher.iterations, django.get_version())"
    )
    kolibri.start()
    port = kolibri.port
    _s, _h, body = http_request(port, "GET", "/api/public/v1/facility/")
    facility = json.loads(body)[0]["id"]
    admin = kolibri_login(port, "admin", LEARNER_PASSWORD, facility)
    _s, _h, body = http_request(port, "GET", "/api/auth/classroom/", {"Cookie": admin["cookie"]})
    classroom = next(c for c in json.loads(body) if c["name"] == CLASS_NAME)
    clients = [
        kolibri_login(port, f"hv{n:06d}", LEARNER_PASSWORD, facility) for n in range(args.clients)
    ]
    for client in clients:
        _s, _h, body = http_request(
            port,
            "POST",
            "/api/logger/trackprogress/",
            {
                "Content-Type": "application/json",
                "X-CSRFToken": client["csrf"],
                "Cookie": client["cookie"],
            },
            json.dumps(
                {
                    "node_id": os.urandom(16).hex(),
                    "content_id": os.urandom(16).hex(),
                    "channel_id": os.urandom(16).hex(),
                    "kind": "document",
                }
            ),
        )
        client["progress_session"] = json.loads(body)["session_id"]
    return {
        "port": port,
        "facility": facility,
        "classroom": classroom["id"],
        "admin": admin,
        "clients": clients,
        "import_rows": max(args.import_rows, args.learners),
        "import_wall_s": wall,
        "import_startup_s": startup,
        "hash_s": hash_seconds,
        "hasher": iterations,
    }


# ---------------------------------------------------------------------------------------------
# hocvuso: the learning benchmark's world, one team of 1,000, and the people import.


def ours_world(args: argparse.Namespace, workdir: Path) -> dict:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from people_import import write_csv

    from hocvuso.accounts.models import Role
    from hocvuso.accounts.services import create_user
    from hocvuso.people.importers import iter_resident_rows
    from hocvuso.people.services import ImportMode, import_residents
    from hocvuso.places.models import Area
    from hocvuso.places.services import create_village
    from learning import build_world

    world = build_world(argparse.Namespace(learners=args.learners, clients=args.clients, seed=2025))
    commune = Area.objects.get(code="04399")
    village = create_village(commune=commune, name="Thôn Nhập Thử")
    officer = create_user(
        username="bench.peer.import", password=None, roles=[(Role.COMMUNE_OFFICER, commune)]
    )
    path = workdir / "residents.csv"
    write_csv(path, args.import_rows, offset=7 * 10**6, village_code=village.code)
    started = time.perf_counter()
    with path.open("rb") as stream:
        result = import_residents(
            village_or_commune=commune,
            rows=iter_resident_rows(stream, name=path.name),
            mode=ImportMode.ALL_OR_NOTHING,
            imported_by=officer,
        )
    elapsed = time.perf_counter() - started
    if result.errors:
        sys.exit(f"our import refused rows: {result.errors[:3]}")
    return {
        "world": world,
        "import_rows": args.import_rows,
        "import_s": elapsed,
        "iterations": PBKDF2PasswordHasher.iterations,
    }


# ---------------------------------------------------------------------------------------------
# The client: wrk, one thread and connection per client, each with its own request.

WRK_SCRIPT = """
local slots = {%(slots)s}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("slot", (counter - 1) %% #slots + 1)
end
function init(args)
  n = 0
  s = slots[slot]
end
function request()
  n = n + 1
  local body = s.body
  if body ~= nil and s.steps > 0 then
    body = string.gsub(body, "__N__", tostring(n %% s.steps + 1))
  end
  return wrk.format(s.method, s.path, s.headers, body)
end
function done(summary, latency, requests)
  io.write(string.format(
    "WRK {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50_us\\": %%d, \\"p95_us\\": %%d, " ..
    "\\"p99_us\\": %%d, \\"status_errors\\": %%d, \\"socket_errors\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def lua(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"[{json.dumps(k)}] = {lua(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "{" + ", ".join(lua(v) for v in value) + "}"
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


def wrk(port: int, slots: list[dict], *, clients: int, duration: int) -> dict:
    """Drive the server with `clients` connections; each cycles through its slot's request."""
    for slot in slots:
        slot.setdefault("steps", 0)
        slot.setdefault("body", None)
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(WRK_SCRIPT % {"slots": ", ".join(lua(s) for s in slots)})
    try:
        figures = {}
        # A short warm-up first: every server compiles templates and fills caches on first use.
        for seconds in (2, duration):
            output = subprocess.run(
                [
                    "wrk",
                    f"--threads={clients}",
                    f"--connections={clients}",
                    f"--duration={seconds}s",
                    "--timeout=20s",
                    f"--script={script}",
                    f"http://{HOST}:{port}/",
                ],
                capture_output=True,
                text=True,
                check=True,
                timeout=seconds + 60,
            ).stdout
            line = next(line for line in output.splitlines() if line.startswith("WRK "))
            figures = json.loads(line[4:])
    finally:
        script.unlink()
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["p50_ms"] = figures["p50_us"] / 1000
    figures["p95_ms"] = figures["p95_us"] / 1000
    return figures


def sequential(port: int, path: str, headers: dict, count: int) -> dict:
    from learning import sequential_ms

    samples = sequential_ms(port, path, headers, count)
    return {
        "rps": 1000 / statistics.mean(samples),
        "p50_ms": statistics.median(samples),
        "p95_ms": statistics.quantiles(samples, n=20)[18],
        "requests": len(samples),
        "status_errors": 0,
        "socket_errors": 0,
    }


# ---------------------------------------------------------------------------------------------
# The run.


def measure(args: argparse.Namespace, ours: dict, theirs: dict, our_port: int) -> list[tuple]:
    from learning import cookie_header, csrf_of

    world = ours["world"]
    kport = theirs["port"]
    opts = {"clients": args.clients, "duration": args.duration}
    rows = []

    print("  sign-in …", flush=True)
    login_csrf = []
    for _ in range(args.clients):
        _status, headers, body = http_request(our_port, "GET", "/tai-khoan/dang-nhap/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        login_csrf.append((cookies_of(headers)["csrftoken"], token))
    ours_login = wrk(
        our_port,
        [
            {
                "method": "POST",
                "path": "/tai-khoan/dang-nhap/",
                "headers": {
                    "Cookie": f"csrftoken={cookie}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                "body": f"username=hv{n:06d}&password={LEARNER_PASSWORD}&csrfmiddlewaretoken={token}",
            }
            for n, (cookie, token) in enumerate(login_csrf)
        ],
        **opts,
    )
    kcsrf = kolibri_csrf(kport)
    theirs_login = wrk(
        kport,
        [
            {
                "method": "POST",
                "path": "/api/auth/session/",
                "headers": {
                    "Cookie": f"kolibri_csrftoken={kcsrf}",
                    "X-CSRFToken": kcsrf,
                    "Content-Type": "application/json",
                },
                "body": json.dumps(
                    {
                        "username": f"hv{n:06d}",
                        "password": LEARNER_PASSWORD,
                        "facility": theirs["facility"],
                    }
                ),
            }
            for n in range(args.clients)
        ],
        **opts,
    )
    rows.append(("sign-in of a learner (password check)", ours_login, theirs_login))

    print("  learner home …", flush=True)
    ours_home = wrk(
        our_port,
        [
            {"method": "GET", "path": "/hoc/cua-toi/", "headers": {"Cookie": cookie_header(s)}}
            for s in world.client_sessions
        ],
        **opts,
    )
    theirs_home = wrk(
        kport,
        [
            {"method": "GET", "path": "/learn/api/homehydrate", "headers": {"Cookie": c["cookie"]}}
            for c in theirs["clients"]
        ],
        **opts,
    )
    theirs_shell = wrk(
        kport,
        [
            {"method": "GET", "path": "/vi/learn/", "headers": {"Cookie": c["cookie"]}}
            for c in theirs["clients"]
        ],
        **opts,
    )
    rows.append(("learner home (theirs: home data API)", ours_home, theirs_home))
    rows.append(("learner home (theirs: HTML shell)", ours_home, theirs_shell))

    print("  progress writes …", flush=True)
    guide_path = f"/hoc/khoa-hoc/{world.course_slug}/bai/{world.guide_id}/"
    csrf = [csrf_of(our_port, guide_path, session) for session in world.client_sessions]
    ours_writes = wrk(
        our_port,
        [
            {
                "method": "POST",
                "path": guide_path + "buoc/",
                "headers": {
                    "Cookie": cookie_header(session, cookie),
                    "X-CSRFToken": token,
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                "body": f"csrfmiddlewaretoken={token}&position=__N__",
                "steps": world.guide_steps,
            }
            for session, (cookie, token) in zip(world.client_sessions, csrf, strict=True)
        ],
        **opts,
    )
    theirs_writes = wrk(
        kport,
        [
            {
                "method": "PUT",
                "path": f"/api/logger/trackprogress/{c['progress_session']}/",
                "headers": {
                    "Cookie": c["cookie"],
                    "X-CSRFToken": c["csrf"],
                    "Content-Type": "application/json",
                },
                "body": json.dumps({"progress_delta": 0.0001, "time_spent_delta": 1}),
            }
            for c in theirs["clients"]
        ],
        **opts,
    )
    rows.append(("progress write (HTTP, CSRF)", ours_writes, theirs_writes))

    print(f"  class report of {args.learners:,} learners, one request at a time …", flush=True)
    ours_report = sequential(
        our_port,
        f"/hoc/tien-do/{world.team_code}/",
        {"Cookie": cookie_header(world.leader_session)},
        args.report_requests,
    )
    theirs_report = sequential(
        kport,
        f"/coach/api/classsummary/{theirs['classroom']}/",
        {"Cookie": theirs["admin"]["cookie"]},
        args.report_requests,
    )
    rows.append(
        (f"class report, {args.learners:,} learners (sequential)", ours_report, theirs_report)
    )
    return rows


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "—"


def report(rows: list[tuple], ours: dict, theirs: dict, args: argparse.Namespace) -> None:
    header = (
        f"{'workload':<44} {'ours r/s':>9} {'theirs r/s':>10} {'ratio':>6}  "
        f"{'ours p50':>8} {'theirs p50':>10} {'ratio':>6}  {'ours p95':>8} {'theirs p95':>10} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    errors = []
    for label, a, b in rows:
        print(
            f"{label:<44} {a['rps']:>9,.1f} {b['rps']:>10,.1f} {ratio(a['rps'], b['rps']):>6}  "
            f"{a['p50_ms']:>6.1f}ms {b['p50_ms']:>8.1f}ms {ratio(a['p50_ms'], b['p50_ms']):>6}  "
            f"{a['p95_ms']:>6.1f}ms {b['p95_ms']:>8.1f}ms {ratio(a['p95_ms'], b['p95_ms']):>6}"
        )
        for side, fig in (("ours", a), ("theirs", b)):
            if fig["status_errors"] or fig["socket_errors"]:
                errors.append(
                    f"{label} ({side}): {fig['status_errors']} non-2xx/3xx, "
                    f"{fig['socket_errors']} socket errors of {fig['requests']}"
                )
    ours_rate = ours["import_rows"] / ours["import_s"]
    net = max(theirs["import_wall_s"] - theirs["import_startup_s"], 1e-9)
    theirs_rate = theirs["import_rows"] / net
    without_hash = max(net - theirs["import_rows"] * theirs["hash_s"], 1e-9)
    print(
        f"{'bulk import of ' + format(args.import_rows, ',') + ' people (rows/s)':<44} "
        f"{ours_rate:>9,.0f} {theirs_rate:>10,.0f} {ratio(ours_rate, theirs_rate):>6}"
    )
    print()
    print(
        f"bulk import: ours {ours['import_rows']:,} residents (households, encrypted ID numbers, "
        f"consent) in {ours['import_s']:.2f} s in-process; theirs {theirs['import_rows']:,} learner "
        f"accounts in {theirs['import_wall_s']:.1f} s wall − {theirs['import_startup_s']:.1f} s "
        f"start-up (a one-row dry run) = {net:.1f} s, of which ≈ "
        f"{theirs['import_rows'] * theirs['hash_s']:.1f} s hashing passwords "
        f"({theirs['hash_s'] * 1000:.0f} ms each); without the hashing ≈ "
        f"{theirs['import_rows'] / without_hash:,.0f} rows/s (ratio "
        f"{ratio(ours_rate, theirs['import_rows'] / without_hash)})"
    )
    print(
        f"sign-in: both hash with PBKDF2-SHA256; ours (Django 5.2) {ours['iterations']:,} "
        f"iterations, theirs (Kolibri's Django) {theirs['hasher']} — most of the gap is that."
    )
    print(
        f"servers: ours gunicorn {args.workers} sync workers; theirs `kolibri start` (CherryPy "
        f"threads, one process), as each ships; wrk {args.clients} connections × {args.duration} s "
        "after a 2 s warm-up, loopback."
    )
    print(
        "class report: theirs has no channel, lesson or quiz (content cannot be imported offline), "
        "so it has less to compute than ours (a course of lessons and a final check per learner)."
    )
    if errors:
        print("ERRORS: " + "; ".join(errors))
    else:
        print("errors: none (every response 2xx/3xx, no socket errors)")


def run(args: argparse.Namespace) -> None:
    import django

    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-peer-"))
    pg = args.postgres_url.rstrip("/")
    our_url = (
        f"{pg}/hocvuso_bench_peer"
        if args.engine == "postgresql"
        else (f"sqlite:///{workdir / 'bench.sqlite3'}")
    )
    env = {
        **os.environ,
        "DATABASE_URL": our_url,
        "HOCVUSO_DATA_DIR": str(workdir),
        "SECRET_KEY": "bench-only-not-secret",
        "PERSONAL_DATA_KEY": "bench-only-personal-data-key",
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "DJANGO_SETTINGS_MODULE": "hocvuso.config.settings.base",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(SRC),
        # Every sign-in of the load comes from 127.0.0.1: none of them fails, but be sure.
        "LOGIN_FAILURE_LIMIT_PER_ADDRESS": "1000000",
    }
    for key in ("OIDC_RP_CLIENT_ID", "REDIS_URL"):
        env.pop(key, None)
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(SRC))
    print(f"Peer benchmark: hocvuso beside Kolibri {KOLIBRI_VERSION} ({args.engine}, both)")
    ensure_kolibri(args.engine)
    kolibri = Kolibri(args.engine, f"{pg}/hocvuso_bench_peer_kolibri")
    server = None
    try:
        with (
            postgres_database(our_url, recreate=True)
            if args.engine == "postgresql"
            else _nothing(),
            postgres_database(f"{pg}/hocvuso_bench_peer_kolibri", recreate=True)
            if args.engine == "postgresql"
            else _nothing(),
        ):
            try:
                django.setup()
                print_machine()
                print(
                    f"  building ours: {args.learners:,} learners, import of {args.import_rows:,} …"
                )
                ours = ours_world(args, workdir)
                print(f"  building theirs: provision, bulk import of {args.learners:,} learners …")
                theirs = kolibri_world(args, kolibri, workdir)
                from django.db import connections

                connections.close_all()
                from learning import Gunicorn

                server = Gunicorn(argparse.Namespace(workers=args.workers, threads=1), env)
                rows = measure(args, ours, theirs, server.port)
                print()
                report(rows, ours, theirs, args)
            finally:
                # Both servers stop before their databases are dropped.
                if server is not None:
                    server.stop()
                kolibri.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def main() -> None:
    args = parse_args()
    ensure_wrk()
    run(args)


if __name__ == "__main__":
    main()
