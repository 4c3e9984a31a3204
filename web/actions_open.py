"""Who may take which action on a complaint (one table), and the actions open now.

The table is the spec's (web.md section 3): the Complaints Team takes every action but
discontinuing, which is the complaints manager's; the complaint's current officer
responds, asks for more time and sends the lessons-learnt form; a manager reassigns a
complaint of their team to someone else in it. Saying why a late response was late is
the team's or the current officer's, as responding is. Whether the rules then accept the action
is the workflow's to say: ``actions_for`` only leaves out what the person's role may never
do, and what the complaint's state makes plainly pointless (restarting a running clock),
so the complaint page offers the actions worth trying.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from models.complaint import FINAL_RESPONSE, PANEL_MEETING, PANEL_REPORT, Officer
from policies import Policy, PolicyError, load_policy
from rules.moments import LONDON
from web.access import COMPLAINTS_MANAGER, MANAGER, OFFICER, Person, team_under

# Who, in the table below.
TEAM = "team"                    # clerks and the complaints manager
CM = "complaints manager"        # the complaints manager only
CURRENT_OFFICER = "officer"      # the current stage's investigating officer
TEAM_MANAGER = "manager"         # a manager of the current officer (at any depth)


@dataclass(frozen=True)
class ActionRule:
    path: str                    # as in the address: /complaints/<ref>/submit-learning
    update: str                  # the workflow Update (models.actions.ACTIONS): submit_learning
    words: str                   # the link on the complaint page
    who: frozenset[str]


def _rule(path: str, words: str, *who: str) -> ActionRule:
    return ActionRule(path, path.replace("-", "_"), words, frozenset(who))


ACTION_RULES: tuple[ActionRule, ...] = (
    _rule("assign", "Assign an investigating officer", TEAM),
    _rule("reassign", "Reassign to another officer", TEAM, TEAM_MANAGER),
    _rule("extend", "Extend the deadline", TEAM, CURRENT_OFFICER),
    _rule("suspend", "Stop the clock", TEAM),
    _rule("resume", "Restart the clock", TEAM),
    _rule("respond", "Record the response", TEAM, CURRENT_OFFICER),
    _rule("late-reason", "Say why the response was late", TEAM, CURRENT_OFFICER),
    _rule("submit-learning", "Send the lessons-learnt form", TEAM, CURRENT_OFFICER),
    _rule("escalate", "Move to the next stage", TEAM),
    _rule("appoint-independent-person", "Appoint the independent person", TEAM),
    _rule("panel-held", "Record that the review panel met", TEAM),
    _rule("panel-report", "Record the panel's recommendations", TEAM),
    _rule("discontinue", "Discontinue for proceedings", CM),
    _rule("proceedings-ended", "Record that the proceedings ended", TEAM),
    _rule("resubmit", "Reopen the complaint (resubmitted)", TEAM),
    _rule("withdraw", "Withdraw the complaint", TEAM),
    _rule("refer-to-ombudsman", "Record a referral to the Ombudsman", TEAM),
    _rule("ombudsman-decision", "Record the Ombudsman's decision", TEAM),
    _rule("record-cost", "Record a cost", TEAM),
)
BY_PATH: dict[str, ActionRule] = {r.path: r for r in ACTION_RULES}


# ------------------------------------------------------------------------ the complaint


def current_stage(record: dict) -> dict:
    """The record store's row of the complaint's current stage."""
    for stage in record.get("stages", []):
        if stage["stage"] == record["stage"]:
            return stage
    return {"stage": record.get("stage")}


def awaiting_learning(record: dict) -> dict | None:
    """The latest stage answered by an officer whose lessons-learnt form has not come in
    (as rules.lessons_learnt.awaiting_learning reads it)."""
    for stage in reversed(record.get("stages", [])):
        if stage.get("responding_officer") and stage.get("learning_submitted") is None:
            return stage
    return None


def _officer_of(action: str, record: dict) -> str | None:
    """The officer whose own action it is: the one who answered, for the lessons-learnt form."""
    if action == "submit-learning":
        waiting = awaiting_learning(record)
        return waiting["responding_officer"] if waiting else current_stage(record).get("officer")
    return current_stage(record).get("officer")


def may_take(person: Person, action: str, record: dict, officers: Iterable[Officer]) -> bool:
    """May ``person`` take ``action`` on this complaint, by their role alone?"""
    rule = BY_PATH.get(action)
    if rule is None:
        return False
    if TEAM in rule.who and person.team:
        return True
    if CM in rule.who and person.has(COMPLAINTS_MANAGER):
        return True
    officer = _officer_of(action, record)
    if officer is None or not person.directory_id:
        return False
    if CURRENT_OFFICER in rule.who and person.has(OFFICER) and person.directory_id == officer:
        return True
    if TEAM_MANAGER in rule.who and person.has(MANAGER):
        return officer in team_under(person.directory_id, officers)
    return False


def choosable_officers(person: Person, action: str, officers: Iterable[Officer]) -> list[Officer]:
    """Whom the person may pick in an officer Select: anyone (the team), or someone in
    their own team (a manager reassigning)."""
    listed = list(officers)
    if not person.team and action == "reassign" and person.directory_id:
        mine = team_under(person.directory_id, listed)
        listed = [o for o in listed if o.id in mine]
    return sorted(listed, key=lambda o: (o.name.casefold(), o.id))


# ------------------------------------------------------------------------ open now


def _policy(record: dict) -> Policy | None:
    try:
        return load_policy(record["policy"])
    except (PolicyError, KeyError, OSError):
        return None


def open_now(action: str, record: dict, policy: Policy | None, today: date) -> bool:
    """Is the action worth offering on the complaint as it stands? (The rules decide.)"""
    status, stage = record.get("status"), current_stage(record)
    answered = stage.get("responded") is not None
    running = status == "open" and not answered
    stage_rules = None
    if policy is not None:
        try:
            stage_rules = policy.stage(stage["stage"])
        except (KeyError, ValueError, IndexError):
            stage_rules = None
    has_officer = stage_rules.has_officer if stage_rules is not None else True
    pausable = policy.suspension_allowed if policy is not None else True
    last_stage = policy.last_stage if policy is not None else 3
    referrals = record.get("ombudsman", [])
    waiting_ombudsman = any(r.get("decided") is None for r in referrals)
    match action:
        case "assign":
            return running and has_officer and stage.get("officer") is None
        case "reassign":
            return running and has_officer and stage.get("officer") is not None
        case "extend":
            extendable = stage_rules is None or stage_rules.extra_working_days is not None
            return running and extendable and stage.get("extended_due") is None and not stage.get("clock")
        case "suspend":
            return running and pausable
        case "resume":
            return status == "suspended"
        case "respond":
            needs_officer = has_officer and stage.get("officer") is None
            return running and not needs_officer and stage.get("clock") in (None, FINAL_RESPONSE)
        case "late-reason":
            # Said afterwards, even once the complaint has closed: the annual report counts it.
            return status != "withdrawn" and any(
                s.get("responded") is not None and s.get("on_time") is False and s.get("late_reason") is None
                for s in record.get("stages", []))
        case "submit-learning":
            return status != "withdrawn" and awaiting_learning(record) is not None
        case "escalate":
            if stage["stage"] >= last_stage or status not in ("open", "closed"):
                return False
            due = stage.get("due")
            return answered or status == "closed" or (due is not None and today > due)
        case "appoint-independent-person":
            return status in ("open", "suspended") and bool(stage_rules and stage_rules.independent_person)
        case "panel-held":
            return status == "open" and stage.get("clock") == PANEL_MEETING
        case "panel-report":
            return status == "open" and stage.get("clock") == PANEL_REPORT
        case "discontinue":
            return status in ("open", "suspended") and not answered and pausable
        case "proceedings-ended":
            return status == "discontinued" and record.get("proceedings_ended") is None
        case "resubmit":
            return (status in ("discontinued", "closed") and record.get("discontinued_on") is not None
                    and record.get("proceedings_ended") is not None and record.get("resubmitted") is None)
        case "withdraw":
            return status in ("open", "suspended", "discontinued")
        case "refer-to-ombudsman":
            ever_answered = any(s.get("responded") for s in record.get("stages", []))
            return status != "withdrawn" and not waiting_ombudsman and ever_answered
        case "ombudsman-decision":
            return waiting_ombudsman
        case "record-cost":
            return last_stage >= 2 and any(s["stage"] >= 2 for s in record.get("stages", []))
    return False


def actions_for(person: Person, record: dict, officers: list, today: date | None = None) -> list[dict]:
    """The actions ``person`` may take on the complaint now, in the table's order: each
    ``{"path": "/complaints/<ref>/<action>", "text": "..."}``."""
    today = today or datetime.now(LONDON).date()
    policy = _policy(record)
    return [{"path": f"/complaints/{record['ref']}/{rule.path}", "text": rule.words}
            for rule in ACTION_RULES
            if may_take(person, rule.path, record, officers) and open_now(rule.path, record, policy, today)]
