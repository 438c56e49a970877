"""Benchmark of the field sync: 500 queued visits sent in one batch, then the same batch replayed.

The batch goes through the real endpoint, POST /api/v1/field/sync with a bearer token, by Django's
test client: the whole request stack (middleware, token check, ninja parsing, each item in its own
transaction, JSON answer) without a socket in between. Each visit is to its own household of two
residents and records two milestones for the first of them (four for every tenth visit).

    .venv/bin/python bench/field_sync.py
    .venv/bin/python bench/field_sync.py --database-url postgres://postgres@127.0.0.1:5432/hocvuso_bench_sync

A SQLite file goes into a temporary folder; a PostgreSQL database is created for the run and dropped
after it (an existing one of that name is refused unless --recreate is given). Target: < 3 s.
"""

import argparse
import datetime
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import SRC, postgres_database, print_machine

TARGET_SECONDS = 3.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="default: SQLite in a temporary folder")
    parser.add_argument("--visits", type=int, default=500, help="visits in the batch (500)")
    parser.add_argument("--recreate", action="store_true")
    return parser.parse_args()


def build_world(visits: int):
    """A village of Xã Đông Cuông, its team member with a token, and one household per visit."""
    from hocvuso.accounts.models import Role
    from hocvuso.accounts.services import create_user
    from hocvuso.accounts.tokens import issue_token
    from hocvuso.field.services.teams import add_team_member, save_team
    from hocvuso.people.models import Household, Resident
    from hocvuso.places.models import Area
    from hocvuso.places.services import create_village, load_administrative_units

    load_administrative_units()
    village = create_village(commune=Area.objects.get(code="04399"), name="Thôn Sài Lương")
    member = create_user(
        username="tocnscd.sailuong",
        password="MatKhau@2025",
        roles=[(Role.TEAM_MEMBER, village)],
    )
    team = save_team(village=village, decision_number="01/QĐ-UBND")
    add_team_member(team=team, user=member, joined_on=datetime.date(2025, 9, 1))
    households = Household.objects.bulk_create(
        [
            Household(village=village, head_name=f"Hộ {n:04d}", number=str(n), created_by=member)
            for n in range(visits)
        ]
    )
    Resident.objects.bulk_create(
        [
            Resident(
                household=h, village=village, full_name=f"{h.head_name} — {who}", created_by=member
            )
            for h in households
            for who in ("chủ hộ", "vợ/chồng")
        ]
    )
    _token, raw = issue_token(user=member, name="Bench")
    return raw


def batch(visits: int) -> list[dict]:
    from hocvuso.people.models import Resident

    today = datetime.date.today().isoformat()
    by_household: dict[int, list[int]] = {}
    for pk, household_id in Resident.objects.order_by("pk").values_list("pk", "household_id"):
        by_household.setdefault(household_id, []).append(pk)
    items = []
    for n, (household_id, people) in enumerate(sorted(by_household.items())[:visits]):
        milestones = ["has_smartphone", "vneid_installed"]
        if n % 10 == 0:
            milestones += ["vneid_level2", "pays_cashless"]
        items.append(
            {
                "client_id": str(uuid.uuid4()),
                "type": "visit",
                "payload": {
                    "visited_on": today,
                    "household_id": household_id,
                    "resident_ids": people,
                    "activities": "Hướng dẫn cài VNeID, chuyển khoản bằng mã QR",
                    "milestones": {str(people[0]): milestones},
                    "problems_received": 1,
                    "problems_resolved": 1,
                },
                "base_version": None,
            }
        )
    return items


def send(client, token: str, items: list[dict]) -> tuple[float, dict]:
    body = json.dumps({"items": items})
    started = time.perf_counter()
    response = client.post(
        "/api/v1/field/sync",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        sys.exit(f"sync answered {response.status_code}: {response.content[:500]!r}")
    return elapsed, response.json()


def run(args: argparse.Namespace) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    from django.test import Client

    from hocvuso.field.models import Visit
    from hocvuso.people.models import MilestoneEvent

    call_command("migrate", verbosity=0)
    token = build_world(args.visits)
    items = batch(args.visits)
    client = Client()

    print("Field sync benchmark (Django test client → POST /api/v1/field/sync, bearer token)")
    print_machine()
    first, answer = send(client, token, items)
    counts = {k: answer[k] for k in ("applied", "duplicate", "rejected", "conflict")}
    visits = Visit.objects.count()
    events = MilestoneEvent.objects.count()
    replay, again = send(client, token, items)
    replay_counts = {k: again[k] for k in ("applied", "duplicate", "rejected", "conflict")}
    half, resumed = send(client, token, items[: len(items) // 2])
    verdict = "OK" if first < TARGET_SECONDS else "MISSED"
    print(
        f"  {len(items)} visits in one batch : {first:6.2f} s  ({first / len(items) * 1000:.1f} ms/visit)"
        f"  target < {TARGET_SECONDS:.0f} s: {verdict}"
    )
    print(f"    outcomes                : {counts}")
    print(f"    recorded                : {visits} visits, {events} milestone events")
    print(f"  the same batch replayed   : {replay:6.2f} s  outcomes {replay_counts}")
    print(
        f"    recorded after replay   : {Visit.objects.count()} visits, "
        f"{MilestoneEvent.objects.count()} milestone events"
    )
    print(
        f"  first half resent         : {half:6.2f} s  outcomes "
        f"{ {k: resumed[k] for k in ('applied', 'duplicate')} }"
    )


def main() -> None:
    args = parse_args()
    sys.path.insert(0, str(SRC))
    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-sync-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ["HOCVUSO_DATA_DIR"] = str(workdir)
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hocvuso.config.settings.base"
    os.environ["ALLOWED_HOSTS"] = "testserver"
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
