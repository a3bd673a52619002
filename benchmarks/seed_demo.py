"""Benchmark: `sunlight seed-demo` into an empty data directory.

Runs, each in its own subprocess and its own empty SUNLIGHT_DATA_DIR (SQLite):
  * baseline: `sunlight migrate` alone — the fixed cost of starting Django and creating the
    schema, which seed-demo pays too;
  * seed: `sunlight seed-demo` (migrates, then builds the whole demo city through the services);
  * rerun: `sunlight seed-demo` again on the seeded directory (must only print the logins).
Reports wall time and peak memory (ru_maxrss of each child) and checks the targets: seed
(organisation, catalog, flows and ~52,000 cases) ≤ 3 minutes and ≤ 2 GiB on this machine.

    python benchmarks/seed_demo.py [--scale 1.0] [--keep]
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 180.0
TARGET_BYTES = 2 * 1024**3


def run(args: list[str], data_dir: Path) -> tuple[float, int, str]:
    """Run `sunlight ARGS` with its own data directory: (wall seconds, peak RSS bytes, stdout)."""
    env = {**os.environ, "SUNLIGHT_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)  # the embedded SQLite database is what a new user gets
    command = [sys.executable, "-m", "sunlight.cli", *args]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    stdout = process.stdout.read() if process.stdout else ""
    # wait4 gives this child's own rusage (RUSAGE_CHILDREN would be the max over all children).
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"`sunlight {' '.join(args)}` failed ({process.returncode}):\n{stdout}")
    return elapsed, usage.ru_maxrss * 1024, stdout  # ru_maxrss is in KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="1.0")
    parser.add_argument("--keep", action="store_true", help="keep the seeded data directory")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="sunlight-bench-seed-"))
    try:
        base_time, base_rss, _ = run(["migrate", "-v", "0"], root / "baseline")
        seed_time, seed_rss, seed_out = run(
            ["seed-demo", "--no-progress", "--scale", args.scale], root / "seeded"
        )
        rerun_time, rerun_rss, rerun_out = run(["seed-demo", "--no-progress"], root / "seeded")
        _, _, status_out = run(["status", "--json"], root / "seeded")
        status = json.loads(status_out)
        children_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    mib = 1024 * 1024
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, SQLite (WAL)")
    print(
        f"created: {status['power_items']:,} power items, {status['departments']} departments, "
        f"{status['users']} users, {status['audit_entries']:,} audit entries"
    )
    if "cases" in status:
        print(
            f"cases: {status['cases']:,} ({status['open_cases']:,} open, "
            f"{status['joint_cases']} joint applications)"
        )
    print(f"baseline  `sunlight migrate`          {base_time:6.2f} s  {base_rss / mib:7.1f} MiB")
    print(f"seed      `sunlight seed-demo`        {seed_time:6.2f} s  {seed_rss / mib:7.1f} MiB")
    print(f"rerun     `sunlight seed-demo` again  {rerun_time:6.2f} s  {rerun_rss / mib:7.1f} MiB")
    print(f"seed minus baseline: {seed_time - base_time:.2f} s of generation")
    print(f"peak RSS of any child (RUSAGE_CHILDREN): {children_rss / mib:.1f} MiB")
    checks = [
        (f"seed wall time ≤ {TARGET_SECONDS:.0f} s", seed_time <= TARGET_SECONDS),
        (f"seed peak memory ≤ {TARGET_BYTES / 1024**3:.0f} GiB", seed_rss <= TARGET_BYTES),
        ("rerun only prints the logins", "已存在" in rerun_out and "admin" in rerun_out),
        ("seed printed the logins", "zjj_clerk" in seed_out),
    ]
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
