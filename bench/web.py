"""Benchmark 5: the web app's pages with 10,000 complaints in the store, at 20 concurrent
signed-in users on loopback, beside a static file served by the same server in the same run.

    python -m bench.run web                                   # as part of make bench
    python -m bench.web --build /tmp/web.db                   # just build the store (to look at it)

The store: a fresh SQLite record store (``RecordStore.create_schema``) holding 10,000
complaints received over the last three years, as the engine would have left them today:
``models.complaint.ComplaintState`` objects made up here and turned into rows by
``store.snapshot`` (the engine's own shape), written in batches of core inserts, not
through the engine. About a fifth are still open (some overdue, some due within three
working days, a few not yet assigned, a few with the clock stopped, answered ones awaiting
their lessons-learnt form); the rest closed or withdrawn. Each has its letters in the
outbox (acknowledgement, assignment, response; an escalation to the officer's manager
for the overdue ones), so the tables are the size a council's would be. The directory:
150 investigating officers in 15 teams, under 3 heads of service and a director.

The app runs in a process of its own (``web.server.WebServer`` under uvicorn, on a free
loopback port, no Temporal client: these pages only read), so the client's own work is
not charged to it. 20 clerks, 20 officers and 15 managers sign in; then each page in
turn is fetched by 20 clients at once (httpx.AsyncClient, one per signed-in user), up
to ``requests`` times or ``seconds``, whichever comes first, after a warm-up. Figures:
p50 and p95 of each page's answer time, and p95 beside the static file's p95 (the floor
of any answer from this server: the same HTTP stack, no session, no database).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock_time
from pathlib import Path

from bench.common import Row, say
from bench.report_bench import WorkingDays

TARGET_MS = 150.0
COMPLAINTS = 10_000
CONCURRENCY = 20
REQUESTS = 400              # per page
SECONDS = 30.0              # per page, at most
WARM_UP = 40                # requests per page not counted
BATCH = 2_000
TEAMS = 15
OFFICERS_PER_TEAM = 10
POLICIES = (("children-statutory", 0.5), ("corporate", 0.4), ("complaint-handling-code", 0.1))
AREAS = ("Children in care", "Child protection", "Early help", "Disabled children", "Fostering", "Adoption",
         "Leaving care", "Education", "SEND", "School transport", "Housing", "Adult social care", "Highways")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# ---------------------------------------------------------------------------------- the directory

def write_directory(path: Path) -> None:
    lines = ["officers:", "  - {id: dir-1, name: Director of Children's Services, email: dir1@council.example}"]
    for h in range(1, 4):
        lines.append(f"  - {{id: hos-{h}, name: Head of Service {h}, email: hos{h}@council.example, manager: dir-1}}")
    for t in range(1, TEAMS + 1):
        lines.append(f"  - {{id: tm-{t}, name: Team Manager {t}, email: tm{t}@council.example, "
                     f"manager: hos-{(t - 1) % 3 + 1}}}")
        for i in range(1, OFFICERS_PER_TEAM + 1):
            n = (t - 1) * OFFICERS_PER_TEAM + i
            lines.append(f"  - {{id: io-{n}, name: Investigating Officer {n}, email: io{n}@council.example, "
                         f"manager: tm-{t}}}")
    lines.append("complaints_team: {email: complaints@council.example}")
    path.write_text("\n".join(lines) + "\n")


def officer_ids() -> list[str]:
    return [f"io-{n}" for n in range(1, TEAMS * OFFICERS_PER_TEAM + 1)]


def manager_of(officer: str) -> str:
    return f"tm-{(int(officer.split('-')[1]) - 1) // OFFICERS_PER_TEAM + 1}"


# ---------------------------------------------------------------------------------- the caseload

class Caseload:
    def __init__(self, seed: int, today: date) -> None:
        from policies import load_policy
        from rules.moments import LONDON

        self.rng = random.Random(seed)
        self.today = today
        self.london = LONDON
        self.days = WorkingDays(date(today.year - 4, 1, 1), date(today.year + 2, 12, 31))
        self.policies = {name: load_policy(name) for name, _ in POLICIES}
        self.officers = officer_ids()
        self.now = datetime.now(timezone.utc)

    def at(self, day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, clock_time(hour), self.london)

    def complaint(self, number: int):
        """One complaint as the engine would hold it today, and its letters."""
        from models.complaint import Assignment, Complainant, ComplaintState, HistoryEntry, StageRecord, Suspension

        rng, days, today = self.rng, self.days, self.today
        name = rng.choices([p for p, _ in POLICIES], [w for _, w in POLICIES])[0]
        policy = self.policies[name]
        recent = rng.random() < 0.2
        age = rng.randint(0, 70) if recent else rng.randint(71, 750)
        start = days.days[days.index(today) - age]
        received = self.at(start, rng.randint(8, 17))
        state = ComplaintState(
            ref=f"CS-{start.year}-{number:06d}", policy=name, policy_version=policy.version, received=received,
            complainant=Complainant(name=f"Complainant {number}", email=f"complainant{number}@example.org",
                                    type="parent"),
            channel="email", service_area=rng.choice(AREAS), reasons=["communication"],
            child=f"Child {number}" if name == "children-statutory" else None)
        state.history.append(HistoryEntry(at=received, action="register", detail=name))
        rules = policy.stage(1)
        due = days.due(start, rules.working_days)
        s = StageRecord(stage=1, requested_at=received, start_day=start, working_days=rules.working_days,
                        due=due, original_due=due)
        state.stages.append(s)
        mails = [self.mail(state, "acknowledgement", "complainant", received, due)]
        assigned_on = min(days.due(start, rng.randint(0, 2)), today)
        if not (recent and age < 6 and rng.random() < 0.5):
            s.officer = rng.choice(self.officers)
            state.assignments.append(Assignment(stage=1, officer=s.officer, at=self.at(assigned_on, 11)))
            state.history.append(HistoryEntry(at=self.at(assigned_on, 11), action="assign", detail=s.officer))
            mails.append(self.mail(state, "assignment", s.officer, self.at(assigned_on, 11), due))
        if recent:
            roll = rng.random()
            if s.officer and policy.suspension_allowed and roll < 0.05 and age > 3:
                stopped = days.due(start, rng.randint(1, min(age, 5)))
                left = max(0, days.index(due) - days.index(stopped))
                s.suspensions.append(Suspension(on=stopped, reason="court_proceedings", days_left=left, due=due))
                s.suspended_on, s.days_left, s.due, state.status = stopped, left, None, "suspended"
                state.history.append(HistoryEntry(at=self.at(stopped), action="suspend", detail="court_proceedings"))
            elif s.officer and (due < today and roll < 0.55 or roll < 0.12):
                answered = min(today, days.due(due, rng.randint(-6, 4)))
                answered = max(answered, assigned_on)
                self.answer(state, s, answered, mails)
            elif s.officer and due < today:
                # overdue: the chasing escalated it to the officer's manager
                first_late = days.due(due, 1)
                mails.append(self.mail(state, "overdue", s.officer, self.at(first_late, 9), due))
                mails.append(self.mail(state, "escalation", manager_of(s.officer), self.at(first_late, 9), due))
        else:
            answered = days.due(due, rng.choice((-3, -2, -1, 0, 0, 1, 2, 5)))
            self.answer(state, s, answered, mails)
            if rng.random() < 0.03:
                state.status, state.withdrawn_on = "withdrawn", min(days.due(start, 3), answered)
            else:
                state.status, state.closed_on = "closed", days.due(answered, 20)
                state.archived = state.closed_on < today - timedelta(days=366)
        state.revision = len(state.history)
        state.chased_through = today
        return state, mails

    def answer(self, state, s, day: date, mails: list) -> None:
        from models.complaint import HistoryEntry

        s.responded, s.responding_officer, s.outcome = day, s.officer, self.rng.choice(("upheld", "not_upheld"))
        s.on_time = day <= s.due
        state.history.append(HistoryEntry(at=self.at(day, 15), action="respond", detail=s.outcome))
        mails.append(self.mail(state, "response_issued", "complainant", self.at(day, 15), s.due))
        if self.rng.random() < 0.7 and day < self.today - timedelta(days=14):
            s.learning_submitted, s.learning_text = self.days.due(day, 5), "Staff were reminded to reply sooner."
        else:
            s.learning_reminders_sent = min(3, max(0, (self.days.index(self.today) - self.days.index(day)) // 5))

    def mail(self, state, kind: str, to: str, at: datetime, due: date | None) -> dict:
        key = f"{kind}-{to}-{at:%Y%m%d}"
        return {"ref": state.ref, "key": key, "stage": 1, "kind": kind, "recipient": to, "to_name": to,
                "to_email": f"{to}@council.example", "event_at": at, "due": due, "subject": kind.replace("_", " "),
                "text_body": "A letter about the complaint.", "html_body": "<p>A letter about the complaint.</p>",
                "message_id": f"<{state.ref}.{key}@bench.example>", "created_at": at, "sent_at": at,
                "attempts": 1, "channel": "email"}


def build_store(url: str, complaints: int, seed: int = 2026) -> dict[str, int]:
    """A fresh record store with ``complaints`` complaints; returns the rows written per table."""
    from sqlalchemy import insert

    from rules.moments import LONDON
    from store import snapshot
    from store.record_store import CHILD_TABLES, RecordStore, outbox
    from store.record_store import complaints as complaints_table

    store = RecordStore(url)
    store.create_schema()
    caseload = Caseload(seed, datetime.now(LONDON).date())
    counts: dict[str, int] = {}
    now = datetime.now(timezone.utc)
    for first in range(0, complaints, BATCH):
        batch: dict[str, list] = {}
        for number in range(first + 1, min(first + BATCH, complaints) + 1):
            state, mails = caseload.complaint(number)
            batch.setdefault("complaints", []).append(snapshot.complaint_row(state, now))
            for table, rows_of in CHILD_TABLES:
                batch.setdefault(table.name, []).extend(rows_of(state))
            batch.setdefault("outbox", []).extend(mails)
        with store.engine.begin() as conn:
            conn.execute(insert(complaints_table), batch.pop("complaints"))
            conn.execute(insert(outbox), batch.pop("outbox"))
            for table, _ in CHILD_TABLES:
                rows = batch.get(table.name)
                if rows:
                    conn.execute(insert(table), rows)
        counts["complaints"] = counts.get("complaints", 0) + min(BATCH, complaints - first)
    with store.engine.connect() as conn:
        from sqlalchemy import func, select

        for table in (complaints_table, outbox, *(t for t, _ in CHILD_TABLES)):
            counts[table.name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
    store.close()
    return counts


# ---------------------------------------------------------------------------------- the server

async def serve(url: str) -> None:
    """The app on a free loopback port, read-only (no Temporal client); prints the port."""
    from store.record_store import RecordStore
    from web.server import WebServer
    from web.settings import WebSettings

    server = WebServer(WebSettings(port=0), RecordStore(url), None, "bench")
    await server.start()
    print(f"port {server.port}", flush=True)
    await server.task


class Server:
    def __init__(self, url: str, directory: Path) -> None:
        self.url, self.directory = url, directory
        self.proc: asyncio.subprocess.Process | None = None
        self.port = 0

    async def __aenter__(self) -> Server:
        env = {**os.environ, "COMPLAINTS_DIRECTORY": str(self.directory)}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.web", "--serve", self.url, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=None)
        line = await asyncio.wait_for(self.proc.stdout.readline(), timeout=120)
        if not line.startswith(b"port "):
            raise RuntimeError(f"the web app did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), timeout=10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


# ---------------------------------------------------------------------------------- the clients

async def signed_in(base: str, username: str, password: str):
    import httpx

    client = httpx.AsyncClient(base_url=base, follow_redirects=False, timeout=30.0,
                               limits=httpx.Limits(max_connections=2))
    page = await client.get("/sign-in")
    token = CSRF.search(page.text).group(1)
    answer = await client.post("/sign-in", data={"csrf_token": token, "username": username, "password": password})
    if answer.status_code != 303:
        raise RuntimeError(f"{username} could not sign in ({answer.status_code})")
    return client


async def measure(clients: list, paths, requests: int, seconds: float) -> tuple[list[float], int]:
    """Each client fetches the next path again and again, until ``requests`` answers are
    counted (after the warm-up) or ``seconds`` have passed. Returns the times (ms) and errors."""
    times: list[float] = []
    errors = 0
    issued = 0
    deadline = time.perf_counter() + seconds
    paths = list(paths) if not callable(paths) else paths

    def next_path() -> str:
        return paths() if callable(paths) else paths[issued % len(paths)]

    async def one(client) -> None:
        nonlocal issued, errors
        while issued < requests + WARM_UP and time.perf_counter() < deadline:
            n = issued
            issued += 1
            path = next_path()
            t0 = time.perf_counter()
            answer = await client.get(path)
            took = (time.perf_counter() - t0) * 1000
            if answer.status_code != 200:
                errors += 1
            elif n >= WARM_UP:
                times.append(took)

    await asyncio.gather(*(one(c) for c in clients))
    return times, errors


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


async def bench_web(complaints: int = COMPLAINTS, concurrency: int = CONCURRENCY, requests: int = REQUESTS,
                    seconds: float = SECONDS) -> list[Row]:
    from store.record_store import RecordStore
    from web.accounts import add_account

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="web-bench-") as folder:
        directory = Path(folder) / "directory.yaml"
        write_directory(directory)
        os.environ["COMPLAINTS_DIRECTORY"] = str(directory)
        url = f"sqlite:///{Path(folder) / 'records.db'}"
        t0 = time.perf_counter()
        counts = build_store(url, complaints)
        say(f"store: {', '.join(f'{n:,} {t}' for t, n in counts.items())} in {time.perf_counter() - t0:.1f} s")

        store = RecordStore(url)
        from web import tables
        tables.create(store.engine)
        password = "bench-password-not-secret"
        people = ([(f"clerk-{i}", {"clerk"}, None) for i in range(concurrency)]
                  + [(f"officer-{i}", {"officer"}, f"io-{i * 7 + 1}") for i in range(concurrency)]
                  + [(f"manager-{i}", {"manager"}, f"tm-{i % TEAMS + 1}") for i in range(concurrency)])
        for username, roles, directory_id in people:
            add_account(store.engine, username, username.title(), roles, password=password, directory_id=directory_id)
        from sqlalchemy import select

        from store.record_store import complaints as complaints_table
        with store.engine.connect() as conn:
            refs = conn.execute(select(complaints_table.c.ref)).scalars().all()
        store.close()

        async with Server(url, directory) as server:
            base = f"http://127.0.0.1:{server.port}"
            say(f"the app answers at {base} (its own process); signing in {len(people)} people")
            clerks = [await signed_in(base, u, password) for u, _, _ in people[:concurrency]]
            officers = [await signed_in(base, u, password) for u, _, _ in people[concurrency:2 * concurrency]]
            managers = [await signed_in(base, u, password) for u, _, _ in people[2 * concurrency:]]
            rng = random.Random(7)
            years = sorted({r.split("-")[1] for r in refs})
            filtered = ["/complaints?due=overdue", "/complaints?status=closed&procedure=corporate&sort=due&order=desc",
                        "/complaints?team=tm-3&stage=1", "/complaints?status=any&page=40",
                        "/complaints?area=Fostering&sort=officer", "/complaints?status=learning"]
            pages = [
                ("static file (/static/app.css)", clerks, ["/static/app.css"]),
                ("dashboard (/)", clerks, ["/"]),
                ("complaint list, filtered", clerks, filtered),
                ("complaint list, searched by reference", clerks,
                 lambda: f"/complaints?reference=CS-{rng.choice(years)}-00{rng.randint(10, 99)}"),
                ("complaint page (/complaints/<ref>)", clerks, lambda: f"/complaints/{rng.choice(refs)}"),
                ("complaint list, an officer's", officers, ["/complaints"]),
                ("my complaints (officer)", officers, ["/my-complaints"]),
                ("my team (manager)", managers, ["/team"]),
            ]
            static_p95 = None
            for name, clients, paths in pages:
                probe = await clients[0].get(paths() if callable(paths) else paths[0])
                if probe.status_code != 200:
                    say(f"{name}: answers {probe.status_code}; not measured (not built yet?)")
                    continue
                times, errors = await measure(clients, paths, requests, seconds)
                if not times:
                    say(f"{name}: no answer measured ({errors} errors)")
                    continue
                p50, p95 = statistics.median(times), pct(times, 95)
                if static_p95 is None:
                    static_p95 = p95
                ratio = p95 / static_p95 if static_p95 else None
                say(f"{name}: {len(times)} answers at {len(clients)} at once; p50 {p50:.1f} ms, p95 {p95:.1f} ms "
                    f"({ratio:.1f} x the static file's p95){f'; {errors} errors' if errors else ''}")
                is_static = name.startswith("static")
                rows.append(Row(f"web: {name} p50", p50, "ms", None, "", None, "-", None))
                rows.append(Row(f"web: {name} p95", p95, "ms", None if is_static else static_p95,
                                "" if is_static else "static file p95", None if is_static else ratio,
                                f"< {TARGET_MS:.0f} ms", p95 < TARGET_MS and not errors))
            for client in clerks + officers + managers:
                await client.aclose()
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The web app's pages at 20 concurrent users.")
    parser.add_argument("--serve", metavar="DATABASE_URL", help="(internal) serve the app on a free port")
    parser.add_argument("--build", metavar="FILE", help="only build the store in this SQLite file")
    parser.add_argument("--complaints", type=int, default=COMPLAINTS)
    parser.add_argument("--requests", type=int, default=REQUESTS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(serve(args.serve))
    elif args.build:
        directory = Path(args.build).with_suffix(".directory.yaml")
        write_directory(directory)
        say(build_store(f"sqlite:///{args.build}", args.complaints))
        say(f"directory: {directory} (COMPLAINTS_DIRECTORY)")
    else:
        from bench.run import table

        say(table(asyncio.run(bench_web(args.complaints, requests=args.requests))))


if __name__ == "__main__":
    main()
