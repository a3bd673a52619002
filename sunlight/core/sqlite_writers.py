"""Writers to an SQLite database take turns in the kernel, not in SQLite's busy handler.

SQLite lets one writer at a time; a writer that finds the lock taken sleeps and retries, and
the sleeps SQLite's default handler takes grow 1, 2, 5, 10 … 100 ms whatever the wait really
was. A statement that holds the lock for a tenth of a millisecond thus made the next writer
sleep for milliseconds: under a public page that writes on every request (the rate-limit
counter of the progress lookup), most of a request's time went to these sleeps
(benchmarks/progress_lookup.py). `writer_turn()` queues such a short autocommit write on a
lock that wakes the next in line the moment it is free: a threading lock among the threads of
one worker, then an advisory file lock (flock) beside the database among the workers.

Only for short writes outside a transaction: a transaction holding SQLite's lock while it waits
here could wait for a writer that waits for it. On PostgreSQL (row locks, no database-wide
writer lock) it does nothing."""

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

_threads = threading.Lock()
_files: dict[str, int] = {}


@contextmanager
def writer_turn() -> Iterator[None]:
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):  # test databases: one process
        yield
        return
    with _threads:
        descriptor = _files.get(name)
        if descriptor is None:
            descriptor = os.open(f"{name}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
            _files[name] = descriptor
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
