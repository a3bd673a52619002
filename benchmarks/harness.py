"""What the database benchmarks share: run the measurement in a child process per database —
SQLite in a fresh data directory and, when a PostgreSQL URL is given, a fresh database created on
that server and dropped afterwards — and collect each child's one-line JSON result."""

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any


def run_parent(
    script: str,
    child_args: list[str],
    postgres: str,
    report: Callable[[dict[str, Any]], bool],
    *,
    fresh: bool = True,
) -> int:
    """Measure on SQLite, then on PostgreSQL if `postgres` is a URL; report each; exit code.
    With `fresh` false the PostgreSQL database named by the URL is used as it is (an empty
    database of one's own, where creating others is not wanted)."""
    results = [run_child(script, child_args, None)]
    if postgres.startswith(("postgres://", "postgresql://")):
        results.append(run_child(script, child_args, postgres, fresh=fresh))
    else:
        print("PostgreSQL: skipped (set DATABASE_URL or --postgres URL)\n")
    ok = True
    for result in results:
        ok = report(result) and ok
    return 0 if ok else 1


def run_child(
    script: str, child_args: list[str], postgres: str | None, *, fresh: bool = True
) -> dict[str, Any]:
    name = Path(script).stem
    env = {**os.environ, "SUNLIGHT_DATA_DIR": tempfile.mkdtemp(prefix=f"sunlight-bench-{name}-")}
    env.pop("DATABASE_URL", None)
    database = None
    if postgres and fresh:
        database, env["DATABASE_URL"] = create_database(postgres, name)
    elif postgres:
        env["DATABASE_URL"] = postgres
    try:
        command = [sys.executable, str(Path(script).resolve()), "--child", *child_args]
        output = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=True)
    finally:
        if postgres and database:
            drop_database(postgres, database)
    line = next(x for x in output.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def child_result(result: dict[str, Any]) -> None:
    print("RESULT " + json.dumps(result), flush=True)


def create_database(url: str, name: str) -> tuple[str, str]:
    import psycopg
    from psycopg import sql

    database = f"sunlight_bench_{name}_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    base, _, _ = url.rpartition("/")
    return database, f"{base}/{database}"


def drop_database(url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def server_port() -> int:
    """The port for a benchmark's server: SUNLIGHT_BENCH_PORT when set (a shared machine where
    each user keeps to their own ports), else a free one."""
    if os.environ.get("SUNLIGHT_BENCH_PORT"):
        return int(os.environ["SUNLIGHT_BENCH_PORT"])
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
