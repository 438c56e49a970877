"""Fault test: kill -9 mid-import, mid-report and mid-sync, restart PostgreSQL under load, replay.

    .venv/bin/python bench/faults.py                    # on a private PostgreSQL cluster
    .venv/bin/python bench/faults.py --cluster main     # restart the machine's cluster itself
    .venv/bin/python bench/faults.py --pg-down-seconds 15   # PostgreSQL down longer than a restart

The stack is bench/load.py's (the production profile: gunicorn with its config, PostgreSQL, Redis
and the Huey worker) on a database made for the run. By default the run creates a PostgreSQL
cluster of its own (`pg_createcluster`, on a free port, trust on loopback) so that restarting
PostgreSQL does not cut off everything else on the machine, and drops it afterwards; `--cluster
main` restarts the machine's cluster instead (`pg_ctlcluster 15 main restart`). PostgreSQL is
never left stopped: the script starts it again whatever happens.

Scenarios, each with a printed verdict:
  import   a resident import of a large CSV (all or nothing) is uploaded; the process doing it
           (the gunicorn worker, or the Huey worker when imports are tasks) is killed with
           SIGKILL halfway: nothing of it may be stored; the same file uploaded again is stored
           whole, once.
  report   the monitoring report task, killed halfway (when the monitoring app has one): the
           report must not show ready without its files, must be made again by the restarted
           worker once it has shown no sign of life for REPORT_STALE_SECONDS (20 s here), and a
           new request must be made too.
  sync     a batch of 1,000 visits is sent; the gunicorn worker applying it is killed halfway;
           the device sends the batch again: every visit is then stored exactly once.
  restart  PostgreSQL restarted under the load of bench/load.py's mix; the stack must recover
           by itself and lose or double nothing it acknowledged. Requests that meet the outage
           are handled again once it is over when that cannot do anything twice, else answered
           503: none may be answered 500.
  replay   every field submission of the run is sent twice more: all answered "duplicate",
           nothing added.
  whole    every acknowledged write of the run present once; counters equal to a rebuild
           (`hocvuso rebuild_counters`, when the monitoring app has it).
"""

import argparse
import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from common import SRC, postgres_database, print_machine
from load import (
    Client,
    Load,
    Stack,
    TeamMember,
    describe_phase,
    free_port,
    one_request,
    prepare,
    print_verify,
    probe_paths,
    verify,
)

PG_VERSION = "15"
PRIVATE_CLUSTER = "hocvuso_faults"
VERDICTS: list[tuple[str, str, str]] = []


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cluster", default="private", help="private (default) or main")
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--import-rows", type=int, default=60_000)
    parser.add_argument("--sync-items", type=int, default=1000)
    parser.add_argument("--load-clients", type=int, default=8)
    parser.add_argument("--load-seconds", type=int, default=40)
    # A longer outage than a restart: PostgreSQL stopped this long, past the app's retries.
    parser.add_argument("--pg-down-seconds", type=float, default=0)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--seed", type=int, default=2025)
    return parser.parse_args()


def verdict(name: str, ok: bool | None, detail: str) -> None:
    word = "PASS" if ok else ("SKIP" if ok is None else "FAIL")
    VERDICTS.append((name, word, detail))
    print(f"  => {name}: {word} — {detail}", flush=True)


# ---------------------------------------------------------------------------------------------
# PostgreSQL: a private cluster, its restart, and never leaving it stopped.


def clusters() -> dict[str, dict]:
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 4:
            found[parts[1]] = {"version": parts[0], "port": int(parts[2]), "status": parts[3]}
    return found


def ensure_online(name: str) -> None:
    info = clusters().get(name)
    if info and info["status"] != "online":
        subprocess.run(["pg_ctlcluster", info["version"], name, "start"], check=False)


