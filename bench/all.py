"""Every benchmark, on SQLite and on PostgreSQL, one after the other: the README's figures.

    .venv/bin/python bench/all.py [--postgres-url postgres://postgres@127.0.0.1:5432]

Each script creates and drops its own database (faults.py, run as root, a PostgreSQL cluster of
its own; peer_kolibri.py installs Kolibri under var/peer/). Run it on a quiet machine: every script
prints the load average it started under.
"""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    pg = args.postgres_url.rstrip("/")
    runs = [
        ["run.py"],
        ["run.py", "--database-url", f"{pg}/hocvuso_bench"],
        ["learning.py", "--database", "both", "--postgres-url", f"{pg}/hocvuso_bench_learning"],
        ["people_import.py"],
        ["people_import.py", "--database-url", f"{pg}/hocvuso_bench_people"],
        ["field_visits.py"],
        ["field_visits.py", "--database-url", f"{pg}/hocvuso_bench_visits"],
        ["field_sync.py"],
        ["field_sync.py", "--database-url", f"{pg}/hocvuso_bench_sync"],
        ["monitoring.py", "--postgres-url", pg],
        ["assistant.py"],
        ["assistant.py", "--database-url", f"{pg}/hocvuso_bench_assistant"],
        ["peer_kolibri.py", "--postgres-url", pg],
        ["load.py", "--postgres-url", f"{pg}/hocvuso_bench_load"],
        ["faults.py"],
    ]
    failed = 0
    for script, *rest in runs:
        print(f"\n##### bench/{script} {' '.join(rest)}", flush=True)
        code = subprocess.call([sys.executable, str(HERE / script), *rest])
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
