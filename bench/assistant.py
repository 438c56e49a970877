"""Benchmark of the help assistant: does the right lesson come up, and how fast is an answer?

Builds a fresh database (SQLite in a temporary folder, or a PostgreSQL database created for the run
and dropped after it), installs the starter catalogue and the starter FAQ, then asks every question
of bench/data/assistant_questions.json (written by hand, half typed without diacritics, with typos
and abbreviations, each with the lesson that answers it):

    .venv/bin/python bench/assistant.py
    .venv/bin/python bench/assistant.py --database-url postgres://postgres@127.0.0.1:5432/hocvuso_bench_assistant

Prints top-1 and top-3 accuracy (the right lesson among the first three ranked) and the latency of
a whole answer (search, ranking, quote, scam check; no language model) as p50 and p95 over every
question, repeated --rounds times after one warm-up round that also builds the index.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import SRC, postgres_database, print_machine

QUESTIONS = Path(__file__).resolve().parent / "data" / "assistant_questions.json"
TARGET_TOP3 = 0.90
TARGET_P95_MS = 30.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--recreate", action="store_true")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    return parser.parse_args()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(args: argparse.Namespace) -> int:
    import django
    from django.core.management import call_command
    from django.urls import reverse

    django.setup()
    from hocvuso.assistant.answers import ask, rank_lessons
    from hocvuso.assistant.index import get_index
    from hocvuso.assistant.services import install_starter_help
    from hocvuso.learning.models import Lesson
    from hocvuso.learning.services.catalogue import install_starter_catalogue
    from hocvuso.places.services import load_administrative_units

    print("hocvuso bench: help assistant")
    print_machine()
    call_command("migrate", verbosity=0)
    load_administrative_units()
    install_starter_catalogue()
    install_starter_help()
    # "<course slug>/<n>": the n-th lesson of the course, counted from 1 in the course's order.
    lessons: dict[str, int] = {}
    counts: dict[str, int] = {}
    for pk, slug in Lesson.objects.order_by("course__slug", "position", "id").values_list(
        "id", "course__slug"
    ):
        counts[slug] = counts.get(slug, 0) + 1
        lessons[f"{slug}/{counts[slug]}"] = pk
    reverse("portal:home")  # the URL configuration loads once per process, not with the index
    started = time.perf_counter()
    index = get_index()
    build_ms = (time.perf_counter() - started) * 1000
    print(
        f"  index   : {len(index.entries)} passages, {len(index.postings)} terms, "
        f"built in {build_ms:.0f} ms"
    )

    questions = json.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    plain = sum(item["q"].isascii() for item in questions)
    top1 = top3 = 0
    for item in questions:
        wanted = lessons[item["lesson"]]
        ranked, _faq = rank_lessons(item["q"])
        ids = [found.lesson_id for found in ranked[:3]]
        top1 += bool(ids) and ids[0] == wanted
        top3 += wanted in ids
        if args.verbose and wanted not in ids:
            titles = dict(Lesson.objects.filter(id__in=ids).values_list("id", "title"))
            print(f"  miss: {item['q']!r} → {[titles.get(i) for i in ids]}")

    timings: list[float] = []
    for round_number in range(args.rounds + 1):
        for item in questions:
            started = time.perf_counter()
            ask(item["q"], phrase=False)
            elapsed = (time.perf_counter() - started) * 1000
            if round_number:
                timings.append(elapsed)

    count = len(questions)
    share3 = top3 / count
    p50, p95 = statistics.median(timings), percentile(timings, 0.95)
    print(f"  questions: {count} ({plain} typed without diacritics)")
    print(f"  top-1 accuracy: {top1}/{count} = {top1 / count:.1%}")
    verdict3 = "ok" if share3 >= TARGET_TOP3 else "MISSED"
    print(f"  top-3 accuracy: {top3}/{count} = {share3:.1%}   target ≥ 90%   {verdict3}")
    verdict_p95 = "ok" if p95 < TARGET_P95_MS else "MISSED"
    print(
        f"  answer latency: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(timings)} answers   "
        f"target p95 < 30 ms   {verdict_p95}"
    )
    return 0 if share3 >= TARGET_TOP3 and p95 < TARGET_P95_MS else 1


def main() -> int:
    args = parse_args()
    sys.path.insert(0, str(SRC))
    workdir = Path(tempfile.mkdtemp(prefix="hocvuso-bench-assistant-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ["HOCVUSO_DATA_DIR"] = str(workdir)
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hocvuso.config.settings.base"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # A language model server configured in the shell must not slow the figures down.
    os.environ.pop("ASSISTANT_LLM_URL", None)
    try:
        if url.startswith(("postgres://", "postgresql://")):
            with postgres_database(url, recreate=args.recreate):
                return run(args)
        return run(args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
