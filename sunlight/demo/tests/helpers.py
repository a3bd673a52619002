import io

from django.core.management import call_command

SCALE = 0.02


def seed(**options) -> str:
    """Run `sunlight seed-demo` at a small scale and return what it printed."""
    out = io.StringIO()
    call_command("seed_demo", scale=SCALE, no_progress=True, stdout=out, **options)
    return out.getvalue()
