"""Soak (issue #17's proof): the production server over a copy of the demo city, mixed public and
staff traffic on 127.0.0.1 at a bounded rate for --seconds (default 600), and its memory sampled
every few seconds.

Public traffic: the portal home, the catalog and its search, power pages, the progress lookup
(its form, and real lookups of demo cases with their query codes from rotating client addresses,
each case well inside the lookup's own limits), the statistics page, the read API (power list,
power detail, 双公示 list). Staff traffic: demo clerks signed in through the real sign-in form
(username, password, CSRF token) open the staff home, their workbench, the case list and case
pages; every --write-every seconds one of them accepts a submitted case of their department
through the case page's own form (its CSRF token read from the page), as a person would.

Requests are due at --rate per second in all, spread over --clients keep-alive connections
(one loop per connection: a slow answer delays that connection, never the schedule's bound).
The server is gunicorn with `sunlight serve`'s settings (SUNLIGHT_WORKERS workers × 4 threads,
gthread), the same as benchmarks/public_pages.py, over the demo's embedded database.

Before the clock starts, every power page and API power is fetched a few times, so the page
caches are full (they are bounded) and memory measured afterwards is not their filling.
Prints requests, errors (any 5xx or connection error), p50/p99 per page kind, writes done, and
the server's resident memory (master + workers) at start, middle and end with the slope over
the second half. Exits non-zero on any error, on a write that did not
take, or when memory still grows in the second half faster than --max-slope MB/min.

    python benchmarks/soak.py [--seconds 600] [--rate 25] [--demo SEEDED_DATA_DIR | --scale 0.1]
"""

import argparse
import http.client
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import public_pages  # noqa: E402 (benchmarks are scripts; the server wrapper sits beside them)

DEFAULT_MAX_SLOPE = 3.0  # MB/min over the second half: ~1 KB kept per request would exceed it
RSS_EVERY = 5.0
# gunicorn closes a connection idle for 2 s (its keep-alive). This client opens a new one
# before that; and, as a browser does, sends a GET once more on a new connection when the
# server closed a kept-alive one without answering (counted apart; a form is never sent twice).
# A worker that died would show as a changed worker process, which fails the soak.
IDLE_REOPEN_S = 1.5
_CLOSED_UNANSWERED = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)
MAX_CLERKS = 12
# Every power page and API power this many times before the clock starts: with two workers
# that fills each one's page cache nearly whole (bounded, config/caches.py), so memory that
# grows afterwards is not the caches filling.
WARM_PASSES = 3
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--rate", type=float, default=25.0, help="requests per second in all")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--write-every", type=float, default=10.0, help="seconds between writes")
    parser.add_argument("--max-slope", type=float, default=DEFAULT_MAX_SLOPE)
    parser.add_argument("--demo", help="a data directory seeded by `sunlight seed-demo` (copied)")
    parser.add_argument("--scale", default="0.1", help="seed a fresh demo at this scale")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="sunlight-soak-")) / "data"
    try:
        started = time.perf_counter()
        if args.demo:
            shutil.copytree(args.demo, data_dir)
        else:
            _seed(data_dir, args.scale)
        os.environ["SUNLIGHT_DATA_DIR"] = str(data_dir)
        os.environ.pop("DATABASE_URL", None)  # the demo copy's embedded database
        # All of the soak's traffic comes from one address: the API's per-address limit (a
        # protection against one scraper, tested on its own) would answer it 429.
        os.environ["SUNLIGHT_API_ANON_RATE"] = ""
        plan = _plan(writes_wanted=int(args.seconds / args.write_every) + 1)
        print(
            f"demo copy ready in {time.perf_counter() - started:.0f} s: {len(plan.codes)} published"
            f" powers, {len(plan.lookups)} cases to look up, clerks"
            f" {', '.join(c.username for c in plan.clerks)} with"
            f" {sum(len(c.to_accept) for c in plan.clerks)} submitted cases to accept"
        )
        workers = int(os.environ.get("SUNLIGHT_WORKERS", "2"))
        with public_pages._Server(workers) as server:
            result = Soak(server, plan, args).run()
        accepted = _accepted(result.accepted_numbers)
    finally:
        shutil.rmtree(data_dir.parent, ignore_errors=True)
    return _report(result, args, workers, accepted)


