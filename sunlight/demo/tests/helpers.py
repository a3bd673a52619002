import datetime as dt
import io

from django.core.management import call_command

SCALE = 0.02
# The day the demo tests build the city on (the demo takes "today" from the clock otherwise).
AS_OF = dt.date(2026, 11, 20)


def seed(**options) -> str:
    """Run `sunlight seed-demo` at a small scale and return what it printed."""
    out = io.StringIO()
    options.setdefault("as_of", AS_OF)
    call_command("seed_demo", scale=SCALE, no_progress=True, stdout=out, **options)
    return out.getvalue()
