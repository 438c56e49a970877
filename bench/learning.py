"""Benchmark of learning: lesson pages, progress writes and the team's progress view under gunicorn.

One command builds a fresh database with 10,000 learners enrolled in a course of the starter
catalogue's shape, starts gunicorn on a free port of 127.0.0.1, drives it with wrk (or nothing else:
every request stays on this machine, bounded in time) and prints the figures beside their targets:

    .venv/bin/python bench/learning.py                         # SQLite, then PostgreSQL
    .venv/bin/python bench/learning.py --database sqlite
    .venv/bin/python bench/learning.py --database postgresql --duration 20

(a) GET of a lesson page by 8 signed-in learners at once (real session cookies); (b) "next step"
of a guide as HTTP POSTs to the real endpoint, CSRF token and cookie taken from the lesson page;
(c) the progress view of one village team's 1,000 learners, one request at a time; (d) the bytes
of a lesson page without media, gzip-compressed, and of the CSS and JavaScript a first visit loads.

The SQLite file lives in a temporary folder; the PostgreSQL database (hocvuso_bench_learning on the
server of --postgres-url) is created for the run and dropped after it.
"""

import argparse
import gzip
import http.client
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from common import SRC, ensure_wrk, http_request, postgres_database, print_machine

ROOT = SRC.parent
VENV_BIN = ROOT / ".venv" / "bin"
SECRET_KEY = "bench-only-not-secret"
HOST = "127.0.0.1"
TEAM_SIZE = 1000

