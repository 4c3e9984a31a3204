"""A seeded, plausible year of complaints as a scenario dict (docs/contracts.md).

    python -m bench.caseload [--complaints 200] [--seed 2024] [--year 2024] > year.yaml

The year is a council's financial year (1 April to 31 March). Each complaint is received
on a working day, assigned within 0-3 working days, and answered on time or (about 40%
of stages) after its due date. Some are extended, some suspended and resumed (not under
the Complaint Handling Code, which does not allow pausing), some reassigned; some go to
stage 2 after their response, within the 20-working-day window, and a few statutory
ones on to a stage 3 review panel (panel held, panel report, final response). Most
responding officers submit their lessons-learnt form. Every action is at 10:00 and the
actions are in date order, so the dict passes ``simulation.scenario.parse_scenario``.

Dates are placed with the engine's own calendar (``rules.bank_holidays.days_off`` and
``rules.calendar.WorkingCalendar``) and its deadline arithmetic (``rules.deadlines``).
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from caseload.days import WorkingDayPlacer
from caseload.directory import dump_scenario, officers
from policies import Policy, load_policy
from rules.bank_holidays import days_off
from rules.calendar import WorkingCalendar
from rules.deadlines import due_after_resumption, due_date, extended_due, working_days_left

POLICIES = (("children-statutory", 0.40), ("corporate", 0.35), ("complaint-handling-code", 0.25))
COMPLAINANT_TYPES = ("child", "child_with_advocate", "parent", "parent", "parent", "family_member",
                     "foster_carer", "special_guardian", "adopter", "professional", "other")
SERVICE_AREAS = ("Children in care", "Child protection", "Early help", "Disabled children",
                 "Fostering", "Adoption", "Leaving care", "Family support")
REASONS = ("communication", "delay", "quality_of_service", "staff_conduct", "decision", "policy")
OUTCOMES = ("upheld", "partially_upheld", "not_upheld", "not_upheld", "no_finding")

# Rates (per stage where it applies). LATE_RATE is the share of stage responses after
# their due date; the realised share is printed by the benchmark.
LATE_RATE = 0.40
EXTEND_RATE = 0.20
SUSPEND_RATE = 0.12
REASSIGN_RATE = 0.15
LEARNING_RATE = 0.85
ESCALATE_TO_2_RATE = 0.25
ESCALATE_TO_3_RATE = 0.45          # of statutory complaints answered at stage 2
APPOINT_IP_RATE = 0.9              # statutory stage 2: an independent person appointed


INVESTIGATORS = [f"io-{i}" for i in range(1, 13)]


@dataclass
class _Plan:
    """The actions of one complaint, built stage by stage."""

    actions: list[tuple[date, dict[str, Any]]] = field(default_factory=list)
    late_stages: int = 0
    stages: int = 0

    def add(self, day: date, do: str, **fields: Any) -> None:
        self.actions.append((day, {"do": do, **fields}))


class CaseloadGenerator(WorkingDayPlacer):
    def __init__(self, seed: int, year: int) -> None:
        super().__init__(WorkingCalendar(days_off(year - 1, year + 3)), random.Random(seed))
        self.year = year
        self.policies: dict[str, Policy] = {name: load_policy(name) for name, _ in POLICIES}

    # -- one stage with an investigating officer --------------------------------------

    def officer_stage(self, plan: _Plan, policy: Policy, number: int, start: date,
                      avoid: set[str]) -> tuple[date, set[str]]:
        """Assign, perhaps reassign / extend / suspend, then respond. Returns the response day
        and the officers who handled the stage."""
        rng, rules = self.rng, policy.stage(number)
        start_day = self.calendar.start_day(start)
        due = due_date(self.calendar, start_day, rules.working_days)
        officer = rng.choice([o for o in INVESTIGATORS if o not in avoid])
        handled = {officer}
        cursor = self.wd(start_day, rng.randint(0, 3))
        plan.add(cursor, "assign", officer=officer)
        if number == 2 and policy.name == "children-statutory" and rng.random() < APPOINT_IP_RATE:
            plan.add(self.wd(cursor, rng.randint(0, 2)), "appoint_independent_person",
                     name=f"Independent Person {rng.randint(1, 6)}")
        if rng.random() < REASSIGN_RATE:
            cursor = self.wd(cursor, rng.randint(1, 4))
            new = rng.choice([o for o in INVESTIGATORS if o != officer and o not in avoid])
            plan.add(cursor, "reassign", officer=new)
            handled.add(new)
        if rules.extra_working_days is not None and rng.random() < EXTEND_RATE:
            cursor = self.between(self.wd(cursor, 1), self.calendar.working_days_before(due, 1))
            plan.add(cursor, "extend", reason=rng.choice(("complex", "complex", "advocate_needed")))
            due = extended_due(self.calendar, due, rules.extra_working_days)
        if policy.suspension_allowed and rng.random() < SUSPEND_RATE:
            suspended = self.between(self.wd(cursor, 1), self.calendar.working_days_before(due, 1))
            left = working_days_left(self.calendar, suspended, due)
            plan.add(suspended, "suspend", reason=rng.choice(("court_proceedings", "police_investigation")))
            cursor = self.wd(suspended, rng.randint(5, 30))
            plan.add(cursor, "resume")
            due = due_after_resumption(self.calendar, cursor, left)
        plan.stages += 1
        if rng.random() < LATE_RATE or cursor >= due:
            responded = self.wd(max(due, cursor), rng.randint(1, 15))
            plan.late_stages += 1
        else:
            responded = self.between(self.wd(cursor, 1), due)
        plan.add(responded, "respond", outcome=rng.choice(OUTCOMES))
        if rng.random() < LEARNING_RATE:
            plan.add(self.wd(responded, rng.randint(0, 8)), "submit_learning")
        return responded, handled

    # -- stage 3: the review panel ------------------------------------------------------

    def panel_stage(self, plan: _Plan, policy: Policy, requested: date) -> None:
        rng, rules = self.rng, policy.stage(3)
        late = rng.random() < LATE_RATE
        meeting_due = due_date(self.calendar, requested, rules.working_days)
        held = self.wd(meeting_due, rng.randint(1, 10)) if late else self.between(self.wd(requested, 10), meeting_due)
        plan.add(held, "panel_held")
        report = self.wd(held, rng.randint(2, 5))
        plan.add(report, "panel_report")
        plan.add(self.wd(report, rng.randint(5, 15)), "respond", outcome=rng.choice(OUTCOMES))
        plan.stages += 1
        plan.late_stages += late

    # -- one complaint ------------------------------------------------------------------

    def complaint(self, n: int, received: date) -> tuple[dict[str, Any], _Plan]:
        rng = self.rng
        name = rng.choices([p for p, _ in POLICIES], weights=[w for _, w in POLICIES])[0]
        policy = self.policies[name]
        plan = _Plan()
        responded, handled = self.officer_stage(plan, policy, 1, received, avoid=set())
        if policy.last_stage >= 2 and rng.random() < ESCALATE_TO_2_RATE:
            window = policy.stage(1).escalation_window_working_days
            requested = self.wd(responded, rng.randint(1, window - 1))
            plan.add(requested, "escalate", reason="disagree")
            avoid = handled if (policy.stage(2).officer_must_differ_from_previous_stage
                                or policy.stage(2).officer_new_to_the_complaint) else set()
            responded, _ = self.officer_stage(plan, policy, 2, requested, avoid=avoid)
            if policy.last_stage >= 3 and rng.random() < ESCALATE_TO_3_RATE:
                window = policy.stage(2).escalation_window_working_days
                requested = self.wd(responded, rng.randint(1, window - 1))
                plan.add(requested, "escalate", reason="disagree")
                self.panel_stage(plan, policy, requested)
        plan.actions.sort(key=lambda item: item[0])  # stable: same-day actions keep their order
        ref = f"CS-{self.year}-{n:04d}"
        return {
            "ref": ref,
            "policy": name,
            "received": received,
            "complainant": {"name": f"Complainant {n}", "email": f"complainant{n}@example.org",
                            "type": rng.choice(COMPLAINANT_TYPES)},
            "service_area": rng.choice(SERVICE_AREAS),
            "reasons": rng.sample(REASONS, rng.randint(1, 2)),
            "actions": [{"date": day, **act} for day, act in plan.actions],
        }, plan

    def year_of(self, count: int) -> tuple[dict[str, Any], dict[str, Any]]:
        """The scenario dict, and a few facts about it (for the benchmark to print)."""
        first, last = date(self.year, 4, 1), date(self.year + 1, 3, 31)
        span = (last - first).days
        received = sorted(self.calendar.start_day(first + timedelta(days=self.rng.randrange(span)))
                          for _ in range(count))
        complaints, plans = [], []
        for n, day in enumerate(received, start=1):
            c, plan = self.complaint(n, day)
            complaints.append(c)
            plans.append(plan)
        last_action = max(a["date"] for c in complaints for a in c["actions"])
        until = last_action + timedelta(days=28)
        scenario = {
            "officers": officers(),
            "complaints_team": {"email": "complaints@council.example"},
            "until": until,
            "complaints": complaints,
        }
        kinds: dict[str, int] = {}
        for c in complaints:
            for a in c["actions"]:
                kinds[a["do"]] = kinds.get(a["do"], 0) + 1
        by_policy: dict[str, int] = {}
        for c in complaints:
            by_policy[c["policy"]] = by_policy.get(c["policy"], 0) + 1
        facts = {
            "complaints": count,
            "policies": by_policy,
            "actions": sum(kinds.values()),
            "by_action": dict(sorted(kinds.items())),
            "stages": sum(p.stages for p in plans),
            "planned_late_stages": sum(p.late_stages for p in plans),
            "until": until.isoformat(),
        }
        return scenario, facts


def generate_year(complaints: int = 200, seed: int = 2024, year: int = 2024) -> dict[str, Any]:
    """A year of ``complaints`` as a scenario dict, the same for the same seed."""
    return CaseloadGenerator(seed, year).year_of(complaints)[0]


def generate_year_with_facts(complaints: int = 200, seed: int = 2024,
                             year: int = 2024) -> tuple[dict[str, Any], dict[str, Any]]:
    return CaseloadGenerator(seed, year).year_of(complaints)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--year", type=int, default=2024, help="financial year starting 1 April")
    args = parser.parse_args(argv)
    scenario, facts = generate_year_with_facts(args.complaints, args.seed, args.year)
    from simulation.scenario import parse_scenario

    parse_scenario(scenario)  # fails loudly if the generator ever drifts from the format
    sys.stderr.write(f"{facts}\n")
    dump_scenario(scenario, sys.stdout)


if __name__ == "__main__":
    main()