def _seed(data_dir: Path, scale: str) -> None:
    env = {**os.environ, "SUNLIGHT_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "sunlight.cli", "seed-demo", "--no-progress", "--scale", scale]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)


# ---------------------------------------------------------------- what to ask for


@dataclass
class Clerk:
    username: str
    cases: list[str]  # case pages to open (their department's)
    to_accept: list[str]  # submitted cases of their department, accepted one by one


@dataclass
class Plan:
    codes: list[str]
    lookups: list[tuple[str, str]]
    clerks: list[Clerk]
    password: str


def _plan(writes_wanted: int) -> Plan:
    """Read from the demo copy what the traffic needs: published codes, cases with their query
    codes, and clerks of the departments with the most submitted cases, enough of them for
    `writes_wanted` acceptances (MAX_CLERKS at the most)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlight.config.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from sunlight.cases.choices import CaseState
    from sunlight.cases.models import Case
    from sunlight.catalog.selectors import public_power_list
    from sunlight.demo.city import DEMO_PASSWORD
    from sunlight.org.choices import Role
    from sunlight.org.models import User

    codes = list(public_power_list().order_by("item__code").values_list("item__code", flat=True))
    lookups = list(
        Case.objects.exclude(query_code="")
        .order_by("-received_at")
        .values_list("number", "query_code")[:900]
    )
    busiest = (
        Case.objects.filter(state=CaseState.SUBMITTED)
        .values("department_id")
        .annotate(n=Count("id"))
        .order_by("-n", "department_id")
    )
    clerks = []
    for row in busiest:
        user = (
            User.objects.filter(department_id=row["department_id"], role=Role.CLERK, is_active=True)
            .order_by("username")
            .first()
        )
        if user is None:
            continue
        department_cases = Case.objects.filter(department_id=row["department_id"])
        clerks.append(
            Clerk(
                username=user.username,
                cases=list(
                    department_cases.order_by("-received_at").values_list("number", flat=True)[:200]
                ),
                to_accept=list(
                    department_cases.filter(state=CaseState.SUBMITTED)
                    .order_by("received_at")
                    .values_list("number", flat=True)
                ),
            )
        )
        if len(clerks) == MAX_CLERKS or sum(len(c.to_accept) for c in clerks) >= writes_wanted:
            break
    connection.close()
    return Plan(codes=codes, lookups=lookups, clerks=clerks, password=DEMO_PASSWORD)


def _accepted(numbers: list[str]) -> int:
    """How many of the cases the soak accepted are now past acceptance, read from the database."""
    from django.db import connection

    from sunlight.cases.choices import CaseState
    from sunlight.cases.models import Case

    count = Case.objects.filter(number__in=numbers).exclude(state=CaseState.SUBMITTED).count()
    connection.close()
    return count


# ---------------------------------------------------------------- a browser, roughly


class Browser:
    """One keep-alive connection with a cookie jar: enough of a browser for Django's session
    and CSRF cookies. Answers (status, body); status 0 for a connection error."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.last_used = time.monotonic()
        self.answered = 0  # on the current connection
        self.resent = 0
        self.failure = ""

    def _reopen(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.answered = 0

    def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> tuple[int, str]:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if time.monotonic() - self.last_used > IDLE_REOPEN_S:
            self._reopen()
        try:
            try:
                response, text = self._send(method, path, body, sent)
            except _CLOSED_UNANSWERED:
                if not (self.answered and method == "GET"):
                    raise
                self._reopen()
                self.resent += 1
                response, text = self._send(method, path, body, sent)
        except (OSError, http.client.HTTPException) as exc:
            self.failure = type(exc).__name__
            self._reopen()
            return 0, ""
        finally:
            self.last_used = time.monotonic()
        self.answered += 1
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text

    def _send(
        self, method: str, path: str, body: str | None, headers: dict
    ) -> tuple[http.client.HTTPResponse, str]:
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        return response, response.read().decode("utf-8", "replace")

    def sign_in(self, username: str, password: str) -> None:
        status, page = self.request("GET", "/staff/login/")
        token = _CSRF_INPUT.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"sign-in page answered {status}")
        status, _ = self.request(
            "POST",
            "/staff/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"{username} could not sign in ({status})")


# ---------------------------------------------------------------- the soak


@dataclass
class Result:
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    unexpected: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    accepted_numbers: list[str] = field(default_factory=list)
    writes_refused: int = 0
    rss: list[tuple[float, float]] = field(default_factory=list)  # (seconds in, MB)
    resent: int = 0
    warm_seconds: float = 0.0
    workers: tuple[list[int], list[int]] = ([], [])  # worker process ids at start and end


class Soak:
    def __init__(self, server: Any, plan: Plan, args: argparse.Namespace) -> None:
        self.server, self.plan, self.args = server, plan, args
        self.rng = random.Random(17)  # noqa: S311 (load shape, not security)
        self.lock = threading.Lock()
        self.result = Result()
        self.sequence = iter(range(10**12))
        self.next_lookup = 0
        self.public_count = 0
        # A clerk's browser serves one request at a time, as a person's would.
        self.clerk_locks = {c.username: threading.Lock() for c in plan.clerks}
        self.next_write = 0.0
        self.to_accept = [(c, n) for c in plan.clerks for n in c.to_accept]
        self.rng.shuffle(self.to_accept)
        # Spread the writes over the whole run when the demo has fewer cases to accept.
        self.write_every = max(args.write_every, args.seconds / max(1, len(self.to_accept)))

    def run(self) -> Result:
        self.browsers = {}
        for clerk in self.plan.clerks:
            browser = Browser(self.server.port)
            browser.sign_in(clerk.username, self.plan.password)
            self.browsers[clerk.username] = browser
        self.public_browsers: list[Browser] = []
        self.result.warm_seconds = self._warm()
        workers_start = self._worker_pids()
        self.start = time.monotonic()
        self.stop = self.start + self.args.seconds
        self.next_write = self.start + self.write_every
        sampler = threading.Thread(target=self._sample, daemon=True)
        sampler.start()
        threads = [
            threading.Thread(target=self._client, args=(i,)) for i in range(self.args.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.result.seconds = time.monotonic() - self.start
        sampler.join(timeout=RSS_EVERY + 1)
        self.result.rss.append((self.result.seconds, self.server.rss_mb()))
        self.result.workers = (workers_start, self._worker_pids())
        browsers = [*self.public_browsers, *self.browsers.values()]
        self.result.resent = sum(b.resent for b in browsers)
        return self.result

    def _warm(self) -> float:
        begin = time.monotonic()
        paths = iter(
            [
                f"{prefix}{code}/"
                for code in self.plan.codes
                for prefix in ("/powers/", "/api/v1/powers/")
            ]
            * WARM_PASSES
        )

        def worker() -> None:
            browser = Browser(self.server.port)
            while True:
                with self.lock:
                    path = next(paths, None)
                if path is None:
                    return
                browser.request("GET", path)

        threads = [threading.Thread(target=worker) for _ in range(self.args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - begin

    def _worker_pids(self) -> list[int]:
        pid = self.server.process.pid
        return sorted(int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())

    def _sample(self) -> None:
        while time.monotonic() < self.stop:
            self.result.rss.append((time.monotonic() - self.start, self.server.rss_mb()))
            time.sleep(RSS_EVERY)

    def _client(self, index: int) -> None:
        public = Browser(self.server.port)
        self.public_browsers.append(public)
        interval = 1.0 / self.args.rate
        while True:
            with self.lock:
                n = next(self.sequence)
            due = self.start + n * interval
            if due >= self.stop or time.monotonic() >= self.stop:
                return  # bounded in time as well as in count
            if due > time.monotonic():
                time.sleep(due - time.monotonic())
            self._one(n, public)

    def _one(self, n: int, public: Browser) -> None:
        """The n-th request of the mix: mostly public pages, a fifth staff pages, a write every
        --write-every seconds."""
        with self.lock:
            write = time.monotonic() >= self.next_write and self.to_accept
            if write:
                self.next_write += self.write_every
                clerk, number = self.to_accept.pop()
        if write:
            self._accept(clerk, number)
            return
        slot = n % 10
        if slot < 8:
            kind, path, headers = self._public_request(n)
            self._timed(kind, public, "GET", path, headers=headers)
        else:
            clerk = self.plan.clerks[n % len(self.plan.clerks)]
            kind, path = self._staff_request(n, clerk)
            with self.clerk_locks[clerk.username]:
                self._timed(kind, self.browsers[clerk.username], "GET", path)

    def _public_request(self, n: int) -> tuple[str, str, dict]:
        codes, rng = self.plan.codes, self.rng
        with self.lock:
            choice = self.public_count % 10
            self.public_count += 1
        if choice == 0:
            return "portal home", "/", {}
        if choice == 1:
            return "catalog", "/powers/", {}
        if choice == 2:
            query = rng.choice(["许可", "登记", "备案", "证", "不存在的事项"])
            return "catalog search", "/powers/?" + urlencode({"q": query}), {}
        if choice in (3, 4):
            return "power page", f"/powers/{rng.choice(codes)}/", {}
        if choice == 5:
            with self.lock:
                number, code = self.plan.lookups[self.next_lookup % len(self.plan.lookups)]
                self.next_lookup += 1
            # Each lookup from its own address (the clients behind one trusted proxy).
            forwarded = {"X-Forwarded-For": f"10.17.{(n // 256) % 256}.{n % 256}"}
            return (
                "progress lookup",
                "/progress/?" + urlencode({"number": number, "code": code}),
                forwarded,
            )
        if choice == 6:
            return "statistics", "/statistics/", {}
        if choice == 7:
            page = rng.randint(1, 5)
            return "api list", f"/api/v1/powers/?page={page}", {}
        if choice == 8:
            return "api detail", f"/api/v1/powers/{rng.choice(codes)}/", {}
        return "progress form", "/progress/", {}

    def _staff_request(self, n: int, clerk: Clerk) -> tuple[str, str]:
        choice = (n // 10) % 4
        if choice == 0:
            return "staff home", "/staff/"
        if choice == 1:
            return "workbench", "/staff/cases/"
        if choice == 2:
            return "case list", "/staff/cases/?tab=all"
        return "case page", f"/staff/cases/{self.rng.choice(clerk.cases)}/"

    def _accept(self, clerk: Clerk, number: str) -> None:
        """Accept through the case page's form, as the clerk would: read the page, post the form
        with the page's CSRF token."""
        with self.clerk_locks[clerk.username]:
            browser = self.browsers[clerk.username]
            status, page = self._timed("case page", browser, "GET", f"/staff/cases/{number}/")
            token = _CSRF_INPUT.search(page)
            if status != 200 or token is None:
                self.result.writes_refused += 1
                return
            form = {"csrfmiddlewaretoken": token[1], "accept-opinion": "材料齐全，予以受理。"}
            path = f"/staff/cases/{number}/actions/accept/"
            status, _ = self._timed("write: accept", browser, "POST", path, form=form)
            if status == 302:
                self.result.accepted_numbers.append(number)
            else:
                self.result.writes_refused += 1

    def _timed(
        self, kind: str, browser: Browser, method: str, path: str, **kwargs: Any
    ) -> tuple[int, str]:
        begin = time.perf_counter()
        status, body = browser.request(method, path, **kwargs)
        elapsed = time.perf_counter() - begin
        expected = {302} if method == "POST" else {200}
        with self.lock:
            self.result.latencies[kind].append(elapsed)
            if status == 0 or status >= 500:
                self.result.errors[kind] += 1
                if len(self.result.error_samples) < 10:
                    what = status or browser.failure
                    self.result.error_samples.append(f"{what} {method} {path}")
            elif status not in expected:
                self.result.unexpected[f"{kind} {status}"] += 1
        return status, body


# ---------------------------------------------------------------- the report


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))] * 1000 if ordered else 0.0


def _slope_mb_per_min(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of RSS over time."""
    if len(points) < 2:
        return 0.0
    mean_t = sum(t for t, _ in points) / len(points)
    mean_m = sum(m for _, m in points) / len(points)
    spread = sum((t - mean_t) ** 2 for t, _ in points)
    if spread == 0:
        return 0.0
    return sum((t - mean_t) * (m - mean_m) for t, m in points) / spread * 60


def _report(r: Result, args: argparse.Namespace, workers: int, accepted: int) -> int:
    requests = sum(len(v) for v in r.latencies.values())
    errors = sum(r.errors.values())
    print(f"warmed every power page and API power {WARM_PASSES}× in {r.warm_seconds:.0f} s")
    print(
        f"soak {r.seconds:.0f} s on 127.0.0.1, gunicorn {workers} workers × 4 threads,"
        f" {args.clients} connections, bounded at {args.rate:.0f} requests/s:"
        f" {requests:,} requests ({requests / r.seconds:.1f}/s), errors {errors}"
        + (f" {r.error_samples}" if errors else "")
    )
    print(f"  {'page kind':<18}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for kind in sorted(r.latencies, key=lambda k: -len(r.latencies[k])):
        values = r.latencies[kind]
        print(
            f"  {kind:<18}{len(values):9,}{_percentile(values, 50):9.1f}"
            f"{_percentile(values, 99):9.1f}{r.errors.get(kind, 0):8}"
        )
    if r.unexpected:
        print(f"  answered otherwise than expected (not errors): {dict(r.unexpected)}")
    writes = len(r.accepted_numbers)
    print(
        f"  writes: {writes} cases accepted through the form ({accepted} confirmed in the"
        f" database), {r.writes_refused} refused"
    )
    workers_ok = r.workers[0] == r.workers[1]
    print(
        f"  connections: {r.resent} GETs sent again after the server closed an idle kept-alive"
        f" connection unanswered; worker processes {r.workers[0]}"
        + (" unchanged" if workers_ok else f" became {r.workers[1]} (a worker died)")
    )
    middle = min(r.rss, key=lambda p: abs(p[0] - r.seconds / 2))
    second_half = [p for p in r.rss if p[0] >= r.seconds / 2]
    slope = _slope_mb_per_min(second_half)
    print(
        f"  server RSS (master + workers, after the warm-up), every {RSS_EVERY:.0f} s: start"
        f" {r.rss[0][1]:.1f} MB, middle {middle[1]:.1f} MB, end {r.rss[-1][1]:.1f} MB;"
        f" slope over the second half {slope:+.2f} MB/min (bound {args.max_slope:.1f})"
    )
    memory_ok = slope <= args.max_slope
    writes_ok = writes == accepted and r.writes_refused == 0
    ok = errors == 0 and memory_ok and writes_ok and workers_ok
    print(
        f"  verdict: {'PASSED' if ok else 'FAILED'}"
        f" (errors {errors}, memory {'flat' if memory_ok else 'GROWING'},"
        f" writes {'all took' if writes_ok else 'NOT all took'})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
