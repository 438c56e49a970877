"""Load test: a realistic mix on the production-like stack, its peak, then 80 % of it for 10 minutes.

    .venv/bin/python bench/load.py                    # peak search, then 10 minutes at 80 %
    .venv/bin/python bench/load.py --duration 60      # a shorter sustained run

The stack is the production profile's (`python3 dev.py production`): gunicorn with
src/hocvuso/config/gunicorn.py and the production settings, PostgreSQL, Redis for cache and sessions
and a Huey worker (`hocvuso run_huey`), all on this machine, served on a free port of 127.0.0.1, on
a PostgreSQL database made for the run (10,000 learners as bench/learning.py, ten village teams,
a commune officer) and dropped after it. Without Redis it runs gunicorn on the base settings.

The mix, one thread and one keep-alive connection per virtual user:
  learners (70 %)      read a lesson, record a guide step, and take the final check question by
                       question (start, read the question, answer, submit), with CSRF
  team members (15 %)  POST /api/v1/field/sync, 5 visits a batch, each with a client-made id
  officers (15 %)      open the commune's dashboards (the monitoring pages and
                       /api/v1/areas/{code}/indicators where they exist, else the area pages)

First the peak: clients step up until throughput stops rising (< 3 %) or an error appears. Then
the sustained run: the peak's clients paced to 80 % of the peak's requests per second. Every 5xx
and every socket error is counted. Afterwards the database is checked: every write the server
acknowledged (a sync item answered "applied" or "duplicate", a quiz answer answered with its
redirect) is present exactly once. Bounded: each phase ends at its deadline, loopback only.
"""

import argparse
import datetime
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from common import SRC, http_request, postgres_database, print_machine

ROOT = SRC.parent
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
GUNICORN_CONFIG = SRC / "hocvuso" / "config" / "gunicorn.py"
PRODUCTION_SETTINGS = SRC / "hocvuso" / "config" / "settings" / "production.py"
SYNC_BATCH = 5
HOUSEHOLDS_PER_TEAM = 300
MIX = {"learner": 0.70, "team": 0.15, "officer": 0.15}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--postgres-url", default="postgres://postgres@127.0.0.1:5432/hocvuso_bench_load"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--no-redis", action="store_true", help="base settings, no Redis/Huey")
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--steps", default="4,8,12,16,24,32", help="clients per peak step")
    parser.add_argument("--step-seconds", type=int, default=20)
    parser.add_argument("--duration", type=int, default=600, help="sustained run, seconds (600)")
    parser.add_argument("--share", type=float, default=0.8, help="share of the peak (0.8)")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (its config)")
    parser.add_argument("--seed", type=int, default=2025)
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------------------------
# The world.


@dataclass
class World:
    course_slug: str = ""
    reading_id: int = 0
    guide_id: int = 0
    guide_steps: int = 0
    check_id: int = 0
    commune: str = "04399"
    learner_sessions: list[tuple[str, str]] = field(default_factory=list)  # (username, session)
    team_tokens: list[dict] = field(default_factory=list)
    officer_session: str = ""


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


