"""A year of complaints shaped like a profile, as a scenario dict for `complaints simulate`.

Every figure the annual report counts comes out exactly as the profile says, for every
seed; the seed decides only which complaint gets what, the dates and the words.

How: each counted figure is a pool holding exactly that many roles (complainant types,
stage 1 outcomes, stage 1 timeliness, final stages, Ombudsman results), shuffled by the
seed and dealt one to a complaint. Then each complaint's dates are placed so that its
role comes true under the engine's own calendar and deadline arithmetic
(``rules.calendar``, ``rules.deadlines``): an on-time response on or before its due date
(after any suspension), an extended one in the ten working days its extension added, a
late one past the furthest the stage could have been extended to, a no-response left
until the stage is overdue and then escalated. Each quarter's costs are its total in
whole pence cut into amounts that add up to it, dated while a stage 2 or 3 was running.
Where a seed's dates cannot carry a role (no stage 2 running in some quarter, say), the
year is drawn again from the same random stream, so a seed always gives the same year.

Every action is one the engine accepts (procedures.md section 6): actions on working
days and in date order, an officer assigned before any response, an extension once and
before the due date, nothing while suspended but the resumption, escalation only after a
response (within its window) or once the stage is overdue.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from caseload import texts
from caseload.days import WorkingDayPlacer
from caseload.directory import officers
from caseload.profiles import CorporateFigures, Profile, StatutoryFigures
from policies import Policy, load_policy
from rules.bank_holidays import days_off
from rules.calendar import WorkingCalendar, months_later
from rules.deadlines import due_after_resumption, due_date, extended_due, working_days_left

STATUTORY, CORPORATE = "children-statutory", "corporate"
# Stage 1 timeliness roles.
ON_TIME, EXTENDED, LATE, NO_RESPONSE = "on_time", "extended_on_time", "late", "no_response"
HEADS, MANAGERS, INVESTIGATORS = 3, 6, 14
OUTCOME_WEIGHTS = (("upheld", 22), ("partially_upheld", 38), ("not_upheld", 34), ("no_finding", 6))
ATTEMPTS = 50


class Infeasible(Exception):
    """This draw of dates cannot carry the roles dealt; the year is drawn again."""


@dataclass(eq=False)
class StagePlan:
    number: int
    requested: date
    due: date
    responded: date | None = None
    officers: set[str] = field(default_factory=set)


@dataclass(eq=False)
class Case:
    """One complaint as it is planned: its roles, then its dated actions."""

    ref: str
    number: int                       # the complainant's number
    policy: str
    received: date
    type: str = "parent"
    mode: str | None = None           # stage 1 timeliness role
    outcome: str | None = None        # stage 1 outcome
    final_stage: int = 1
    escalation_reason: str | None = None
    reassign: bool = False
    suspend: bool = False
    quick: bool = False               # escalates at once: stage 2 running early in the year
    actions: list[tuple[date, dict[str, Any]]] = field(default_factory=list)
    stages: list[StagePlan] = field(default_factory=list)

    def add(self, day: date, do: str, **fields: Any) -> None:
        self.actions.append((day, {"do": do, **fields}))

    @property
    def last_response(self) -> date | None:
        return max((s.responded for s in self.stages if s.responded), default=None)


def _expand(counts: Sequence[tuple[str, int]]) -> list[str]:
    return [name for name, count in counts for _ in range(count)]


class YearGenerator(WorkingDayPlacer):
    def __init__(self, profile: Profile, seed: int) -> None:
        super().__init__(WorkingCalendar(days_off(profile.year - 1, profile.year + 3)), random.Random(seed))
        # What the report explains (reasons for lateness, recommendations) is drawn from a
        # stream of its own: drawing it from ``rng`` would move every figure after it.
        self.explaining = random.Random(f"explanations-{seed}")
        self.profile = profile
        self.policies: dict[str, Policy] = {name: load_policy(name) for name in (STATUTORY, CORPORATE)}
        self.investigators = [f"io-{i}" for i in range(1, INVESTIGATORS + 1)]
        # The last working day of the financial year: referrals and costs fall by then.
        self.year_last_working_day = self.calendar.working_days_before(profile.last_day + timedelta(days=1), 1)

    # -- the year --------------------------------------------------------------------------

    def scenario(self) -> dict[str, Any]:
        for _ in range(ATTEMPTS):
            try:
                return self._draw()
            except Infeasible:
                continue
        raise RuntimeError(f"no year shaped like {self.profile.name} found in {ATTEMPTS} draws")

    def _draw(self) -> dict[str, Any]:
        p = self.profile
        statutory = self._statutory_cases(self._received_dates(p.statutory.by_month))
        for case in statutory:
            self._statutory_timeline(case)
        self._learning(statutory, p.statutory.learning_forms)
        self._ombudsman(statutory, p.statutory)
        self._costs(statutory, p.statutory.costs_pence)
        corporate = self._corporate_cases(self._received_dates(p.corporate.by_month), len(statutory) + 1,
                                          p.corporate)
        for case in corporate:
            self._corporate_timeline(case)
        self._learning(corporate, p.corporate.learning_forms)
        complaints = [self._entry(c, texts.STATUTORY_AREAS) for c in statutory]
        complaints += [self._entry(c, texts.CORPORATE_AREAS) for c in corporate]
        last = max(a["date"] for c in complaints for a in c["actions"])
        if last >= p.until:
            raise Infeasible(f"an action on {last}, not before the end of the simulation ({p.until})")
        return {
            "officers": officers(HEADS, MANAGERS, INVESTIGATORS),
            "complaints_team": {"email": "complaints@council.example"},
            "until": p.until,
            "complaints": complaints,
            "compliments": self._compliments(),
        }

    # -- dates -----------------------------------------------------------------------------

    def pick(self, first: date, last: date) -> date:
        """A random working day from ``first`` to ``last``; the draw fails when there is none."""
        days = self.working_days(first, last)
        if not days:
            raise Infeasible(f"no working day from {first} to {last}")
        return self.rng.choice(days)

    def _month(self, index: int) -> tuple[date, date]:
        """The first and last day of month ``index`` of the year (0 is April)."""
        first = months_later(self.profile.first_day, index)
        return first, months_later(first, 1) - timedelta(days=1)

    def _received_dates(self, by_month: Sequence[int]) -> list[date]:
        """Working days spread over the months: the profile's counts, a few moved by the seed
        from one month to another (never below three in a month)."""
        counts = list(by_month)
        for _ in range(4):
            a, b = self.rng.sample(range(len(counts)), 2)
            if counts[a] > 3:
                counts[a] -= 1
                counts[b] += 1
        dates: list[date] = []
        for index, count in enumerate(counts):
            days = self.working_days(*self._month(index))
            dates += sorted(self.rng.choice(days) for _ in range(count))
        return dates

    # -- statutory: dealing the roles ---------------------------------------------------

    def _statutory_cases(self, received: list[date]) -> list[Case]:
        s, rng, year = self.profile.statutory, self.rng, self.profile.year
        cases = [Case(ref=f"CS-{year}-{n:04d}", number=n, policy=STATUTORY, received=day)
                 for n, day in enumerate(received, start=1)]
        types = self._statutory_types(s)
        rng.shuffle(types)
        for case, kind in zip(cases, types, strict=True):
            case.type = kind

        # Who goes beyond stage 1: two from the first month, escalating at once (so that
        # stage 2 is running, and costing, in the first quarter); the rest received from
        # the second month to the eleventh (time for stage 2 before the simulation ends).
        _, to_two, to_three = s.final_stage
        first_month_end = self._month(0)[1]
        feeders = rng.sample([c for c in cases if c.received <= first_month_end], 2)
        later = [c for c in cases if first_month_end < c.received <= self._month(10)[1]]
        beyond = feeders + rng.sample(later, to_two + to_three - len(feeders))
        early = [c for c in beyond if c.received <= self._month(6)[1]]  # by October: time for a panel
        if len(early) < to_three:
            raise Infeasible("too few early complaints for the stage 3 panels")
        for case in beyond:
            case.final_stage = 2
        for case in rng.sample(early, to_three):
            case.final_stage = 3

        # Stage 1 timeliness: the no-responses are among those that went on to stage 2.
        feeders[0].mode, feeders[1].mode = NO_RESPONSE, ON_TIME
        for case in feeders:
            case.quick = True
        for case in rng.sample(beyond[2:], s.no_response - 1):
            case.mode = NO_RESPONSE
        pool = [ON_TIME] * (s.on_time - 1) + [EXTENDED] * s.extended_on_time + [LATE] * s.late
        rng.shuffle(pool)
        for case, mode in zip([c for c in cases if c.mode is None], pool, strict=True):
            case.mode = mode

        answered = [c for c in cases if c.mode != NO_RESPONSE]
        outcomes = _expand(s.outcomes)
        rng.shuffle(outcomes)
        for case, outcome in zip(answered, outcomes, strict=True):
            case.outcome = outcome

        for case in beyond:
            if case.mode == NO_RESPONSE:
                case.escalation_reason = "no_response"
            elif case.mode == LATE:
                case.escalation_reason = rng.choice(("late_response", "late_response", "disagree", "no_actions"))
            else:
                case.escalation_reason = rng.choice(("disagree", "disagree", "disagree", "no_actions"))

        for case in rng.sample(cases, s.reassigned):
            case.reassign = True
        steady = [c for c in cases if c.mode in (ON_TIME, EXTENDED) and not c.quick]
        for case in rng.sample(steady, s.suspended):
            case.suspend = True
        return cases

    def _statutory_types(self, s: StatutoryFigures) -> list[str]:
        """Complainant types, the family group split into parents, family members and guardians."""
        types: list[str] = []
        for group, count in s.complainants:
            if group == "family_member":
                relatives = self.rng.randint(*s.family_members)
                types += (["special_guardian"] * s.special_guardians + ["family_member"] * relatives
                          + ["parent"] * (count - s.special_guardians - relatives))
            else:
                types += [group] * count
        return types

    # -- statutory: placing the dates ---------------------------------------------------

    def _statutory_timeline(self, case: Case) -> None:
        rng, policy = self.rng, self.policies[STATUTORY]
        one = self._officer_stage(case, policy, 1, case.received, case.mode, case.outcome,
                                  reassign=case.reassign, suspend=case.suspend)
        if case.final_stage == 1:
            return
        if one.responded is not None:
            requested = self.wd(one.responded, rng.randint(1, 4 if case.quick else 19))
        else:  # no response: the complainant escalates once stage 1 is overdue
            requested = self.wd(one.due, rng.randint(1, 3 if case.quick else 12))
        case.add(requested, "escalate", reason=case.escalation_reason)
        if case.quick or case.received > self._month(8)[1]:
            mode = ON_TIME  # early in the year, or late in it: a stage 2 answered in 25 working days
        else:
            mode = rng.choices((ON_TIME, EXTENDED, LATE), weights=(7, 2, 1))[0]
        two = self._officer_stage(case, policy, 2, requested, mode, self._outcome(), avoid=one.officers,
                                  independent_person=True, reassign=rng.random() < 0.1)
        if case.final_stage == 3:
            requested = self.wd(two.responded, rng.randint(1, 19))
            case.add(requested, "escalate", reason=rng.choice(("disagree", "disagree", "no_actions")))
            self._panel_stage(case, policy, requested)

    def _outcome(self) -> str:
        names, weights = zip(*OUTCOME_WEIGHTS)
        return self.rng.choices(names, weights=weights)[0]

    def _officer_stage(self, case: Case, policy: Policy, number: int, start: date, mode: str,
                       outcome: str | None, avoid: set[str] = frozenset(), reassign: bool = False,
                       suspend: bool = False, independent_person: bool = False) -> StagePlan:
        """Assign (and at stage 2 an independent person), perhaps reassign, extend, suspend
        and resume, then respond as ``mode`` says; a no-response stage ends unanswered."""
        rng, rules, cal = self.rng, policy.stage(number), self.calendar
        start_day = cal.start_day(start)
        due = due_date(cal, start_day, rules.working_days)
        stage = StagePlan(number, start_day, due)
        case.stages.append(stage)
        officer = rng.choice([o for o in self.investigators if o not in avoid])
        stage.officers.add(officer)
        cursor = self.wd(start_day, rng.randint(0, 2))
        case.add(cursor, "assign", officer=officer)
        if independent_person:
            cursor = self.wd(cursor, rng.randint(0, 2))
            case.add(cursor, "appoint_independent_person", name=f"Independent Person {rng.randint(1, 8)}")
        if reassign:
            cursor = self.wd(cursor, rng.randint(1, 3))
            successor = rng.choice([o for o in self.investigators if o not in avoid and o != officer])
            case.add(cursor, "reassign", officer=successor)
            stage.officers.add(successor)
        if mode == EXTENDED or (mode == LATE and number == 1 and rng.random() < 0.5):
            cursor = self.pick(self.wd(cursor, 1), cal.working_days_before(due, 1))
            extension: dict[str, Any] = {"reason": "complex"}
            if number == 1 and case.type == "child_with_advocate" and rng.random() < 0.5:
                extension["reason"] = "advocate_needed"
            if number == 2 and rng.random() < 0.5:  # a date named in writing, short of the maximum
                extension["new_due"] = self.wd(due, rng.randint(10, rules.extra_working_days))
            case.add(cursor, "extend", **extension)
            due = extension.get("new_due") or extended_due(cal, due, rules.extra_working_days)
        if suspend:
            suspended = self.pick(self.wd(cursor, 1), cal.working_days_before(due, 1))
            left = working_days_left(cal, suspended, due)
            case.add(suspended, "suspend", reason="court_proceedings")
            cursor = self.wd(suspended, rng.randint(5, 25))
            case.add(cursor, "resume")
            due = due_after_resumption(cal, cursor, left)
        stage.due = due
        if mode == NO_RESPONSE:
            return stage
        if mode == ON_TIME:
            responded = self.pick(self.wd(cursor, 1), due)
        elif mode == EXTENDED:  # in the working days the extension added
            responded = self.pick(max(self.wd(cursor, 1), cal.working_days_before(due, 9)), due)
        else:
            # Late: at stage 1 past the furthest an extension could have gone, so that
            # it is late however one counts; at stage 2 past its due date.
            beyond = due
            if number == 1 and rules.max_working_days is not None:
                beyond = max(due, self.wd(start_day, rules.max_working_days))
            responded = self.wd(max(beyond, cursor), rng.randint(2, 15))
        case.add(responded, "respond", outcome=outcome, **self._explained(number, mode))
        stage.responded = responded
        return stage

    def _explained(self, number: int, mode: str) -> dict[str, Any]:
        """What a response says besides its outcome: at stage 1, why it was late (most say);
        at stage 2, the investigating officer's recommendations (a few)."""
        more: dict[str, Any] = {}
        draw = self.explaining
        if number == 1 and mode == LATE and draw.random() < texts.LATE_REASON_GIVEN:
            names, weights = zip(*texts.LATE_REASONS)
            more["late_reason"] = draw.choices(names, weights=weights)[0]
        if number == 2 and draw.random() < texts.RECOMMENDATIONS_GIVEN:
            more["recommendations"] = draw.sample(texts.RECOMMENDATIONS, draw.choice((1, 1, 2, 3)))
        return more

    def _panel_stage(self, case: Case, policy: Policy, requested: date) -> None:
        """Stage 3: the panel meets within its 30 working days, reports, and the council answers."""
        rng, rules = self.rng, policy.stage(3)
        start_day = self.calendar.start_day(requested)
        stage = StagePlan(3, start_day, due_date(self.calendar, start_day, rules.working_days))
        case.stages.append(stage)
        held = self.pick(self.wd(start_day, 12), stage.due)
        case.add(held, "panel_held")
        report = self.wd(held, rng.randint(2, rules.panel.recommendations_working_days))
        case.add(report, "panel_report")
        stage.responded = self.wd(report, rng.randint(5, rules.panel.final_response_working_days))
        case.add(stage.responded, "respond", outcome=self._outcome())

    # -- after the responses: lessons learnt, the Ombudsman, costs --------------------------

    def _learning(self, cases: list[Case], forms: int) -> None:
        """``forms`` complaints return a lessons-learnt form a few working days after an
        officer's response (stage 3 has no officer)."""
        answered = [c for c in cases if any(s.responded for s in c.stages if s.number < 3)]
        lessons = list(texts.LESSONS)
        self.rng.shuffle(lessons)
        for i, case in enumerate(self.rng.sample(answered, forms)):
            responded = self.rng.choice([s.responded for s in case.stages if s.responded and s.number < 3])
            case.add(self.wd(responded, self.rng.randint(1, 4)), "submit_learning", text=lessons[i % len(lessons)])

    def _ombudsman(self, cases: list[Case], s: StatutoryFigures) -> None:
        """One referral per result, made in the year after the complaint's last response;
        premature ones straight after a stage 1 answer (the council's process not done)."""
        rng, last = self.rng, self.year_last_working_day
        premature = [r for r in s.ombudsman if r[0] == "premature"]
        others = [r for r in s.ombudsman if r[0] != "premature"]
        rng.shuffle(others)
        settled = [c for c in cases if c.last_response is not None and self.wd(c.last_response, 5) <= last]
        first = rng.sample([c for c in settled if c.final_stage == 1], len(premature))
        second = rng.sample([c for c in settled if c not in first], len(others))
        for case, (result, remedy) in [*zip(first, premature), *zip(second, others)]:
            soon = result == "premature"
            referred = self.pick(self.wd(case.last_response, 1 if soon else 5),
                                 min(self.wd(case.last_response, 15 if soon else 60), last))
            case.add(referred, "refer_to_ombudsman", on=referred)
            decided = self.pick(self.wd(referred, 20), self.wd(referred, 90))
            decision: dict[str, Any] = {"result": result, "on": decided}
            if remedy is not None:
                decision["remedy_gbp"] = remedy
            case.add(decided, "ombudsman_decision", **decision)

    def _costs(self, cases: list[Case], quarters_pence: Sequence[int]) -> None:
        """Each quarter's total cut into a few amounts, each dated while a stage 2 or 3 it
        belongs to was running (or its invoices were coming in, up to 20 working days on)."""
        rng = self.rng
        spans = [(case, s.number, self.wd(s.requested, 1), self.wd(s.responded or s.due, 20))
                 for case in cases for s in case.stages if s.number >= 2]
        for quarter, total in enumerate(quarters_pence):
            first, _ = self._month(3 * quarter)
            _, last = self._month(3 * quarter + 2)
            windows = [(case, number, days) for case, number, begin, end in spans
                       if (days := self.working_days(max(begin, first), min(end, last)))]
            if not windows:
                raise Infeasible(f"no stage 2 or 3 running in quarter {quarter + 1}")
            for pence in self._split(total, rng.randint(3, 6)):
                case, number, days = rng.choice(windows)
                day = rng.choice(days)
                item = "panel" if number == 3 else rng.choice(("investigator", "investigator", "independent_person"))
                case.add(day, "record_cost", stage=number, item=item, amount_gbp=pence / 100, on=day)

    def _split(self, total: int, parts: int, least: int = 25_000) -> list[int]:
        """``total`` pence cut at random into ``parts`` amounts of at least ``least`` pence."""
        free = total - parts * least
        cuts = sorted(self.rng.sample(range(free + 1), parts - 1))
        return [least + b - a for a, b in zip([0, *cuts], [*cuts, free])]

    # -- corporate --------------------------------------------------------------------------

    def _corporate_cases(self, received: list[date], first_number: int, c: CorporateFigures) -> list[Case]:
        rng, year = self.rng, self.profile.year
        cases = [Case(ref=f"CC-{year}-{n:04d}", number=first_number + n - 1, policy=CORPORATE, received=day)
                 for n, day in enumerate(received, start=1)]
        modes = [ON_TIME] * c.on_time + [EXTENDED] * c.extended_on_time + [LATE] * c.late
        rng.shuffle(modes)
        names, weights = zip(*texts.CORPORATE_COMPLAINANTS)
        for case, mode in zip(cases, modes, strict=True):
            case.mode, case.outcome = mode, self._outcome()
            case.type = rng.choices(names, weights=weights)[0]
        eligible = [x for x in cases if x.received <= self._month(9)[1]]
        for case in rng.sample(eligible, rng.randint(*c.escalated)):
            case.final_stage = 2
            case.escalation_reason = rng.choice(
                ("late_response", "disagree") if case.mode == LATE else ("disagree", "disagree", "no_actions"))
        for case in rng.sample(cases, 5):
            case.reassign = True
        return cases

    def _corporate_timeline(self, case: Case) -> None:
        policy = self.policies[CORPORATE]
        one = self._officer_stage(case, policy, 1, case.received, case.mode, case.outcome, reassign=case.reassign)
        if case.final_stage == 2:
            requested = self.wd(one.responded, self.rng.randint(1, 19))
            case.add(requested, "escalate", reason=case.escalation_reason)
            mode = self.rng.choices((ON_TIME, EXTENDED), weights=(4, 1))[0]
            self._officer_stage(case, policy, 2, requested, mode, self._outcome(), avoid=one.officers)

    # -- the file ---------------------------------------------------------------------------

    def _weighted(self, pairs: Sequence[tuple[str, int]]) -> str:
        names, weights = zip(*pairs)
        return self.rng.choices(names, weights=weights)[0]

    def _reasons(self) -> list[str]:
        """One to three reasons, drawn by weight without repeats."""
        left = list(texts.REASONS)
        chosen: list[str] = []
        for _ in range(self.rng.choices((1, 2, 3), weights=(45, 40, 15))[0]):
            reason = self._weighted(left)
            chosen.append(reason)
            left = [pair for pair in left if pair[0] != reason]
        return chosen

    def _entry(self, case: Case, areas: Sequence[tuple[str, int]]) -> dict[str, Any]:
        case.actions.sort(key=lambda item: item[0])  # stable: same-day actions keep their order
        n = case.number
        channel = "advocate" if case.type == "child_with_advocate" else self._weighted(texts.CHANNELS)
        return {
            "ref": case.ref,
            "policy": case.policy,
            "received": case.received,
            "complainant": {"name": f"Complainant {n}", "email": f"complainant{n}@example.org", "type": case.type},
            "channel": channel,
            "service_area": self._weighted(areas),
            "reasons": self._reasons(),
            "actions": [{"date": day, **action} for day, action in case.actions],
        }

    def _compliments(self) -> list[dict[str, Any]]:
        p, rng = self.profile, self.rng
        days = sorted(self.pick(p.first_day, p.last_day) for _ in range(rng.randint(*p.compliments)))
        out = []
        for day in days:
            item: dict[str, Any] = {"date": day, "team": self._weighted(texts.COMPLIMENT_TEAMS)}
            if rng.random() < 0.6:
                item["officer"] = rng.choice(self.investigators)
            item["text"] = rng.choice(texts.COMPLIMENTS)
            out.append(item)
        return out


def generate(profile: Profile, seed: int) -> dict[str, Any]:
    """The year as a scenario dict: the same for the same profile and seed."""
    return YearGenerator(profile, seed).scenario()
