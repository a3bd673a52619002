"""Settings for benchmarks that serve the app under gunicorn: the project's own, with a URL
configuration adding a trivial view to measure against."""

from sunlight.config.settings import *  # noqa: F403 (the benchmark runs the real settings)

ROOT_URLCONF = "bench_urls"