def build_world(learners: int, clients: int, teams: int, seed: int) -> World:
    """The learning benchmark's 10,000 learners, teams with households, and a commune officer."""
    from django.utils import timezone

    from hocvuso.accounts.models import Role, User
    from hocvuso.accounts.services import create_user
    from hocvuso.accounts.tokens import issue_token
    from hocvuso.field.services.teams import add_team_member, save_team
    from hocvuso.learning.models import Enrollment, Lesson, LessonProgress
    from hocvuso.people.models import Household, Resident
    from hocvuso.places.models import Area
    from learning import build_world as learning_world

    base = learning_world(argparse.Namespace(learners=learners, clients=clients, seed=seed))
    guide = Lesson.objects.get(pk=base.guide_id)
    lessons = list(Lesson.objects.filter(course_id=guide.course_id).order_by("position", "id"))
    check = next(x for x in lessons if x.kind == Lesson.Kind.CHECK)
    # Unlimited attempts: the load takes the check again and again.
    Lesson.objects.filter(pk=check.pk).update(max_attempts=0)
    usernames = [f"hv{n:06d}" for n in range(clients)]
    users = list(User.objects.filter(username__in=usernames).order_by("username"))
    now = timezone.now()
    for enrollment in Enrollment.objects.filter(learner__in=users):
        for lesson in lessons:
            if lesson.pk == check.pk:
                continue
            LessonProgress.objects.update_or_create(
                enrollment=enrollment, lesson=lesson, defaults={"completed_at": now}
            )
    commune = Area.objects.get(code="04399")
    villages = list(
        Area.objects.filter(parent=commune, level=Area.Level.VILLAGE).order_by("code")[:teams]
    )
    tokens = []
    for n, village in enumerate(villages):
        member = create_user(
            username=f"bench.to.{n}", password=None, roles=[(Role.TEAM_MEMBER, village)]
        )
        team = save_team(village=village, decision_number=f"{n + 1:02d}/QĐ-UBND")
        add_team_member(team=team, user=member, joined_on=datetime.date(2025, 9, 1))
        households = Household.objects.bulk_create(
            Household(village=village, head_name=f"Hộ {k:04d}", number=str(k), created_by=member)
            for k in range(HOUSEHOLDS_PER_TEAM)
        )
        residents = Resident.objects.bulk_create(
            Resident(
                household=h, village=village, full_name=f"{h.head_name} {w}", created_by=member
            )
            for h in households
            for w in ("chủ hộ", "vợ/chồng")
        )
        people: dict[int, list[int]] = defaultdict(list)
        for resident in residents:
            people[resident.household_id].append(resident.pk)
        _token, raw = issue_token(user=member, name="Bench load")
        tokens.append({"token": raw, "households": sorted(people.items())})
    officer = create_user(
        username="bench.canboxa", password=None, roles=[(Role.COMMUNE_OFFICER, commune)]
    )
    return World(
        course_slug=base.course_slug,
        reading_id=base.reading_id,
        guide_id=base.guide_id,
        guide_steps=base.guide_steps,
        check_id=check.pk,
        learner_sessions=list(zip(usernames, base.client_sessions, strict=True)),
        team_tokens=tokens,
        officer_session=session_for(officer),
    )


def dashboard_paths(code: str) -> list[str]:
    """The officer's pages: every monitoring page of an area, its indicators API, the area page."""
    from django.urls import NoReverseMatch, get_resolver, reverse

    paths = []
    resolver = get_resolver()
    namespaces = resolver.namespace_dict
    if "monitoring" in namespaces:
        _prefix, sub = namespaces["monitoring"]
        for name in sorted(key for key in sub.reverse_dict if isinstance(key, str)):
            for kwargs in ({"code": code}, {}):
                try:
                    path = reverse(f"monitoring:{name}", kwargs=kwargs)
                except NoReverseMatch:
                    continue
                if not re.search(r"(xuat|tai-ve|export|pdf|csv|xlsx|bao-cao/tao)", path):
                    paths.append(path)
                break
    paths.append(f"/api/v1/areas/{code}/indicators")
    paths.append(f"/dia-ban/{code}/")
    return list(dict.fromkeys(paths))


# ---------------------------------------------------------------------------------------------
# The stack.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def redis_reachable(url: str) -> bool:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        return True
    except Exception:
        return False