class Cluster:
    def __init__(self, name: str) -> None:
        self.name = name
        self.private = name == "private"
        if self.private:
            self.name = PRIVATE_CLUSTER
            if PRIVATE_CLUSTER in clusters():
                subprocess.run(
                    ["pg_dropcluster", "--stop", PG_VERSION, PRIVATE_CLUSTER], check=True
                )
            port = free_port()
            subprocess.run(
                [
                    "pg_createcluster",
                    "--port",
                    str(port),
                    "--start",
                    PG_VERSION,
                    PRIVATE_CLUSTER,
                    "--",
                    "--auth=trust",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        info = clusters().get(self.name)
        if info is None:
            sys.exit(f"no PostgreSQL cluster {self.name!r} (pg_lsclusters)")
        self.version = info["version"]
        self.port = info["port"]
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/hocvuso_bench_faults"

    def restart(self, down: float = 0) -> float:
        """Restart PostgreSQL; with `down`, stop it and start it again that many seconds later."""
        started = time.perf_counter()
        if down:
            subprocess.run(["pg_ctlcluster", self.version, self.name, "stop"], check=True)
            time.sleep(down)
            subprocess.run(["pg_ctlcluster", self.version, self.name, "start"], check=True)
        else:
            subprocess.run(["pg_ctlcluster", self.version, self.name, "restart"], check=True)
        return time.perf_counter() - started

    def close(self) -> None:
        ensure_online(self.name)
        if self.private:
            subprocess.run(["pg_dropcluster", "--stop", self.version, self.name], check=False)


# ---------------------------------------------------------------------------------------------
# Killing the process that does the work.


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except OSError:
        return 0


def busiest(pids: list[int], window: float = 0.4) -> int:
    """The process that used the most CPU over `window` seconds: the one doing the work."""
    before = {pid: cpu_ticks(pid) for pid in pids}
    time.sleep(window)
    return max(pids, key=lambda pid: cpu_ticks(pid) - before[pid])


def kill_busy_worker(stack: Stack, after: float, done: threading.Event) -> tuple[int, float] | None:
    """SIGKILL the busiest gunicorn worker `after` seconds in, unless the request ended first."""
    if done.wait(after):
        return None
    pid = busiest(stack.worker_pids())
    if done.is_set():
        return None
    os.kill(pid, signal.SIGKILL)
    return pid, after


def in_thread(fn) -> tuple[threading.Thread, dict, threading.Event]:
    box: dict = {}
    done = threading.Event()

    def run():
        try:
            box["result"] = fn()
        except Exception as error:  # the request's own failure is what is looked at
            box["error"] = repr(error)
        finally:
            done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, box, done


def wait_workers(stack: Stack, count: int) -> None:
    """gunicorn's master replaces a killed worker; wait until it has."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(stack.worker_pids()) < count:
        time.sleep(0.2)
    # The new worker answers once it has imported the app.
    while time.monotonic() < deadline:
        try:
            if one_request(stack.port, "GET", "/api/v1/health")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)


# ---------------------------------------------------------------------------------------------
# The scenarios.


def imports_are_tasks() -> bool:
    tasks = SRC / "hocvuso" / "people" / "tasks.py"
    return tasks.exists() and "import_residents" in tasks.read_text()


def upload(port: int, session: str, code: str, path: Path) -> tuple[int | None, bytes]:
    """POST the file to the import page as a browser does: multipart, CSRF cookie and token."""
    client = Client(port, [None, _NoPace(), float("inf")], {"sessionid": session})
    client.stats_ref[0] = _NullStats()
    url = f"/nguoi-dan/nhap/{code}/"
    status, _h, page = client.request("import page", "GET", url)
    if status != 200:
        return status, page
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="mode"\r\n\r\n'
            f'all_or_nothing\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{path.name}"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    client.conn = None
    status, _h, page = client.request(
        "import",
        "POST",
        url,
        body=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    client.close()
    return status, page


class _NoPace:
    def wait(self, deadline: float) -> bool:
        return True


class _NullStats:
    def add(self, *args, **kwargs) -> None:
        pass


def scenario_import(args, stack: Stack, world, workdir: Path) -> None:
    from django.db import connections
    from people_import import write_csv

    from hocvuso.people.models import Household, Resident
    from hocvuso.places.models import Area
    from hocvuso.places.services import create_village

    village = create_village(commune=Area.objects.get(code="04399"), name="Thôn Thử Lỗi")
    path = workdir / "residents.csv"
    write_csv(path, args.import_rows, offset=9 * 10**6, village_code=village.code)
    connections.close_all()
    workers = len(stack.worker_pids())
    as_task = imports_are_tasks()
    print(
        f"  import: {args.import_rows:,} rows ({path.stat().st_size / 2**20:.1f} MB), all or "
        f"nothing, into {village.code}; killing the "
        + ("Huey worker (imports are tasks)" if as_task else "gunicorn worker handling the upload")
    )
    started = time.perf_counter()
    _thread, box, done = in_thread(
        lambda: upload(stack.port, world.officer_session, village.code, path)
    )
    if as_task:
        time.sleep(3.0)
        killed = (stack.worker.pid, 3.0) if stack.worker and stack.worker.poll() is None else None
        if killed:
            os.kill(stack.worker.pid, signal.SIGKILL)
            stack.worker.wait()
    else:
        # Upload and parsing take a moment; then the worker is inserting rows.
        killed = kill_busy_worker(stack, 2.5, done)
    done.wait(120)
    first = box.get("result", (None, box.get("error", "")))
    residents = Resident.objects.filter(village=village).count()
    households = Household.objects.filter(village=village).count()
    connections.close_all()
    print(
        f"    first upload: killed pid {killed[0] if killed else '—'} at "
        f"{killed[1] if killed else 0:.1f} s; the browser got {first[0]}; stored afterwards: "
        f"{residents} residents, {households} households"
    )
    if as_task:
        restart_huey(stack)
    else:
        wait_workers(stack, workers)
    status, _page = upload(stack.port, world.officer_session, village.code, path)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        again = Resident.objects.filter(village=village).count()
        connections.close_all()
        if again >= args.import_rows or not as_task:
            break
        time.sleep(1)
    hh_again = Household.objects.filter(village=village).count()
    print(
        f"    uploaded again: answered {status}; stored: {again:,} residents, {hh_again:,} "
        f"households ({time.perf_counter() - started:.0f} s in all)"
    )
    if killed is None:
        verdict("kill -9 mid-import", False, "the import ended before the kill: make it larger")
        return
    verdict(
        "kill -9 mid-import",
        residents == 0 and households == 0 and again == args.import_rows,
        f"after the kill {residents} residents/{households} households stored (all or nothing); "
        f"the retry stored {again:,} of {args.import_rows:,} once",
    )


def restart_huey(stack: Stack) -> None:
    stack.worker = subprocess.Popen(
        [str(SRC.parent / ".venv" / "bin" / "hocvuso"), "run_huey"],
        env=stack.env,
        cwd=SRC.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def scenario_report(args, stack: Stack) -> None:
    """Request a report, SIGKILL the Huey worker while it makes it, then request it again."""
    import datetime

    from django.db import connections

    try:
        from hocvuso.monitoring.models import Report
        from hocvuso.monitoring.services.reports import request_report
    except ImportError:
        verdict("kill -9 mid-report", None, "the monitoring app has no report task yet")
        return
    if stack.worker is None:
        verdict("kill -9 mid-report", None, "no Redis: reports run in-process, no worker to kill")
        return
    from hocvuso.accounts.models import User
    from hocvuso.places.models import Area

    area = Area.objects.get(code="04399")
    officer = User.objects.get(username="bench.canboxa")
    year = datetime.date.today().year

    def request() -> int:
        report = request_report(
            area=area,
            kind=Report.Kind.YEAR,
            start=datetime.date(year, 1, 1),
            end=datetime.date(year, 12, 31),
            requested_by=officer,
        )
        connections.close_all()
        return report.pk

    def state(pk: int) -> Report:
        report = Report.objects.get(pk=pk)
        connections.close_all()
        return report

    first = request()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and state(first).status == Report.Status.PENDING:
        time.sleep(0.05)
    killed = state(first).status == Report.Status.RUNNING
    if killed:
        os.kill(stack.worker.pid, signal.SIGKILL)
        stack.worker.wait()
    killed_at = time.time()
    time.sleep(2)
    after_kill = state(first)
    restart_huey(stack)
    second = request()
    waiting = (Report.Status.PENDING, Report.Status.RUNNING)
    # The killed one comes back once the restarted worker's periodic check (every minute) finds
    # it silent for REPORT_STALE_SECONDS.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and (
        state(second).status in waiting or state(first).status in waiting
    ):
        time.sleep(0.5)
    done, recovered = state(second), state(first)
    half_made = after_kill.status == Report.Status.READY and not (
        after_kill.xlsx and after_kill.pdf
    )
    print(
        f"  report: a year report of 04399 requested; the Huey worker (pid "
        f"{stack.worker.pid if not killed else 'killed'}) SIGKILLed while it was "
        f"{'running' if killed else 'not yet running'}; afterwards it shows '{after_kill.status}' "
        f"with files: xlsx {bool(after_kill.xlsx)}, pdf {bool(after_kill.pdf)}"
    )
    print(
        f"    the killed report, after the worker restarted: '{recovered.status}' at attempt "
        f"{recovered.attempts}, xlsx {bool(recovered.xlsx)}, pdf {bool(recovered.pdf)}"
        + (
            f", {recovered.finished_at.timestamp() - killed_at:.0f} s after the kill"
            if recovered.finished_at
            else ""
        )
        + (f", error {recovered.error!r}" if recovered.error else "")
    )
    print(
        f"    requested again after the worker restarted: '{done.status}', xlsx "
        f"{bool(done.xlsx)}, pdf {bool(done.pdf)}"
        + (f", error {done.error!r}" if done.error else "")
    )
    made = [r.status == Report.Status.READY and bool(r.xlsx and r.pdf) for r in (recovered, done)]
    verdict(
        "kill -9 mid-report",
        killed
        and not half_made
        and after_kill.status != Report.Status.READY
        and all(made)
        and recovered.attempts == 2,
        f"killed while running: {killed}; no half report marked ready ({after_kill.status}); "
        f"the killed report made again by the recovery: {made[0]} (attempt {recovered.attempts}); "
        + (
            "the new request made both files"
            if made[1]
            else f"the new request ended '{done.status}': {done.error!r}"
        ),
    )


def scenario_sync(args, stack: Stack, load: Load) -> None:
    from django.db import connections

    from hocvuso.field.models import Visit
    from hocvuso.field.models_sync import SyncReceipt

    member = TeamMember(
        Client(stack.port, load.stats_ref), load.world.team_tokens[0], load.acks, load.rng
    )
    items = []
    while len(items) < args.sync_items:
        items.extend(member.batch())
    items = items[: args.sync_items]
    ids = [item["client_id"] for item in items]
    workers = len(stack.worker_pids())
    _thread, box, done = in_thread(lambda: member.send(items, kind="sync batch"))
    # Killed once the first chunks are committed: the batch is then half applied.
    waited = time.monotonic()
    while not done.is_set() and time.monotonic() - waited < 60:
        if Visit.objects.filter(client_id__in=ids).exists():
            break
        time.sleep(0.1)
    connections.close_all()
    killed = kill_busy_worker(stack, 0.3, done)
    done.wait(120)
    first = box.get("result")
    stored = Visit.objects.filter(client_id__in=ids).count()
    connections.close_all()
    print(
        f"  sync: a batch of {len(items)} visits; killed pid {killed[0] if killed else '—'}; "
        f"the device got {'an answer' if first else 'no answer'}; {stored} of them stored "
        "(applied in chunks, each committed)"
    )
    # The field app sends the whole batch again until it gets an answer, as a phone would.
    answer, sends = None, 1
    while answer is None and sends < 6:
        wait_workers(stack, workers)
        answer = member.send(items, kind="sync batch")
        sends += 1
    stored_again = Visit.objects.filter(client_id__in=ids).count()
    receipts = SyncReceipt.objects.filter(client_id__in=ids).count()
    connections.close_all()
    counts = (
        {k: answer[k] for k in ("applied", "duplicate", "rejected", "conflict")} if answer else {}
    )
    print(
        f"    sent again ({sends - 1} time(s) until answered): {counts}; stored {stored_again}, "
        f"receipts {receipts}"
    )
    if killed is None:
        verdict("kill -9 mid-sync", False, "the batch ended before the kill")
        return
    verdict(
        "kill -9 mid-sync",
        bool(answer)
        and counts.get("applied", 0) + counts.get("duplicate", 0) == len(items)
        and counts.get("duplicate", 0) >= stored
        and stored_again == len(items)
        and receipts == len(items),
        f"{stored} stored at the kill; the answered resend: {counts.get('duplicate', 0)} "
        f"duplicates, {counts.get('applied', 0)} applied; {stored_again} of {len(items)} stored "
        "once",
    )


def scenario_restart(args, stack: Stack, load: Load, cluster: Cluster) -> None:
    restart_at = args.load_seconds / 4
    box: dict = {}

    def restart() -> None:
        time.sleep(restart_at)
        box["at"] = time.monotonic()
        try:
            box["seconds"] = cluster.restart(args.pg_down_seconds)
        finally:
            ensure_online(cluster.name)
        box["done"] = time.monotonic()

    logged_before = stack.log.stat().st_size if stack.log.exists() else 0
    stats = load.phase(args.load_clients, args.load_seconds, during=restart)
    ensure_online(cluster.name)
    errors = stats.server_errors
    recovered_after = box.get("done", 0) + 5
    late = [e for e in errors if e[0] > recovered_after]
    during = [e for e in errors if e[0] <= recovered_after]
    health = one_request(stack.port, "GET", "/api/v1/health")[0]
    answered = {
        code: sum(1 for e in errors if e[2].startswith(f"{code} ")) for code in ("500", "503")
    }
    others = len(errors) - sum(answered.values())
    retried = outage_log(stack, logged_before)
    how = f"stop, {args.pg_down_seconds:g} s, start" if args.pg_down_seconds else "restart"
    print(
        f"  restart: `pg_ctlcluster {cluster.version} {cluster.name} {how}` took "
        f"{box.get('seconds', 0):.1f} s, {restart_at:.0f} s into {args.load_seconds} s of load "
        f"at {args.load_clients} clients"
    )
    print(f"    {describe_phase(stats)}")
    print(
        f"    errors while PostgreSQL was down (to 5 s after): {len(during)}; after that: "
        f"{len(late)}; health afterwards: {health}"
    )
    print(
        f"    answered 500: {answered['500']}; answered 503: {answered['503']} "
        f"({retried['not retried']} not retried as they may have written, "
        f"{retried['out of reach']} still out of reach after the retries, "
        f"{retried['health']} health checks); other failures (sockets): {others}; "
        f"succeeded after a retry: {retried['succeeded']} (up to {retried['max wait']:.1f} s)"
    )
    if during:
        print(f"    e.g. {during[:3]}")
    verdict(
        "PostgreSQL restart under load",
        not late and health == 200 and answered["500"] == 0 and others == 0,
        f"{answered['500']} answered 500, {answered['503']} answered 503 and "
        f"{retried['succeeded']} succeeded after a retry during the restart; {len(late)} failed "
        "after it; the stack recovered by itself (acknowledged writes checked below)",
    )


def outage_log(stack: Stack, offset: int) -> dict:
    """What the database-outage middleware logged since `offset` of the server log."""
    with stack.log.open("rb") as handle:
        handle.seek(offset)
        text = handle.read().decode(errors="replace")
    found = {"succeeded": 0, "not retried": 0, "out of reach": 0, "health": 0, "max wait": 0.0}
    for line in text.splitlines():
        if "database connection lost:" in line:
            found["succeeded"] += 1
            wait = re.search(r"in ([0-9.]+) s", line)
            if wait:
                found["max wait"] = max(found["max wait"], float(wait.group(1)))
        elif "database unavailable:" in line:
            if "may have written" in line:
                found["not retried"] += 1
            elif "answered at once" in line:
                found["health"] += 1
            else:
                found["out of reach"] += 1
    return found


def scenario_replay(load: Load, stack: Stack) -> None:
    from django.db import connections

    from hocvuso.field.models import Visit
    from hocvuso.field.models_sync import SyncReceipt
    from hocvuso.people.models import MilestoneEvent

    items = list(load.acks.sync.values())
    before = (Visit.objects.count(), SyncReceipt.objects.count(), MilestoneEvent.objects.count())
    connections.close_all()
    member = TeamMember(
        Client(stack.port, load.stats_ref), load.world.team_tokens[0], load.acks, load.rng
    )
    outcomes: dict[str, int] = {}
    # Each item goes back under the token of the team member who sent it first.
    by_token: dict[str, list[dict]] = {}
    for item in items:
        by_token.setdefault(item.get("_token", load.world.team_tokens[0]["token"]), []).append(item)
    for _round in range(2):
        for token, group in by_token.items():
            member.token = token
            for start in range(0, len(group), 500):
                chunk = [
                    {k: v for k, v in i.items() if k != "_token"}
                    for i in group[start : start + 500]
                ]
                answer = member.send(chunk, kind="replay")
                if answer is None:
                    outcomes["no answer"] = outcomes.get("no answer", 0) + len(chunk)
                    continue
                for key in ("applied", "duplicate", "rejected", "conflict"):
                    outcomes[key] = outcomes.get(key, 0) + answer[key]
    after = (Visit.objects.count(), SyncReceipt.objects.count(), MilestoneEvent.objects.count())
    connections.close_all()
    print(
        f"  replay: {len(items):,} acknowledged submissions sent twice more → {outcomes}; "
        f"visits/receipts/milestone events {before} → {after}"
    )
    verdict(
        "replay every field submission twice",
        outcomes.get("duplicate", 0) == 2 * len(items) and before == after and len(items) > 0,
        f"{outcomes.get('duplicate', 0):,} of {2 * len(items):,} answered duplicate; "
        f"nothing added ({before == after})",
    )


def counters_snapshot() -> dict | None:
    from django.apps import apps

    if not apps.is_installed("hocvuso.monitoring"):
        return None
    snapshot = {}
    for name in ("AreaCounter", "WeeklyCounter"):
        try:
            model = apps.get_model("monitoring", name)
        except LookupError:
            continue
        # A counter is spread over slots (so that concurrent writers do not queue on one row);
        # its value is their sum.
        skip = ("id", "value", "slot")
        fields = [f.name for f in model._meta.concrete_fields if f.name not in skip]
        fields = [f + "_id" if model._meta.get_field(f).is_relation else f for f in fields]
        for row in model.objects.values_list(*fields, "value"):
            key = (name, *row[:-1])
            snapshot[key] = snapshot.get(key, 0) + row[-1]
    return {key: value for key, value in snapshot.items() if value}


def rebuild_counters(env: dict) -> subprocess.CompletedProcess | None:
    """`hocvuso rebuild_counters`, when the monitoring app has it."""
    from django.core.management import get_commands

    if "rebuild_counters" not in get_commands():
        return None
    return subprocess.run(
        [str(SRC.parent / ".venv" / "bin" / "hocvuso"), "rebuild_counters"],
        env={**env, "HUEY_IMMEDIATE": "1"},
        capture_output=True,
        text=True,
    )


def scenario_whole(load: Load, env: dict) -> None:
    from django.core.management import get_commands
    from django.db import connections

    print("  every acknowledged write of the run (load, sync, restart, replay):")
    result = verify(load.acks)
    whole = print_verify(result)
    verdict(
        "every acknowledged write present once",
        whole,
        f"{result['sync_acked']:,} visits and {result['answers_acked']:,} quiz answers: "
        f"{result['sync_lost'] + result['answers_lost']} lost, "
        f"{result['sync_duplicated'] + result['answers_duplicated']} duplicated",
    )
    if "rebuild_counters" not in get_commands():
        verdict("counters equal to a rebuild", None, "no `hocvuso rebuild_counters` command yet")
        return
    live = counters_snapshot()
    connections.close_all()
    done = rebuild_counters(env)
    rebuilt = counters_snapshot()
    connections.close_all()
    if done.returncode != 0:
        verdict(
            "counters equal to a rebuild", False, f"rebuild_counters failed: {done.stderr[-300:]}"
        )
        return
    differ = {k for k in set(live) | set(rebuilt) if live.get(k) != rebuilt.get(k)}
    sample = sorted(differ, key=str)[:5]
    print(
        f"  counters: {len(live):,} non-zero live, {len(rebuilt):,} after the rebuild; "
        f"{len(differ)} differ"
        + (f", e.g. {[(k, live.get(k), rebuilt.get(k)) for k in sample]}" if differ else "")
    )
    verdict(
        "counters equal to a rebuild",
        not differ and len(live) > 0,
        f"{len(live):,} counters compared, {len(differ)} differ",
    )


# ---------------------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    if os.geteuid() != 0:
        sys.exit("faults.py restarts PostgreSQL with pg_ctlcluster: run it as root")
    # One run at a time: a second one would drop the first one's cluster under it.
    lock = open(Path(tempfile.gettempdir()) / "hocvuso-bench-faults.lock", "w")  # noqa: SIM115
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit("another bench/faults.py is running")
    cluster = Cluster(args.cluster)
    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-faults-"))
    stack = None
    try:
        load_args = argparse.Namespace(
            postgres_url=cluster.url,
            redis_url=args.redis_url,
            no_redis=args.no_redis,
            learners=args.learners,
            seed=args.seed,
        )
        with postgres_database(cluster.url, recreate=True):
            env, redis_url, world, paths, built = prepare(load_args, workdir, args.load_clients)
            from django.db import connections

            connections.close_all()
            # A report whose worker is killed is made again once silent this long (300 s in
            # production); short here so that the run sees it.
            env["REPORT_STALE_SECONDS"] = "20"
            # The data was made with bulk_create, past the live counters: start them from a
            # rebuild, so that what follows is the app's own counting.
            rebuild_counters(env)
            print("hocvuso fault test (loopback, bounded)")
            print_machine()
            stack = Stack(env, huey=bool(redis_url))
            stack.start()
            print(
                f"  stack   : {stack.describe()}; PostgreSQL cluster {cluster.version}/"
                f"{cluster.name} on port {cluster.port}"
                + (" (private, made for the run)" if cluster.private else "")
            )
            print(f"  data    : {args.learners:,} learners, built in {built:.0f} s")
            paths = probe_paths(stack.port, world.officer_session, paths)
            load = Load(stack.port, world, paths, args.seed)
            warm = load.phase(args.load_clients, 10)
            print(f"  warm-up load, 10 s: {describe_phase(warm)}")
            print()
            scenario_import(args, stack, world, workdir)
            scenario_report(args, stack)
            scenario_sync(args, stack, load)
            scenario_restart(args, stack, load, cluster)
            scenario_replay(load, stack)
            scenario_whole(load, env)
            logged = stack.errors_logged()
            print(f"  server log: {len(logged)} error lines (the kills and the restart cause some)")
            stack.stop()
            stack = None
            connections.close_all()
    finally:
        if stack is not None:
            stack.stop()
        cluster.close()
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print("Verdicts:")
    width = max(len(name) for name, _w, _d in VERDICTS)
    for name, word, detail in VERDICTS:
        print(f"  {name:<{width}}  {word}  {detail}")
    failed = [v for v in VERDICTS if v[1] == "FAIL"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