TARGETS = {
    "lesson_rps": ("≥ 200 req/s", lambda v: v >= 200),
    "lesson_p95_ms": ("p95 < 100 ms", lambda v: v < 100),
    "writes_per_s": ("≥ 300 /s", lambda v: v >= 300),
    "progress_ms": ("< 100 ms", lambda v: v < 100),
    "page_kb": ("< 60 KB", lambda v: v < 60),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/hocvuso_bench_learning"
        ),
        help="the database to create, use and drop for the PostgreSQL run",
    )
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for (a), (b)")
    parser.add_argument("--duration", type=int, default=15, help="seconds per load test (15)")
    parser.add_argument(
        "--workers",
        type=int,
        default=3,
        help="gunicorn workers (3: PostgreSQL shares the two cores with them)",
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per worker; >1 = gthread")
    parser.add_argument("--progress-requests", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--result-file", default="", help=argparse.SUPPRESS)
    return parser.parse_args()


# ---------------------------------------------------------------------------------------------
# The data: a course of the catalogue's shape and 10,000 learners at every stage of it.

READING = """Định danh điện tử mức 2 giúp bạn dùng **VNeID** thay cho căn cước khi làm thủ tục,
đi khám bệnh, nhận lương hưu hay mở tài khoản ngân hàng.

## Cần chuẩn bị gì?

- Căn cước gắn chip của chính bạn.
- Một điện thoại thông minh có mạng, số điện thoại chính chủ.
- Khoảng 15 phút ngồi ở chỗ đủ sáng.

## Bạn làm ở đâu?

Bạn có thể tự kích hoạt trên điện thoại, hoặc ra **công an xã** để được chụp ảnh và thu vân tay.
Tổ công nghệ số cộng đồng ở thôn sẽ ngồi cạnh bạn, chỉ từng bước, nhưng **không bao giờ hỏi mật khẩu
hay mã OTP** của bạn.

> Ghi nhớ: không ai được giữ hộ điện thoại, mật khẩu hay mã kích hoạt của bạn. Ai hỏi những thứ đó là
> kẻ lừa đảo.

## Sau khi kích hoạt

1. Đăng nhập VNeID bằng số định danh và mật khẩu của bạn.
2. Đặt mã bảo vệ 6 số dễ nhớ với bạn nhưng khó đoán với người khác.
3. Thử mở mục *Ví giấy tờ* để xem căn cước điện tử của mình.
4. Tích hợp thẻ bảo hiểm y tế và giấy phép lái xe, nếu có.

Nếu quên mật khẩu, hãy dùng chức năng *Quên mật khẩu* ngay trong ứng dụng, hoặc nhờ công an xã
hỗ trợ. Đừng nhờ người lạ qua mạng.
"""


def synthetic_document() -> dict:
    """A course like those of the starter catalogue: readings, a step-by-step guide, a check."""
    steps = [
        ("Mở kho ứng dụng", "Chạm vào CH Play (Android) hoặc App Store (iPhone)."),
        ("Tìm VNeID", "Gõ «VNeID» vào ô tìm kiếm, chọn ứng dụng của Bộ Công an."),
        ("Cài đặt", "Chạm «Cài đặt» và chờ tải xong; không cài ứng dụng nào khác tên gần giống."),
        ("Mở ứng dụng", "Chạm «Mở», cho phép ứng dụng dùng máy ảnh khi được hỏi."),
        ("Quét căn cước", "Đặt căn cước gắn chip lên mặt bàn, đưa máy ảnh vào mã QR ở mặt trước."),
        ("Chụp khuôn mặt", "Nhìn thẳng vào máy, làm theo hướng dẫn quay đầu trên màn hình."),
    ]
    questions = []
    for n in range(10):
        questions.append(
            {
                "kind": "single",
                "text": f"Câu {n + 1}: ai được biết mật khẩu VNeID của bạn?",
                "explanation": "Chỉ mình bạn. Công an, ngân hàng hay tổ công nghệ số không bao giờ hỏi.",
                "choices": [
                    {"text": "Chỉ mình tôi", "correct": True},
                    {"text": "Cán bộ gọi điện tới", "correct": False},
                    {"text": "Người bán hàng online", "correct": False},
                ],
            }
        )
    lesson = {"estimated_minutes": 5, "translations": {}, "steps": []}
    return {
        "format": "hocvuso-course",
        "format_version": 1,
        "slug": "bench-kich-hoat-vneid",
        "title": "Cài VNeID và kích hoạt định danh điện tử mức 2",
        "summary": "Từng bước cài ứng dụng, kích hoạt tài khoản và dùng VNeID an toàn.",
        "topic": "vneid",
        "target_groups": ["citizens", "officials"],
        "is_sequential": True,
        "estimated_minutes": 40,
        "lessons": [
            {**lesson, "kind": "reading", "title": "VNeID là gì, dùng để làm gì", "body": READING},
            {
                **lesson,
                "kind": "guide",
                "title": "Cài ứng dụng VNeID",
                "body": "Làm lần lượt từng bước dưới đây.",
                "steps": [
                    {
                        "title": t,
                        "instruction": i,
                        "image": None,
                        "image_alt": "",
                        "translations": {},
                    }
                    for t, i in steps
                ],
            },
            {**lesson, "kind": "reading", "title": "Kích hoạt tài khoản mức 2", "body": READING},
            {**lesson, "kind": "reading", "title": "Giữ tài khoản an toàn", "body": READING},
            {
                **lesson,
                "kind": "check",
                "title": "Bài kiểm tra cuối khoá",
                "body": "",
                "pass_mark": 70,
                "max_attempts": 0,
                "shuffle_questions": True,
                "draw_count": 0,
                "questions": questions,
            },
        ],
    }


def _suitable(course) -> tuple | None:
    """(reading lesson without media, guide of several steps) a learner meets in that order."""
    from hocvuso.learning.models import Lesson

    lessons = list(course.lessons.order_by("position", "id"))
    guide = next((x for x in lessons if x.kind == Lesson.Kind.GUIDE and x.steps.count() >= 2), None)
    if guide is None:
        return None
    reading = next(
        (
            x
            for x in lessons[: lessons.index(guide)]
            if x.kind == Lesson.Kind.READING and not (x.video_file or x.video_url or x.poster)
        ),
        None,
    )
    return (reading, guide) if reading else None


def install_course():
    """The starter catalogue as the demo installs it, else a synthetic course of its shape."""
    from django.utils import timezone

    from hocvuso.learning.models import Course, Publisher
    from hocvuso.learning.services.documents import course_from_document
    from hocvuso.places.models import Area

    try:
        from hocvuso.learning.services.catalogue import install_starter_catalogue
    except ImportError:
        install_starter_catalogue = None
    if install_starter_catalogue is not None:
        installed = install_starter_catalogue()
        courses = Course.objects.filter(status=Course.Status.PUBLISHED).order_by("slug")
        # The VNeID course first: it is the one every citizen is asked to take.
        for course in sorted(courses, key=lambda c: "vneid" not in c.slug):
            if found := _suitable(course):
                label = f"starter catalogue ({installed.created} courses): {course.slug}"
                return (course, *found, label)
    publisher = Publisher.objects.create(
        name="Bộ Khoa học và Công nghệ",
        kind=Publisher.Kind.NATIONAL,
        area=Area.objects.get(code="VN"),
    )
    course = course_from_document(doc=synthetic_document(), publisher=publisher)
    Course.objects.filter(pk=course.pk).update(
        status=Course.Status.PUBLISHED, published_at=timezone.now(), version=1
    )
    reading, guide = _suitable(course)
    return course, reading, guide, "synthetic, of the catalogue's shape (no catalogue found)"


@dataclass
class World:
    course_label: str = ""
    course_slug: str = ""
    lessons: int = 0
    reading_id: int = 0
    guide_id: int = 0
    guide_steps: int = 0
    team_code: str = ""
    learners: int = 0
    leader_session: str = ""
    client_sessions: list[str] = field(default_factory=list)
    build_seconds: float = 0.0


def build_world(args: argparse.Namespace) -> World:
    """Migrate a fresh database and fill it; every row through bulk_create except the course."""
    import random

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from hocvuso.accounts.models import Role, User
    from hocvuso.accounts.services import create_user
    from hocvuso.learning.models import (
        Enrollment,
        Lesson,
        LessonProgress,
        QuizAttempt,
    )
    from hocvuso.places.models import Area
    from hocvuso.places.services import create_village, load_administrative_units

    started = time.perf_counter()
    rng = random.Random(args.seed)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    load_administrative_units()

    commune = Area.objects.get(code="04399")
    villages = [
        create_village(commune=commune, name=f"Thôn {n + 1}")
        for n in range(max(1, -(-args.learners // TEAM_SIZE)))
    ]
    course, reading, guide, label = install_course()
    lessons = list(Lesson.objects.filter(course=course).order_by("position", "id"))
    check = next((lesson for lesson in lessons if lesson.kind == Lesson.Kind.CHECK), None)

    password = make_password("hocvuso2025")
    family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Lý", "Triệu", "Đặng", "Lò", "Hà", "Vàng"]
    middle = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Thu", "Hữu"]
    given = ["An", "Bình", "Chi", "Dũng", "Hoa", "Lan", "Mai", "Nam", "Phượng", "Sơn", "Tú"]
    learners = User.objects.bulk_create(
        User(
            username=f"hv{n:06d}",
            full_name=f"{rng.choice(family)} {rng.choice(middle)} {rng.choice(given)}",
            home_area=villages[n // TEAM_SIZE],
            password=password,
        )
        for n in range(args.learners)
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(learner=learner, course=course) for learner in learners
    )
    # The first `clients` learners of the team have done everything before the guide and opened it.
    guide_index = lessons.index(guide)
    reached: list[int] = [
        guide_index if n < args.clients else rng.randint(0, len(lessons))
        for n in range(len(enrollments))
    ]
    now = timezone.now()
    LessonProgress.objects.bulk_create(
        LessonProgress(
            enrollment=enrollment,
            lesson=lesson,
            completed_at=now if index < done else None,
            last_step=0,
        )
        for enrollment, done in zip(enrollments, reached, strict=True)
        for index, lesson in enumerate(lessons[: done + 1])
    )
    if check is not None:
        check_index = lessons.index(check)
        QuizAttempt.objects.bulk_create(
            QuizAttempt(
                learner=learners[n],
                lesson=check,
                number=number,
                submitted_at=now,
                score_percent=rng.randint(30, 100),
                passed=True,
            )
            for n, done in enumerate(reached)
            if done >= check_index
            for number in range(1, rng.randint(1, 3) + 1)
        )

    leader = create_user(
        username="bench.totruong", password=None, roles=[(Role.TEAM_LEADER, villages[0])]
    )
    from django.conf import settings

    def session_for(user) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    return World(
        course_label=label,
        course_slug=course.slug,
        lessons=len(lessons),
        reading_id=reading.pk,
        guide_id=guide.pk,
        guide_steps=guide.steps.count(),
        team_code=villages[0].code,
        learners=len(learners),
        leader_session=session_for(leader),
        client_sessions=[session_for(learner) for learner in learners[: args.clients]],
        build_seconds=time.perf_counter() - started,
    )


# ---------------------------------------------------------------------------------------------
# The server and the clients.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, args: argparse.Namespace, env: dict[str, str]) -> None:
        self.port = free_port()
        command = [
            str(VENV_BIN / "gunicorn"),
            "hocvuso.config.wsgi",
            f"--bind={HOST}:{self.port}",
            f"--workers={args.workers}",
            "--log-level=warning",
        ]
        if args.threads > 1:
            command += ["--worker-class=gthread", f"--threads={args.threads}"]
        self.describe = f"gunicorn {args.workers} workers" + (
            f" × {args.threads} threads (gthread)" if args.threads > 1 else " (sync)"
        )
        self.process = subprocess.Popen(command, env=env, cwd=ROOT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _headers, _body = request(self.port, "GET", "/api/v1/health")
                if status == 200:
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


def request(port: int, method: str, path: str, headers: dict | None = None, body: str = ""):
    return http_request(port, method, path, headers, body, timeout=30)


WRK_SCRIPT = """
local cookies = {%(cookies)s}
local tokens = {%(tokens)s}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("slot", (counter - 1) %% #cookies + 1)
end
function init(args)
  n = 0
  wrk.headers["Cookie"] = cookies[slot]
  wrk.headers["Accept-Encoding"] = "gzip"
  if #tokens > 0 then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
    wrk.headers["X-CSRFToken"] = tokens[slot]
  end
end
function request()
  if #tokens == 0 then
    return wrk.request()
  end
  n = n + 1
  local body = "csrfmiddlewaretoken=" .. tokens[slot] .. "&position=" .. (n %% %(steps)d + 1)
  return wrk.format(nil, nil, nil, body)
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


def lua_list(values: list[str]) -> str:
    return ", ".join(json.dumps(value) for value in values)


def run_wrk(port: int, path: str, *, cookies: list[str], tokens: list[str], steps: int, args):
    """Drive `path` with one wrk thread and connection per client; figures and wrk's own CPU use."""
    # Every gunicorn worker imports the app and compiles templates on its first requests.
    warmup = argparse.Namespace(**{**vars(args), "duration": 2})
    if args.duration > 2:
        run_wrk(port, path, cookies=cookies, tokens=tokens, steps=steps, args=warmup)
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        WRK_SCRIPT % {"cookies": lua_list(cookies), "tokens": lua_list(tokens), "steps": steps}
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        output = subprocess.run(
            [
                "wrk",
                f"--threads={args.clients}",
                f"--connections={args.clients}",
                f"--duration={args.duration}s",
                "--timeout=10s",
                f"--script={script}",
                f"http://{HOST}:{port}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=args.duration + 60,
        ).stdout
    finally:
        script.unlink()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next(line for line in output.splitlines() if line.startswith("WRK "))
    figures = json.loads(line[4:])
    figures["client_cpu_s"] = (after.ru_utime - before.ru_utime) + (
        after.ru_stime - before.ru_stime
    )
    return figures


def cookie_header(session: str, csrf: str = "") -> str:
    return f"sessionid={session}" + (f"; csrftoken={csrf}" if csrf else "")


def csrf_of(port: int, path: str, session: str) -> tuple[str, str]:
    """The CSRF cookie Django sets on the lesson page and the form token printed in it."""
    status, headers, body = request(port, "GET", path, {"Cookie": cookie_header(session)})
    if status != 200:
        sys.exit(f"GET {path} answered {status}")
    jar = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if "csrftoken" not in jar or token is None:
        sys.exit(f"{path} set no CSRF cookie or printed no form token")
    return jar["csrftoken"].value, token.group(1).decode()


def sequential_ms(port: int, path: str, headers: dict, count: int, warmup: int = 3) -> list[float]:
    """Latency of `count` requests one after the other on one keep-alive connection."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    samples = []
    try:
        for n in range(warmup + count):
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            if response.status != 200:
                sys.exit(f"GET {path} answered {response.status}")
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
            if n >= warmup:
                samples.append(elapsed * 1000)
    finally:
        conn.close()
    return samples


def page_weight(port: int, path: str, session: str) -> dict:
    """Bytes of the lesson page and of its CSS and JavaScript, as sent with Accept-Encoding: gzip."""
    headers = {"Cookie": cookie_header(session), "Accept-Encoding": "gzip"}
    _status, response_headers, body = request(port, "GET", path, headers)
    html_raw = gzip.decompress(body) if response_headers.get("Content-Encoding") == "gzip" else body
    server_gzips = response_headers.get("Content-Encoding") == "gzip"
    # Without compression in the app, a reverse proxy gzips at its default level, 6.
    html_wire = len(body) if server_gzips else len(gzip.compress(html_raw, compresslevel=6))
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html_raw)
    asset_wire = 0
    for asset in dict.fromkeys(assets):
        _s, _h, data = request(port, "GET", asset.decode(), {"Accept-Encoding": "gzip"})
        asset_wire += len(data)
    return {
        "html_raw_kb": len(html_raw) / 1024,
        "html_wire_kb": html_wire / 1024,
        "html_gzip_by": "the app"
        if server_gzips
        else "this script (level 6; the app sends it plain)",
        "assets": len(dict.fromkeys(assets)),
        "assets_wire_kb": asset_wire / 1024,
        "page_kb": (html_wire + asset_wire) / 1024,
    }


@dataclass
class Result:
    engine: str = ""
    server: str = ""
    world: dict = field(default_factory=dict)
    lesson: dict = field(default_factory=dict)
    writes: dict = field(default_factory=dict)
    progress: dict = field(default_factory=dict)
    weight: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)


def measure(args: argparse.Namespace, world: World, env: dict[str, str], engine: str) -> Result:
    from django.db import connections

    from hocvuso.learning.models import LessonProgress

    connections.close_all()
    server = Gunicorn(args, env)
    result = Result(engine=engine, server=server.describe, world=asdict(world))
    try:
        port = server.port
        lesson_path = f"/hoc/khoa-hoc/{world.course_slug}/bai/{world.reading_id}/"
        guide_path = f"/hoc/khoa-hoc/{world.course_slug}/bai/{world.guide_id}/"
        step_path = guide_path + "buoc/"
        progress_path = f"/hoc/tien-do/{world.team_code}/"

        print(f"  (a) GET {lesson_path}: {args.clients} clients, {args.duration} s …", flush=True)
        cookies = [cookie_header(session) for session in world.client_sessions]
        result.lesson = run_wrk(port, lesson_path, cookies=cookies, tokens=[], steps=1, args=args)

        print(f"  (b) POST {step_path}: {args.clients} clients, {args.duration} s …", flush=True)
        csrf = [csrf_of(port, guide_path, session) for session in world.client_sessions]
        probe_status, probe_headers, _body = request(
            port,
            "POST",
            step_path,
            {
                "Cookie": cookie_header(world.client_sessions[0], csrf[0][0]),
                "Content-Type": "application/x-www-form-urlencoded",
            },
            f"csrfmiddlewaretoken={csrf[0][1]}&position=2",
        )
        if probe_status != 302 or "buoc=2" not in probe_headers.get("Location", ""):
            sys.exit(
                f"a step POST was not recorded: {probe_status} {probe_headers.get('Location')}"
            )
        result.writes = run_wrk(
            port,
            step_path,
            cookies=[
                cookie_header(session, cookie)
                for session, (cookie, _token) in zip(world.client_sessions, csrf, strict=True)
            ],
            tokens=[token for _cookie, token in csrf],
            steps=world.guide_steps,
            args=args,
        )
        result.writes["learners_with_steps"] = LessonProgress.objects.filter(
            lesson_id=world.guide_id, last_step__gt=0
        ).count()
        connections.close_all()

        print(f"  (c) GET {progress_path}: {args.progress_requests} requests, one at a time …")
        samples = sequential_ms(
            port,
            progress_path,
            {"Cookie": cookie_header(world.leader_session)},
            args.progress_requests,
        )
        baseline = sequential_ms(port, "/static/hocvuso/icon.svg", {}, args.progress_requests)
        result.progress = {
            "median_ms": statistics.median(samples),
            "p95_ms": statistics.quantiles(samples, n=20)[18],
            "baseline_ms": statistics.median(baseline),
        }

        print("  (d) weight of a lesson page …", flush=True)
        result.weight = page_weight(port, lesson_path, world.client_sessions[1])
    finally:
        server.stop()

    seconds = result.lesson["duration_us"] / 1e6
    result.figures = {
        "lesson_rps": result.lesson["requests"] / seconds,
        "lesson_p50_ms": result.lesson["p50_us"] / 1000,
        "lesson_p95_ms": result.lesson["p95_us"] / 1000,
        "writes_per_s": result.writes["requests"] / (result.writes["duration_us"] / 1e6),
        "writes_p95_ms": result.writes["p95_us"] / 1000,
        "progress_ms": result.progress["median_ms"],
        "progress_p95_ms": result.progress["p95_ms"],
        "page_kb": result.weight["page_kb"],
        "html_kb": result.weight["html_wire_kb"],
    }
    return result


# ---------------------------------------------------------------------------------------------
# The report.

ROWS = [
    ("(a) lesson page, signed in: requests/s", "lesson_rps", "{:,.0f}"),
    ("(a) lesson page: p50 latency (ms)", "lesson_p50_ms", "{:,.1f}"),
    ("(a) lesson page: p95 latency (ms)", "lesson_p95_ms", "{:,.1f}"),
    ("(b) guide step POST (HTTP, CSRF): writes/s", "writes_per_s", "{:,.0f}"),
    ("(b) guide step POST: p95 latency (ms)", "writes_p95_ms", "{:,.1f}"),
    ("(c) progress view, 1,000 learners: median (ms)", "progress_ms", "{:,.1f}"),
    ("(c) progress view: p95 (ms)", "progress_p95_ms", "{:,.1f}"),
    ("(d) lesson page + CSS + JS, gzip (KB)", "page_kb", "{:,.1f}"),
    ("(d) lesson page HTML alone, gzip (KB)", "html_kb", "{:,.1f}"),
]


def print_table(results: list[dict]) -> None:
    header = ["measure", "target", *(r["engine"] for r in results)]
    lines = []
    for label, key, fmt in ROWS:
        target, meets = TARGETS.get(key, ("", None))
        cells = []
        for r in results:
            value = r["figures"][key]
            mark = "" if meets is None else (" ✓" if meets(value) else " ✗")
            cells.append(fmt.format(value) + mark)
        lines.append([label, target, *cells])
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" if i < 2 else f"{{:>{w}}}" for i, w in enumerate(widths))
    print(fmt.format(*header))
    print("  ".join("-" * w for w in widths))
    for line in lines:
        print(fmt.format(*line))
    print()
    for r in results:
        lesson, writes, progress, weight = r["lesson"], r["writes"], r["progress"], r["weight"]
        world = r["world"]
        print(f"{r['engine']}: {r['server']}; data built in {world['build_seconds']:.0f} s")
        print(
            f"  (a) {lesson['requests']:,} requests in {lesson['duration_us'] / 1e6:.1f} s, "
            f"p99 {lesson['p99_us'] / 1000:.1f} ms, {lesson['status_errors']} non-2xx/3xx, "
            f"{lesson['socket_errors']} socket errors; wrk itself used "
            f"{lesson['client_cpu_s']:.1f} CPU-s of the machine's "
            f"{os.cpu_count() * lesson['duration_us'] / 1e6:.0f}"
        )
        print(
            f"  (b) {writes['requests']:,} POSTs, each one UPDATE of LessonProgress.last_step "
            f"through learning:lesson_step; {writes['status_errors']} non-2xx/3xx, "
            f"{writes['socket_errors']} socket errors; {writes['learners_with_steps']} learners' "
            f"step recorded; wrk used {writes['client_cpu_s']:.1f} CPU-s"
        )
        print(
            f"  (c) one keep-alive connection, {progress['median_ms']:.1f} ms median; a static "
            f"file on the same path takes {progress['baseline_ms']:.2f} ms (client + loopback)"
        )
        print(
            f"  (d) HTML {weight['html_raw_kb']:.1f} KB raw, {weight['html_wire_kb']:.1f} KB gzip "
            f"(compressed by {weight['html_gzip_by']}); {weight['assets']} CSS/JS files "
            f"{weight['assets_wire_kb']:.1f} KB as served by WhiteNoise"
        )
    print()


def run_one(args: argparse.Namespace, engine: str) -> dict:
    """Build, serve and measure one engine, in this process (Django is set up once per process)."""
    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-learning-"))
    url = args.postgres_url if engine == "postgresql" else f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "HOCVUSO_DATA_DIR": str(workdir),
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "DJANGO_SETTINGS_MODULE": "hocvuso.config.settings.base",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(SRC),
    }
    env.pop("OIDC_RP_CLIENT_ID", None)
    os.environ.update(env)
    sys.path.insert(0, str(SRC))
    try:
        if engine == "postgresql":
            with postgres_database(url, recreate=True):
                return _run_in_database(args, env, engine)
        return _run_in_database(args, env, engine)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run_in_database(args: argparse.Namespace, env: dict[str, str], engine: str) -> dict:
    import django

    django.setup()
    print(f"hocvuso learning benchmark — {engine}")
    print_machine()
    print(f"  building {args.learners:,} learners …", flush=True)
    world = build_world(args)
    print(
        f"  course: {world.course_label}; {world.lessons} lessons, guide of "
        f"{world.guide_steps} steps; team {world.team_code} of {TEAM_SIZE:,} learners",
        flush=True,
    )
    result = asdict(measure(args, world, env, engine))
    print()
    print_table([result])
    return result


def _without_database(argv: list[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--database":
            skip = True
        elif not arg.startswith("--database="):
            kept.append(arg)
    return kept


def main() -> None:
    args = parse_args()
    ensure_wrk()
    engines = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if len(engines) == 1:
        result = run_one(args, engines[0])
        if args.result_file:
            Path(args.result_file).write_text(json.dumps(result))
        return
    # Each engine runs in a process of its own: Django's settings are fixed once set up.
    results = []
    for engine in engines:
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    *_without_database(sys.argv[1:]),
                    f"--database={engine}",
                    f"--result-file={out.name}",
                ],
                check=True,
            )
            results.append(json.loads(Path(out.name).read_text()))
    print("hocvuso learning benchmark — both engines")
    print_table(results)


if __name__ == "__main__":
    main()
