"""SQLite writers take turns on a kernel lock: a second writer waits while the first holds its
turn and goes on the moment it is released; nothing waits on PostgreSQL or inside a
transaction."""

import threading

import pytest
from django.db import connection

from sunlight.core import sqlite_writers
from sunlight.core.sqlite_writers import writer_turn

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")


@pytest.fixture
def database_file(tmp_path, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", str(tmp_path / "db.sqlite3"))
    monkeypatch.setattr(sqlite_writers, "_files", {})
    return tmp_path


def test_second_writer_waits_for_the_first_turn_to_end(database_file):
    events = []
    holding = threading.Event()

    def second() -> None:
        holding.wait()
        with writer_turn():
            events.append("second")

    thread = threading.Thread(target=second)
    thread.start()
    with writer_turn():
        holding.set()
        thread.join(timeout=0.2)
        assert thread.is_alive()  # blocked on the lock while this turn lasts
        events.append("first done")
    thread.join(timeout=5)
    assert events == ["first done", "second"]
    assert (database_file / "db.sqlite3-writers.lock").exists()


def test_inside_a_transaction_no_turn_is_taken(database_file, monkeypatch):
    monkeypatch.setattr(connection, "in_atomic_block", True)
    with writer_turn():
        pass
    assert not (database_file / "db.sqlite3-writers.lock").exists()
