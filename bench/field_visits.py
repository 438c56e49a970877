"""Benchmark of record_visit: server time of one visit with three milestones, over 500 visits.

Each visit is to its own household of two adults and a child and records three milestones, with
the commune's "Gia đình số" and "Chợ số" rules set, so every visit also re-evaluates the household's
recognitions. The service is called directly: this is the server's own time, without HTTP.

    .venv/bin/python bench/field_visits.py
    .venv/bin/python bench/field_visits.py --database-url postgres://postgres@127.0.0.1:5432/hocvuso_bench_visits

A SQLite file goes into a temporary folder; a PostgreSQL database is created for the run and dropped
after it (an existing one of that name is refused unless --recreate is given). Target: < 20 ms.
"""

import argparse
import datetime
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import SRC, postgres_database, print_machine

TARGET_MS = 20.0
# Per member of the household (two adults and a child): three milestones in all, which make the
# household a "Gia đình số" under the rule below.
MILESTONES = (["vneid_level2", "pays_cashless"], ["vneid_level2"], [])


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary folder")
    parser.add_argument("--visits", type=int, default=500, help="visits timed (500)")
    parser.add_argument("--recreate", action="store_true")
    return parser.parse_args()


def build_world(visits: int):
    """A village of Xã Đông Cuông, its team and member, the commune's rules, a household per visit."""
    from hocvuso.accounts.models import Role
    from hocvuso.accounts.services import create_user
    from hocvuso.field.services.recognitions import set_recognition_rule
    from hocvuso.field.services.teams import add_team_member, save_team
    from hocvuso.people.models import Household, Resident
    from hocvuso.places.models import Area
    from hocvuso.places.services import create_village, load_administrative_units

    load_administrative_units()
    commune = Area.objects.get(code="04399")
    village = create_village(commune=commune, name="Thôn Sài Lương")
    member = create_user(
        username="tocnscd.sailuong", password="MatKhau@2025", roles=[(Role.TEAM_MEMBER, village)]
    )
    officer = create_user(
        username="canbo.dongcuong", password="MatKhau@2025", roles=[(Role.COMMUNE_OFFICER, commune)]
    )
    team = save_team(village=village, decision_number="01/QĐ-UBND")
    add_team_member(team=team, user=member, joined_on=datetime.date(2025, 9, 1))
    set_recognition_rule(
        commune=commune,
        kind="gia_dinh_so",
        criteria={"every_adult": ["vneid_level2"], "at_least_one": ["pays_cashless"]},
        updated_by=officer,
    )
    set_recognition_rule(
        commune=commune,
        kind="cho_so",
        criteria={"all_of": ["sells_online", "takes_qr_payment"]},
        updated_by=officer,
    )
    households = Household.objects.bulk_create(
        [
            Household(village=village, head_name=f"Hộ {n:04d}", number=str(n), created_by=member)
            for n in range(visits + 1)
        ]
    )
    Resident.objects.bulk_create(
        [
            Resident(
                household=h,
                village=village,
                full_name=f"{h.head_name} — {who}",
                year_of_birth=born,
                created_by=member,
            )
            for h in households
            for who, born in (("chủ hộ", 1970), ("vợ/chồng", 1973), ("con", 2012))
        ]
    )
    return member, team


def run(args: argparse.Namespace) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hocvuso.field.models import Recognition, Visit
    from hocvuso.field.services.visits import record_visit
    from hocvuso.people.models import Household, MilestoneEvent

    call_command("migrate", verbosity=0)
    member, team = build_world(args.visits)
    today = datetime.date.today()
    households = list(Household.objects.order_by("pk").prefetch_related("members"))

    def visit(household, client_id):
        people = list(household.members.all())
        return record_visit(
            client_id=client_id,
            recorded_by=member,
            team=team,
            visited_on=today,
            channel=Visit.Channel.DOOR_TO_DOOR,
            household=household,
            residents=people,
            activities="Hướng dẫn kích hoạt VNeID mức 2, chuyển khoản bằng mã QR",
            milestones={p.pk: codes for p, codes in zip(people, MILESTONES, strict=True) if codes},
            problems_received=1,
            problems_resolved=1,
        )

    # One warm-up visit (first-use caches), whose queries are counted.
    with CaptureQueriesContext(connection) as captured:
        visit(households[0], uuid.uuid4())
    queries = len(captured.captured_queries)

    samples, client_ids = [], []
    for household in households[1:]:
        client_id = uuid.uuid4()
        started = time.perf_counter()
        _visit, created = visit(household, client_id)
        samples.append(time.perf_counter() - started)
        assert created
        client_ids.append(client_id)

    replays = []
    for household, client_id in zip(households[1:], client_ids, strict=True):
        started = time.perf_counter()
        _visit, created = visit(household, client_id)
        replays.append(time.perf_counter() - started)
        assert not created

    def stats(values):
        ms = [v * 1000 for v in values]
        return statistics.median(ms), statistics.quantiles(ms, n=100)[94], max(ms)

    median, p95, worst = stats(samples)
    verdict = "OK" if median < TARGET_MS and p95 < TARGET_MS else "MISSED"
    print("Field visit benchmark (record_visit, three milestones, recognitions evaluated)")
    print_machine()
    print(
        f"  record_visit, {len(samples)} visits : median {median:6.2f} ms  p95 {p95:6.2f} ms"
        f"  max {worst:6.2f} ms  target < {TARGET_MS:.0f} ms: {verdict}"
    )
    print(f"    queries per visit      : {queries}")
    median, p95, worst = stats(replays)
    print(
        f"  the same visits replayed : median {median:6.2f} ms  p95 {p95:6.2f} ms  max {worst:6.2f} ms"
    )
    print(
        f"    recorded               : {Visit.objects.count()} visits, "
        f"{MilestoneEvent.objects.count()} milestone events, "
        f"{Recognition.objects.filter(revoked_on__isnull=True).count()} households recognised"
    )


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(SRC))
    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-visits-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ["HOCVUSO_DATA_DIR"] = str(workdir)
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hocvuso.config.settings.base"
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
