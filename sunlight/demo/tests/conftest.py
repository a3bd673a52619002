import pytest
from django.db import transaction

from sunlight.demo.tests.helpers import seed


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One small demo city for every test of a module (seeding takes seconds): built inside a
    transaction that is rolled back when the module is done, so other tests never see it.
    Each test still runs in its own savepoint. Yields what the seed printed."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield seed()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