class Stack:
    """gunicorn (+ the Huey worker) for one database, started and stopped by this process."""

    def __init__(self, env: dict[str, str], *, workers: int = 0, huey: bool) -> None:
        self.env = env
        self.port = free_port()
        self.workers = workers
        self.huey = huey
        self.gunicorn: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.log = Path(tempfile.mkstemp(prefix="hocvuso-load-", suffix=".log")[1])

    def start(self) -> None:
        env = {**self.env, "PORT": str(self.port), "GUNICORN_BIND": f"{HOST}:{self.port}"}
        env["GUNICORN_LOG_LEVEL"] = "warning"
        if self.workers:
            env["WEB_CONCURRENCY"] = str(self.workers)
        command = [str(VENV_BIN / "gunicorn")]
        if GUNICORN_CONFIG.exists():
            command += ["-c", str(GUNICORN_CONFIG)]
        else:
            command += [f"--bind={HOST}:{self.port}", f"--workers={self.workers or 5}"]
        command.append("hocvuso.config.wsgi:application")
        handle = self.log.open("a")
        self.gunicorn = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT
        )
        if self.huey:
            self.worker = subprocess.Popen(
                [str(VENV_BIN / "hocvuso"), "run_huey"],
                env=env,
                cwd=ROOT,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _h, _b = one_request(self.port, "GET", "/api/v1/health")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit(f"gunicorn did not answer within 60 s; see {self.log}")

    def describe(self) -> str:
        workers = len(self.worker_pids())
        return (
            f"gunicorn {workers} sync workers"
            + (f" (config {GUNICORN_CONFIG.relative_to(ROOT)})" if GUNICORN_CONFIG.exists() else "")
            + f", settings {self.env['DJANGO_SETTINGS_MODULE'].rsplit('.', 1)[1]}"
            + (", Redis cache/sessions, Huey worker" if self.huey else ", no Redis")
        )

    def worker_pids(self) -> list[int]:
        """The gunicorn workers: the children of the master."""
        if self.gunicorn is None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.gunicorn.pid:
                found.append(int(entry.name))
        return sorted(found)

    def stop(self) -> None:
        for proc, sig in ((self.gunicorn, signal.SIGTERM), (self.worker, signal.SIGINT)):
            if proc is not None and proc.poll() is None:
                proc.send_signal(sig)
        for proc in (self.gunicorn, self.worker):
            if proc is None:
                continue
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def errors_logged(self) -> list[str]:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return [line for line in text.splitlines() if "Traceback" in line or "ERROR" in line]


def one_request(port: int, method: str, path: str, headers: dict | None = None, body=None):
    return http_request(port, method, path, headers, body, timeout=30)


# ---------------------------------------------------------------------------------------------
# The clients.


class Stats:
    """Every request of a phase: status classes, latencies per kind, and the acknowledged writes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, Counter] = defaultdict(Counter)
        self.server_errors: list[tuple[float, str, str]] = []
        self.started = time.monotonic()
        self.ended = self.started

    def add(self, kind: str, status: int | None, seconds: float, detail: str = "") -> None:
        with self.lock:
            if status is None:
                self.status[kind]["socket"] += 1
                self.server_errors.append((time.monotonic(), kind, detail))
            else:
                self.status[kind][f"{status // 100}xx"] += 1
                self.latency[kind].append(seconds)
                if status >= 500:
                    self.server_errors.append((time.monotonic(), kind, f"{status} {detail}"))

    @property
    def requests(self) -> int:
        return sum(sum(c.values()) for c in self.status.values())

    def count(self, klass: str) -> int:
        return sum(c[klass] for c in self.status.values())

    def rps(self) -> float:
        return self.requests / max(self.ended - self.started, 1e-9)

    def all_latencies(self) -> list[float]:
        return [x for values in self.latency.values() for x in values]


@dataclass
class Acks:
    """What the server acknowledged, to be found in the database afterwards."""

    sync: dict[str, dict] = field(default_factory=dict)  # client_id → the item sent
    answers: set[tuple[str, int, int]] = field(default_factory=set)  # (username, attempt, question)
    rejected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class PhaseOver(Exception):
    """The phase's deadline came: the virtual user stops where it is."""


class Client:
    """One keep-alive connection with its cookies, like a browser tab or the field app."""

    def __init__(self, port: int, stats_ref: list, cookies: dict[str, str] | None = None):
        self.port = port
        self.stats_ref = stats_ref  # [Stats, Pacer, deadline]: swapped between phases
        self.cookies = dict(cookies or {})
        self.conn: http.client.HTTPConnection | None = None

    def request(self, kind: str, method: str, path: str, body=None, headers=None):
        pacer, deadline = self.stats_ref[1], self.stats_ref[2]
        if not pacer.wait(deadline):
            raise PhaseOver
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST" and "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
            headers.setdefault("Referer", f"http://{HOST}:{self.port}{path}")
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.stats_ref[0].add(kind, None, time.perf_counter() - started, repr(error))
            self.close()
            return None, None, b""
        elapsed = time.perf_counter() - started
        self.stats_ref[0].add(kind, response.status, elapsed, f"{method} {path}")
        jar = SimpleCookie()
        for value in response.headers.get_all("Set-Cookie") or []:
            jar.load(value)
        for key, morsel in jar.items():
            self.cookies[key] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, response.headers, data

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Learner:
    kind = "learner"

    def __init__(self, client: Client, world: World, username: str, acks: Acks, rng):
        self.client = client
        self.world = world
        self.username = username
        self.acks = acks
        self.rng = rng
        base = f"/hoc/khoa-hoc/{world.course_slug}/bai/"
        self.reading = f"{base}{world.reading_id}/"
        self.guide = f"{base}{world.guide_id}/"
        self.check = f"{base}{world.check_id}/"
        self.attempt: str | None = None
        self.phase = 0

    def act(self) -> None:
        """One request of the learner's cycle: read, record a step, one move through the check."""
        self.phase = (self.phase + 1) % 3
        if self.phase == 1 or "csrftoken" not in self.client.cookies:
            self.client.request("lesson page", "GET", self.reading)
        elif self.phase == 2:
            position = self.rng.randint(1, self.world.guide_steps)
            self.client.request(
                "guide step",
                "POST",
                self.guide + "buoc/",
                body=f"position={position}",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
        else:
            self.quiz()

    def quiz(self) -> None:
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.attempt is None:
            status, headers, _ = self.client.request(
                "quiz start", "POST", self.check + "lam-bai/", body="", headers=form
            )
            if status == 302 and "/lan-lam/" in headers.get("Location", ""):
                self.attempt = headers["Location"].split("?")[0]
            return
        status, _headers, page = self.client.request("quiz question", "GET", self.attempt)
        if status != 200:
            self.attempt = None
            return
        found = re.search(rb'name="question" value="(\d+)"', page)
        if found is None:
            self.client.request(
                "quiz submit", "POST", self.attempt + "nop-bai/", body="", headers=form
            )
            self.attempt = None
            return
        question = int(found.group(1))
        orders = re.findall(rb'name="order-(\d+)"', page)
        if orders:
            body = "&".join(f"order-{o.decode()}={n}" for n, o in enumerate(orders, start=1))
        else:
            choices = re.findall(rb'name="choice"\s+value="(\d+)"', page)
            body = f"choice={self.rng.choice(choices).decode()}" if choices else ""
        body = f"question={question}&{body}"
        status, headers, _ = self.client.request(
            "quiz answer", "POST", self.attempt + "tra-loi/", body=body, headers=form
        )
        if status == 302 and "?cau=" in headers.get("Location", ""):
            number = int(self.attempt.rstrip("/").rsplit("/", 1)[1])
            with self.acks.lock:
                self.acks.answers.add((self.username, number, question))


class TeamMember:
    kind = "team"

    def __init__(self, client: Client, token: dict, acks: Acks, rng):
        self.client = client
        self.token = token["token"]
        self.households = token["households"]
        self.acks = acks
        self.rng = rng
        self.visited: set[int] = set()

    def batch(self) -> list[dict]:
        today = datetime.date.today().isoformat()
        items = []
        for household_id, people in self.rng.sample(self.households, SYNC_BATCH):
            payload = {
                "visited_on": today,
                "household_id": household_id,
                "resident_ids": people,
                "activities": "Hướng dẫn cài VNeID, thanh toán bằng mã QR",
                "problems_received": 1,
                "problems_resolved": 1,
            }
            if household_id not in self.visited:
                payload["milestones"] = {str(people[0]): ["has_smartphone"]}
                self.visited.add(household_id)
            items.append({"client_id": str(uuid.uuid4()), "type": "visit", "payload": payload})
        return items

    def send(self, items: list[dict], kind: str = "field sync") -> dict | None:
        status, _h, body = self.client.request(
            kind,
            "POST",
            "/api/v1/field/sync",
            body=json.dumps({"items": items}),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        if status != 200:
            return None
        answer = json.loads(body)
        sent = {item["client_id"]: item for item in items}
        with self.acks.lock:
            for result in answer["results"]:
                if result["status"] in ("applied", "duplicate"):
                    # The token goes with it: a replay is sent by the same team member.
                    self.acks.sync[result["client_id"]] = {
                        **sent[result["client_id"]],
                        "_token": self.token,
                    }
                else:
                    self.acks.rejected.append(f"{result['status']}: {result['reason']}")
        return answer

    def act(self) -> None:
        self.send(self.batch())


class Officer:
    kind = "officer"

    def __init__(self, client: Client, paths: list[str], rng):
        self.client = client
        self.paths = paths
        self.rng = rng

    def act(self) -> None:
        self.client.request("dashboard", "GET", self.rng.choice(self.paths))


class Pacer:
    """Requests handed out at a fixed rate across all threads (none: as fast as they come)."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1 / rate if rate else 0.0
        self.next = time.monotonic()
        self.lock = threading.Lock()

    def wait(self, deadline: float) -> bool:
        if not self.interval:
            return time.monotonic() < deadline
        with self.lock:
            now = time.monotonic()
            # Behind schedule by more than a second: drop the backlog instead of bursting.
            slot = max(self.next, now - 1.0)
            self.next = slot + self.interval
        if slot >= deadline:
            return False
        delay = slot - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        return True


class Load:
    """The virtual users of a run; phases reuse them, so their sessions and attempts go on."""

    def __init__(self, port: int, world: World, paths: list[str], seed: int) -> None:
        self.port = port
        self.world = world
        self.paths = paths
        self.acks = Acks()
        self.stats_ref = [Stats(), Pacer(None), float("inf")]
        self.rng = random.Random(seed)
        self.pools: dict[str, list] = {"learner": [], "team": [], "officer": []}

    def _user(self, kind: str, index: int):
        pool = self.pools[kind]
        while len(pool) <= index:
            n = len(pool)
            rng = random.Random(self.rng.random())
            if kind == "learner":
                username, session = self.world.learner_sessions[n]
                client = Client(self.port, self.stats_ref, {"sessionid": session})
                pool.append(Learner(client, self.world, username, self.acks, rng))
            elif kind == "team":
                token = self.world.team_tokens[n % len(self.world.team_tokens)]
                pool.append(TeamMember(Client(self.port, self.stats_ref), token, self.acks, rng))
            else:
                client = Client(
                    self.port, self.stats_ref, {"sessionid": self.world.officer_session}
                )
                pool.append(Officer(client, self.paths, rng))
        return pool[index]

    @staticmethod
    def split(clients: int) -> dict[str, int]:
        team = max(1, round(clients * MIX["team"]))
        officer = max(1, round(clients * MIX["officer"]))
        return {"learner": max(1, clients - team - officer), "team": team, "officer": officer}

    def phase(self, clients: int, seconds: float, rate: float | None = None, during=None) -> Stats:
        """Run `clients` virtual users for `seconds`, paced to `rate` requests/s when given."""
        stats = Stats()
        users = [
            self._user(kind, i) for kind, count in self.split(clients).items() for i in range(count)
        ]
        deadline = time.monotonic() + seconds
        # Every request, not every action, takes its turn from the pacer.
        self.stats_ref[:] = [stats, Pacer(rate), deadline]
        stats.started = time.monotonic()

        def loop(user) -> None:
            while time.monotonic() < deadline:
                try:
                    user.act()
                except PhaseOver:
                    return
                except Exception as error:  # a client bug must show, not hang the phase
                    stats.add(user.kind, None, 0.0, f"client error {error!r}")
                    user.client.close()
                    time.sleep(0.05)

        threads = [threading.Thread(target=loop, args=(u,), daemon=True) for u in users]
        for thread in threads:
            thread.start()
        if during is not None:
            during()
        for thread in threads:
            thread.join(timeout=seconds + 120)
        stats.ended = time.monotonic()
        for user in users:
            user.client.close()
        # Requests between phases (the fault scenarios' own) are neither paced nor cut off.
        self.stats_ref[:] = [Stats(), Pacer(None), float("inf")]
        return stats


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return (values[0] if values else 0.0) * 1000
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def describe_phase(stats: Stats) -> str:
    lat = stats.all_latencies()
    return (
        f"{stats.requests:>7,} requests {stats.rps():7.1f}/s  p50 {pct(lat, 50):6.1f} ms  "
        f"p95 {pct(lat, 95):7.1f} ms  5xx {stats.count('5xx')}  socket {stats.count('socket')}  "
        f"4xx {stats.count('4xx')}"
    )


def print_mix(stats: Stats) -> None:
    total = max(stats.requests, 1)
    print(
        f"    {'request':<16} {'share':>6} {'count':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses"
    )
    for kind in sorted(stats.status, key=lambda k: -sum(stats.status[k].values())):
        count = sum(stats.status[kind].values())
        lat = stats.latency[kind]
        print(
            f"    {kind:<16} {count / total:>6.1%} {count:>8,} {pct(lat, 50):>8.1f} "
            f"{pct(lat, 95):>8.1f} {pct(lat, 99):>8.1f}  {dict(stats.status[kind])}"
        )


def find_peak(load: Load, steps: list[int], seconds: int) -> tuple[int, float, list]:
    """Step the clients up until throughput stops rising by 3 % or an error appears."""
    best_clients, best_rps, rows = 0, 0.0, []
    # Every worker imports the app, compiles templates and opens its connection first.
    load.phase(steps[0], 5)
    for clients in steps:
        stats = load.phase(clients, seconds)
        errors = stats.count("5xx") + stats.count("socket")
        rows.append((clients, stats))
        print(f"  {clients:>3} clients: {describe_phase(stats)}", flush=True)
        if errors:
            print(f"      errors at {clients} clients: stop")
            break
        if stats.rps() > best_rps * 1.03:
            best_clients, best_rps = clients, stats.rps()
        else:
            break
    return best_clients, best_rps, rows


# ---------------------------------------------------------------------------------------------
# The check afterwards.


def verify(acks: Acks) -> dict:
    """Every acknowledged write present exactly once; what else was stored is reported too."""
    from django.db import connections
    from django.db.models import Count

    from hocvuso.field.models import Visit
    from hocvuso.field.models_sync import SyncReceipt
    from hocvuso.learning.models import AttemptAnswer
    from hocvuso.people.models import MilestoneEvent

    connections.close_all()
    ids = list(acks.sync)
    found: Counter = Counter()
    receipts = 0
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for client_id in Visit.objects.filter(client_id__in=chunk).values_list(
            "client_id", flat=True
        ):
            found[str(client_id)] += 1
        receipts += SyncReceipt.objects.filter(client_id__in=chunk).count()
    # A visit's milestones are events with the visit's id as their source: never twice.
    expected = {
        f"visit:{i}": sum(len(v) for v in item["payload"].get("milestones", {}).values())
        for i, item in acks.sync.items()
        if item["payload"].get("milestones")
    }
    events: Counter = Counter()
    sources = list(expected)
    for start in range(0, len(sources), 5000):
        events.update(
            MilestoneEvent.objects.filter(source__in=sources[start : start + 5000]).values_list(
                "source", flat=True
            )
        )
    dup_events = [s for s, n in events.items() if n > expected[s]]
    lost_sync = [i for i in ids if found[i] == 0]
    dup_sync = [i for i in ids if found[i] > 1]
    visits_total = Visit.objects.count()

    usernames = {a[0] for a in acks.answers}
    stored = Counter(
        (row["attempt__learner__username"], row["attempt__number"], row["question_id"])
        for row in AttemptAnswer.objects.filter(attempt__learner__username__in=usernames).values(
            "attempt__learner__username", "attempt__number", "question_id"
        )
    )
    lost_answers = [a for a in acks.answers if stored[a] == 0]
    dup_answers = [a for a, n in stored.items() if n > 1]
    per_pair = (
        AttemptAnswer.objects.values("attempt_id", "question_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    return {
        "sync_acked": len(ids),
        "sync_lost": len(lost_sync),
        "sync_duplicated": len(dup_sync) + len(dup_events),
        "milestone_events": sum(events.values()),
        "sync_receipts": receipts,
        "visits_in_db": visits_total,
        "answers_acked": len(acks.answers),
        "answers_lost": len(lost_answers),
        "answers_duplicated": len(dup_answers) + per_pair,
        "answers_in_db": sum(stored.values()),
        "rejected": len(acks.rejected),
        "rejected_sample": acks.rejected[:3],
    }


def print_verify(result: dict) -> bool:
    whole = not (
        result["sync_lost"]
        or result["sync_duplicated"]
        or result["answers_lost"]
        or result["answers_duplicated"]
    )
    print(
        f"  field sync : {result['sync_acked']:,} visits acknowledged → {result['sync_lost']} lost, "
        f"{result['sync_duplicated']} duplicated; {result['sync_receipts']:,} receipts, "
        f"{result['visits_in_db']:,} visits in the database, {result['milestone_events']:,} "
        "milestone events from them"
    )
    print(
        f"  quiz       : {result['answers_acked']:,} answers acknowledged → "
        f"{result['answers_lost']} lost, {result['answers_duplicated']} duplicated; "
        f"{result['answers_in_db']:,} answers of those learners in the database"
    )
    if result["rejected"]:
        print(f"  rejected items: {result['rejected']} e.g. {result['rejected_sample']}")
    return whole


# ---------------------------------------------------------------------------------------------
# The run.


def stack_env(database_url: str, workdir: Path, redis_url: str | None) -> dict[str, str]:
    settings = (
        "hocvuso.config.settings.production"
        if PRODUCTION_SETTINGS.exists() and redis_url
        else "hocvuso.config.settings.base"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HOCVUSO_DATA_DIR": str(workdir),
        "SECRET_KEY": "bench-only-not-secret-" + "x" * 40,
        "PERSONAL_DATA_KEY": "bench-only-personal-data-key",
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "DJANGO_SETTINGS_MODULE": settings,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(SRC),
        "LOGIN_FAILURE_LIMIT_PER_ADDRESS": "1000000",
    }
    for key in ("OIDC_RP_CLIENT_ID", "REDIS_URL", "HUEY_IMMEDIATE"):
        env.pop(key, None)
    if redis_url:
        env["REDIS_URL"] = redis_url
        # A queue of the run's own: nothing of another process's tasks is taken, nor left behind.
        env["HUEY_QUEUE"] = f"hocvuso-bench-{os.getpid()}"
    return env


def prepare(args: argparse.Namespace, workdir: Path, max_clients: int):
    """Environment, database content and officer paths; Django set up in this process."""
    redis_url = None if args.no_redis or not redis_reachable(args.redis_url) else args.redis_url
    env = stack_env(args.postgres_url, workdir, redis_url)
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, str(SRC))
    import django

    django.setup()
    learners = Load.split(max_clients)["learner"]
    teams = Load.split(max_clients)["team"]
    started = time.perf_counter()
    world = build_world(args.learners, learners, max(teams, 1), args.seed)
    paths = dashboard_paths(world.commune)
    return env, redis_url, world, paths, time.perf_counter() - started


def probe_paths(port: int, session: str, paths: list[str]) -> list[str]:
    kept = []
    for path in paths:
        status, _h, _b = one_request(port, "GET", path, {"Cookie": f"sessionid={session}"})
        if status == 200:
            kept.append(path)
    return kept


def run(args: argparse.Namespace) -> int:
    steps = [int(s) for s in args.steps.split(",")]
    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-load-"))
    stack = None
    try:
        with postgres_database(args.postgres_url, recreate=True):
            env, redis_url, world, paths, built = prepare(args, workdir, max(steps))
            from django.db import connections

            connections.close_all()
            print("hocvuso load test (loopback, bounded)")
            print_machine()
            stack = Stack(env, workers=args.workers, huey=bool(redis_url))
            stack.start()
            paths = probe_paths(stack.port, world.officer_session, paths)
            print(
                f"  stack   : {stack.describe()}; PostgreSQL {args.postgres_url.rsplit('/', 1)[1]}"
            )
            print(
                f"  data    : {args.learners:,} learners, {len(world.team_tokens)} teams × "
                f"{HOUSEHOLDS_PER_TEAM} households, built in {built:.0f} s"
            )
            print(f"  officer pages: {', '.join(paths)}")
            print(
                "  mix     : of the clients, learners 70 % (lesson page, guide step, check: start, "
                "question, answer, submit), team members 15 % (sync of 5 visits), officers 15 % "
                "(dashboards), rounded, at least one of each"
            )
            print()
            load = Load(stack.port, world, paths, args.seed)
            print(f"Peak search, {args.step_seconds} s a step:")
            peak_clients, peak_rps, rows = find_peak(load, steps, args.step_seconds)
            if not peak_clients:
                print("FAIL: no step ran without errors")
                return 1
            peak_stats = next(stats for clients, stats in rows if clients == peak_clients)
            users = ", ".join(f"{n} {kind}" for kind, n in Load.split(peak_clients).items())
            print(f"PEAK: {peak_rps:.1f} requests/s at {peak_clients} clients ({users}); its mix:")
            print_mix(peak_stats)
            rate = peak_rps * args.share
            print()
            print(
                f"Sustained: {args.duration} s at {args.share:.0%} of the peak = {rate:.1f} "
                f"requests/s, {peak_clients} clients …",
                flush=True,
            )
            stats = load.phase(peak_clients, args.duration, rate=rate)
            print(f"  {describe_phase(stats)}")
            print_mix(stats)
            errors = stats.count("5xx") + stats.count("socket")
            if stats.server_errors:
                print(f"  first errors: {stats.server_errors[:5]}")
            print()
            print("Checked in the database afterwards (every phase's acknowledged writes):")
            result = verify(load.acks)
            whole = print_verify(result)
            logged = stack.errors_logged()
            print(f"  server log: {len(logged)} error lines")
            ok = whole and errors == 0
            print()
            print(
                f"RESULT: peak {peak_rps:.1f} req/s at {peak_clients} clients; "
                f"{args.duration} s at {stats.rps():.1f} req/s ({stats.rps() / peak_rps:.0%} of "
                f"peak): {stats.count('5xx')} server errors, {stats.count('socket')} socket "
                f"errors, {result['sync_lost'] + result['answers_lost']} lost and "
                f"{result['sync_duplicated'] + result['answers_duplicated']} duplicated writes "
                f"— {'PASS' if ok else 'FAIL'}"
            )
            stack.stop()
            stack = None
            connections.close_all()
            return 0 if ok else 1
    finally:
        if stack is not None:
            stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    args = parse_args()
    sys.exit(run(args))


if __name__ == "__main__":
    main()
