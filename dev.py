#!/usr/bin/env python3
"""The commands of hocvuso, for a fresh machine with only Python 3.11.

    python3 dev.py start        install what is missing, load the demo data, serve http://127.0.0.1:8000
    python3 dev.py test         lint, then the whole test suite on SQLite and on PostgreSQL, with the browser
    python3 dev.py production   the production profile on this machine: gunicorn, PostgreSQL, Redis
                                (cache, sessions, task queue) and the task-queue worker

All make and reuse a virtualenv at .venv/ in the checkout. Whatever else a command needs
(PostgreSQL, Redis, Chromium) it finds, or installs and starts where it can (root on Debian), and
says so. Under CI=true nothing is skipped: a missing PostgreSQL, Redis or browser fails the run.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".hocvuso-installed"
CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PG_TEST_URLS = [
    "postgres://postgres@127.0.0.1:5432/hocvuso",
    "postgres://hocvuso:hocvuso@127.0.0.1:5432/hocvuso",
]
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"


def say(message: str) -> None:
    print(f"[hocvuso] {message}", flush=True)


def fail(message: str) -> None:
    print(f"[hocvuso] LỖI / ERROR: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def run(*args: str | Path, env: dict[str, str] | None = None, check: bool = True) -> int:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if check and result.returncode != 0:
        fail(f"command failed ({result.returncode}): {' '.join(str(a) for a in args)}")
    return result.returncode


def quiet(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True)


def is_root_debian() -> bool:
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


_apt_updated = False


def apt_install(*packages: str) -> bool:
    global _apt_updated
    if not is_root_debian():
        return False
    say(f"installing Debian packages: {' '.join(packages)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if not _apt_updated:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        _apt_updated = True
    result = subprocess.run(["apt-get", "install", "-y", "-qq", *packages], env=env)
    return result.returncode == 0


# --- the virtualenv ---------------------------------------------------------------------------


def ensure_python311() -> None:
    if sys.version_info[:2] == (3, 11):
        return
    other = shutil.which("python3.11")
    if other:
        os.execv(other, [other, *sys.argv])
    fail(f"hocvuso needs Python 3.11; this is {sys.version.split()[0]} and no python3.11 on PATH.")


def ensure_venv() -> None:
    """Create .venv once; reinstall only when pyproject.toml changed."""
    if not (BIN / "python").exists():
        say("creating the virtualenv at .venv/")
        run(sys.executable, "-m", "venv", VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and (BIN / "hocvuso").exists():
        return
    say("installing hocvuso and its pinned dependencies into .venv/")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[dev]")
    STAMP.write_text(wanted)


def hocvuso(*args: str, env: dict[str, str] | None = None) -> None:
    run(BIN / "hocvuso", *args, env=env)


# --- start ------------------------------------------------------------------------------------


def start() -> None:
    began = time.monotonic()
    ensure_venv()
    env = {**os.environ, "HOCVUSO_SHOW_DEMO_ACCOUNTS": "1"}
    find_speech_tools()
    hocvuso("compile_translations", env=env)
    hocvuso("migrate", "--no-input", "-v", "0", env=env)
    hocvuso("collectstatic", "--no-input", "-v", "0", env=env)
    hocvuso("demo", env=env)
    port = os.environ.get("PORT", "8000")
    say(f"ready in {time.monotonic() - began:.0f} s: open http://127.0.0.1:{port} (Ctrl+C to stop)")
    os.execve(str(BIN / "hocvuso"), [str(BIN / "hocvuso"), "runserver", f"127.0.0.1:{port}"], env)


# --- test -------------------------------------------------------------------------------------


def _pg_reachable(url: str) -> bool:
    code = (
        "import sys, psycopg\n"
        "u = sys.argv[1].rsplit('/', 1)[0] + '/postgres'\n"
        "psycopg.connect(u, connect_timeout=3).close()\n"
    )
    return quiet(str(BIN / "python"), "-c", code, url).returncode == 0


def _start_debian_cluster() -> bool:
    versions = (
        sorted(Path("/etc/postgresql").glob("*/main")) if Path("/etc/postgresql").exists() else []
    )
    if not versions:
        return False
    version = versions[-1].parent.name
    say(f"starting the PostgreSQL {version} cluster")
    quiet("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start")
    # A login role for the tests: Debian asks for a password over TCP.
    sql = (
        "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='hocvuso') THEN "
        "CREATE ROLE hocvuso LOGIN SUPERUSER PASSWORD 'hocvuso'; END IF; END$$;"
    )
    for _ in range(20):
        if quiet("su", "postgres", "-c", f'psql -qc "{sql}"').returncode == 0:
            return True
        time.sleep(1)
    return False


def find_postgres() -> str | None:
    """A PostgreSQL URL for the tests: TEST_DATABASE_URL, a local server, or one installed now."""
    candidates = [os.environ["TEST_DATABASE_URL"]] if os.environ.get("TEST_DATABASE_URL") else []
    for url in candidates + PG_TEST_URLS:
        if _pg_reachable(url):
            say(f"PostgreSQL found at {re.sub(r':[^:@/]+@', ':***@', url)}")
            return url
    if is_root_debian():
        if not shutil.which("pg_ctlcluster") and not apt_install("postgresql"):
            return None
        if _start_debian_cluster():
            for url in PG_TEST_URLS:
                if _pg_reachable(url):
                    say("PostgreSQL installed/started by this command from Debian's packages")
                    return url
    return None


def _redis_reachable(url: str) -> bool:
    code = "import sys, redis\nredis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()\n"
    return quiet(str(BIN / "python"), "-c", code, url).returncode == 0


def _start_debian_redis() -> None:
    say("starting Debian's redis-server on 127.0.0.1:6379")
    # The init script where there is one (no systemd in a container), else the server itself.
    if quiet("service", "redis-server", "start").returncode != 0:
        data = "/var/lib/redis" if Path("/var/lib/redis").is_dir() else "/tmp"
        options = ["--bind", "127.0.0.1", "--port", "6379", "--dir", data, "--daemonize", "yes"]
        quiet("redis-server", *options)
    for _ in range(20):
        if _redis_reachable(LOCAL_REDIS_URL):
            return
        time.sleep(0.5)


def find_redis() -> str | None:
    """A Redis URL: REDIS_URL, a local server on 127.0.0.1:6379, or Debian's redis-server installed
    and started now."""
    candidates = [os.environ["REDIS_URL"]] if os.environ.get("REDIS_URL") else []
    for url in [*candidates, LOCAL_REDIS_URL]:
        if _redis_reachable(url):
            say(f"Redis found at {re.sub(r':[^:@/]+@', ':***@', url)}")
            return url
    if is_root_debian():
        if not shutil.which("redis-server") and not apt_install("redis-server"):
            return None
        _start_debian_redis()
        if _redis_reachable(LOCAL_REDIS_URL):
            say("Redis installed/started by this command from Debian's packages")
            return LOCAL_REDIS_URL
    return None


def find_chromium() -> str | None:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if apt_install("chromium", "fonts-noto-core") and Path(CHROMIUM).exists():
        say("Chromium installed by this command from Debian's packages")
        return CHROMIUM
    return None


# Programs the platform runs, with the Debian package of each: the offline Vietnamese voice of
# "Nghe bài" and the MP3 encoder that makes its files small enough for a cheap phone.
SPEECH_TOOLS = {"espeak-ng": "espeak-ng", "lame": "lame"}


def find_speech_tools() -> bool:
    """True when the text-to-speech programs are on PATH, installing them where possible."""
    missing = [pkg for tool, pkg in SPEECH_TOOLS.items() if shutil.which(tool) is None]
    if missing and apt_install(*missing):
        say(f"installed by this command from Debian's packages: {' '.join(missing)}")
    missing = [tool for tool in SPEECH_TOOLS if shutil.which(tool) is None]
    if missing:
        say(f"WARNING: {', '.join(missing)} missing: lessons cannot be read aloud (Nghe bài)")
    return not missing


_SUMMARY = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


def pytest_run(label: str, args: list[str], env: dict[str, str]) -> tuple[int, dict[str, int]]:
    say(f"tests on {label}")
    proc = subprocess.Popen(
        [str(BIN / "pytest"), *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    last = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(line)
        if line.startswith("=") and (" passed" in line or " failed" in line or " error" in line):
            last = line
    code = proc.wait()
    counts: dict[str, int] = {}
    for number, word in _SUMMARY.findall(last):
        key = "errors" if word.startswith("error") else word
        counts[key] = counts.get(key, 0) + int(number)
    return code, counts


def lint() -> None:
    say("lint: ruff, ruff format, djlint, makemigrations --check")
    run(BIN / "ruff", "check", "src", "tests", "bench", "dev.py")
    run(BIN / "ruff", "format", "--check", "src", "tests", "bench", "dev.py")
    run(BIN / "djlint", "--lint", "src/hocvuso/templates")
    run(BIN / "hocvuso", "makemigrations", "--check", "--dry-run", "-v", "0")


def test() -> None:
    began = time.monotonic()
    ensure_venv()
    hocvuso("compile_translations")
    lint()

    base_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hocvuso.config.settings.test"}
    base_env.pop("DATABASE_URL", None)
    base_env.pop("REDIS_URL", None)
    chromium = find_chromium()
    pg_url = find_postgres()
    redis_url = find_redis()
    if not find_speech_tools() and CI:
        fail("espeak-ng/lame missing and could not be installed: the audio tests cannot run")
    if chromium is None:
        if CI:
            fail(
                f"Chromium not found at {CHROMIUM} and could not be installed: browser tests cannot run"
            )
        say(f"WARNING: Chromium not found at {CHROMIUM}: browser tests will be SKIPPED")
    if pg_url is None:
        if CI:
            fail("PostgreSQL not reachable and could not be installed: PostgreSQL tests cannot run")
        say("WARNING: PostgreSQL not found: the PostgreSQL run is SKIPPED")
    if redis_url is None:
        if CI:
            fail("Redis not reachable and could not be installed: the task-queue tests cannot run")
        say("WARNING: Redis not found: the task-queue tests with a real worker are SKIPPED")
    else:
        # Both runs: tests/test_task_queue.py starts a real worker against this Redis.
        base_env["REDIS_URL"] = redis_url

    results: list[tuple[str, int, dict[str, int]]] = []
    sqlite_env = {**base_env, "CHROMIUM_PATH": chromium or CHROMIUM}
    code, counts = pytest_run(
        "SQLite (with the browser tests)",
        ["-p", "no:cacheprovider", "-m", "not postgresql"],
        sqlite_env,
    )
    results.append(("SQLite", code, counts))
    if pg_url:
        pg_env = {**base_env, "DATABASE_URL": pg_url}
        args = ["-p", "no:cacheprovider", "-m", "not e2e"]
        code, counts = pytest_run("PostgreSQL", args, pg_env)
        results.append(("PostgreSQL", code, counts))

    print()
    passed = failed = skipped = 0
    for label, code, counts in results:
        say(f"{label}: {counts or 'no summary'} (exit {code})")
        passed += counts.get("passed", 0)
        failed += counts.get("failed", 0) + counts.get("errors", 0)
        skipped += counts.get("skipped", 0)
        if code != 0 and not counts.get("failed") and not counts.get("errors"):
            failed += 1  # pytest failed without a failing test: no tests, an internal error…
    say(f"finished in {time.monotonic() - began:.0f} s")
    print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    if CI and skipped:
        fail("under CI=true nothing may be skipped")
    sys.exit(1 if failed else 0)


# --- production ---------------------------------------------------------------------------------


def production_database() -> str:
    """DATABASE_URL if set, else the database "hocvuso" on the PostgreSQL that the tests use
    (found, or installed and started now), created if missing."""
    if url := os.environ.get("DATABASE_URL"):
        return url
    url = find_postgres()
    if url is None:
        fail("PostgreSQL not reachable on 127.0.0.1:5432 and could not be installed")
    code = (
        "import sys, psycopg\n"
        "url = sys.argv[1]; name = url.rsplit('/', 1)[1]\n"
        "with psycopg.connect(url.rsplit('/', 1)[0] + '/postgres', autocommit=True) as c:\n"
        "    if not c.execute('SELECT 1 FROM pg_database WHERE datname = %s', [name]).fetchone():\n"
        "        c.execute(f'CREATE DATABASE \"{name}\"')\n"
    )
    if quiet(str(BIN / "python"), "-c", code, url).returncode != 0:
        fail("could not create the database hocvuso")
    return url


def _stop(children: dict[str, subprocess.Popen]) -> None:
    # gunicorn finishes its requests on SIGTERM; huey finishes its running tasks on SIGINT.
    for name, proc in children.items():
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT if name == "worker" else signal.SIGTERM)
    deadline = time.monotonic() + 25
    for name, proc in children.items():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            say(f"{name} (pid {proc.pid}) did not stop in time: killed")
            proc.kill()
            proc.wait()


def production() -> None:
    began = time.monotonic()
    ensure_venv()
    find_speech_tools()
    database_url = production_database()
    redis_url = find_redis()
    if redis_url is None:
        fail("Redis not reachable on 127.0.0.1:6379 and could not be installed")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hocvuso.config.settings.production",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
    }
    env.pop("HUEY_IMMEDIATE", None)
    hocvuso("compile_translations", env=env)
    hocvuso("migrate", "--no-input", "-v", "0", env=env)
    hocvuso("collectstatic", "--no-input", "-v", "0", env=env)
    hocvuso("load_areas", env=env)
    if os.environ.get("HOCVUSO_DEMO", "").lower() in {"1", "true", "yes"}:
        hocvuso("demo", env=env)

    config = ROOT / "src" / "hocvuso" / "config" / "gunicorn.py"
    port = os.environ.get("PORT", "8000")
    workers = os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) * 2 + 1))
    # Own sessions: Ctrl+C reaches only this process, which stops the children in order.
    children = {
        "gunicorn": subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(config), "hocvuso.config.wsgi:application"],
            cwd=ROOT,
            env={**env, "PORT": port, "WEB_CONCURRENCY": workers},
            start_new_session=True,
        ),
        "worker": subprocess.Popen(
            [str(BIN / "hocvuso"), "run_huey"], cwd=ROOT, env=env, start_new_session=True
        ),
    }
    masked_db = re.sub(r":[^:@/]+@", ":***@", database_url)
    say(f"ready in {time.monotonic() - began:.0f} s, production profile (DEBUG off):")
    say(
        f"  app servers  gunicorn, {workers} sync workers, http://127.0.0.1:{port} "
        f"(pid {children['gunicorn'].pid}, config {config.relative_to(ROOT)})"
    )
    say(f"  task queue   huey worker `hocvuso run_huey` (pid {children['worker'].pid})")
    say(f"  database     {masked_db}")
    say(f"  Redis        {redis_url}: cache, sessions (cached_db), task-queue broker")
    say(
        "  static files collected to var/static, compressed, served by WhiteNoise, cached for years"
    )
    say("Ctrl+C stops the app servers and the worker (PostgreSQL and Redis keep running)")

    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not stopping and all(proc.poll() is None for proc in children.values()):
        time.sleep(0.5)
    died = [name for name, proc in children.items() if proc.poll() is not None]
    _stop(children)
    if died and not stopping:
        fail(f"{', '.join(died)} stopped unexpectedly; everything else was stopped too")
    say("stopped")


def main() -> None:
    ensure_python311()
    commands = {"start": start, "test": test, "production": production}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        print(__doc__)
        sys.exit(2)
    commands[sys.argv[1]]()


if __name__ == "__main__":
    main()
