"""Procedures as data (procedures.md section 3): the built-in policies carry the rulebook's
numbers, a council's own file changes them without code, and a bad file is refused with
its name and the field at fault.
"""

from __future__ import annotations

import textwrap
from datetime import date

import pytest

from policies import BUILT_IN, PolicyError, available_policies, load_policy, load_policy_file

BUILT_IN_NAMES = {"children-statutory", "corporate", "complaint-handling-code"}


@pytest.fixture(autouse=True)
def only_built_in_policies(monkeypatch):
    monkeypatch.delenv("COMPLAINTS_POLICY_DIR", raising=False)


@pytest.fixture
def council_dir(tmp_path, monkeypatch):
    """A council's own policy folder, named by COMPLAINTS_POLICY_DIR."""
    monkeypatch.setenv("COMPLAINTS_POLICY_DIR", str(tmp_path))
    return tmp_path


def write(folder, name: str, text: str):
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(text))
    return path


MINIMAL = """\
    name: {name}
    version: 1
    title: A council's own procedure
    stages:
      - stage: 1
        name: Response
        working_days: 12
        max_working_days: 24
"""


# -- the built-in procedures -------------------------------------------------------------


def test_the_three_built_in_procedures_are_available():
    assert available_policies() >= BUILT_IN_NAMES
    for name in BUILT_IN_NAMES:
        assert load_policy(name).name == name


def test_childrens_statutory_procedure_has_the_regulations_timescales():
    policy = load_policy("children-statutory")
    assert [s.stage for s in policy.stages] == [1, 2, 3]
    assert policy.last_stage == 3
    assert policy.time_limit_months == 12  # one year to complain (reg 9)
    assert policy.suspension_allowed  # reg 8: proceedings
    assert policy.resubmission_window_months == 12
    assert policy.closure_days == []

    local = policy.stage(1)  # local resolution: 10 working days, extendable to 20 (reg 14)
    assert (local.working_days, local.max_working_days, local.extra_working_days) == (10, 20, 10)
    assert local.escalation_window_working_days == 20
    assert local.has_officer

    investigation = policy.stage(2)  # investigation: 25 working days, up to 65 (reg 17)
    assert (investigation.working_days, investigation.max_working_days) == (25, 65)
    assert investigation.escalation_window_working_days == 20
    assert investigation.has_officer

    panel = policy.stage(3)  # review panel meets within 30 working days (reg 19(4)), no extension
    assert panel.working_days == 30
    assert panel.max_working_days is None and panel.extra_working_days is None
    assert not panel.has_officer
    assert panel.panel is not None
    assert panel.panel.recommendations_working_days == 5  # reg 20
    assert panel.panel.final_response_working_days == 15  # reg 20(3)


def test_childrens_statutory_chasing_defaults_follow_section_4():
    chasing = load_policy("children-statutory").chasing
    assert chasing.hour == 9
    assert chasing.unassigned_after_working_days == 1
    assert chasing.due_soon_working_days_before == 3
    assert chasing.overdue_repeat_working_days == 5
    assert chasing.learning_first_after_working_days == 5
    assert chasing.learning_repeat_working_days == 5
    assert chasing.learning_reminders_at_most == 3


def test_corporate_procedure_has_two_stages_15_to_25_and_20_to_40():
    policy = load_policy("corporate")
    assert [s.stage for s in policy.stages] == [1, 2]
    assert (policy.stage(1).working_days, policy.stage(1).max_working_days) == (15, 25)
    assert policy.stage(1).escalation_window_working_days == 20
    assert (policy.stage(2).working_days, policy.stage(2).max_working_days) == (20, 40)
    assert policy.stage(1).panel is None and policy.stage(2).panel is None
    assert policy.suspension_allowed


def test_complaint_handling_code_has_10_to_20_and_20_to_40_and_refuses_suspension():
    policy = load_policy("complaint-handling-code")
    assert [s.stage for s in policy.stages] == [1, 2]
    assert (policy.stage(1).working_days, policy.stage(1).max_working_days) == (10, 20)
    assert policy.stage(1).extra_working_days == 10  # "no more than 10 working days"
    assert (policy.stage(2).working_days, policy.stage(2).max_working_days) == (20, 40)
    assert not policy.suspension_allowed  # the Code: complaints should not be paused
    assert policy.stage(2).officer_new_to_the_complaint  # handled by someone other than the stage 1 officer


def test_asking_for_a_stage_the_procedure_does_not_have_says_so():
    with pytest.raises(KeyError, match="corporate procedure has no stage 3"):
        load_policy("corporate").stage(3)


def test_a_policy_is_frozen_so_a_running_complaint_keeps_its_copy():
    policy = load_policy("children-statutory")
    with pytest.raises(Exception):
        policy.stage(1).working_days = 99  # type: ignore[misc]


# -- unknown policies ------------------------------------------------------------------


def test_an_unknown_policy_is_refused_listing_the_known_ones():
    with pytest.raises(PolicyError) as refused:
        load_policy("scottish-statutory")
    message = str(refused.value)
    assert "unknown policy 'scottish-statutory'" in message
    for name in BUILT_IN_NAMES:
        assert name in message


def test_the_known_list_includes_a_councils_own_policies(council_dir):
    write(council_dir, "adult-social-care", MINIMAL.format(name="adult-social-care"))
    with pytest.raises(PolicyError, match="adult-social-care") as refused:
        load_policy("nope")
    assert "children-statutory" in str(refused.value)


# -- a council's own policy, without code ---------------------------------------------


def test_a_councils_own_file_adds_a_procedure(council_dir):
    write(council_dir, "adult-social-care", MINIMAL.format(name="adult-social-care"))
    assert "adult-social-care" in available_policies()
    policy = load_policy("adult-social-care")
    assert policy.title == "A council's own procedure"
    assert (policy.stage(1).working_days, policy.stage(1).max_working_days) == (12, 24)
    # Unstated fields take the rulebook's defaults.
    assert policy.time_limit_months == 12
    assert policy.chasing.hour == 9
    assert policy.suspension_allowed


def test_a_councils_own_file_overrides_a_built_in_procedure(council_dir):
    write(
        council_dir,
        "corporate",
        """\
        name: corporate
        version: 2
        title: Corporate complaints (our council)
        closure_days: [2024-12-27, 2024-12-30, 2024-12-31]
        stages:
          - {stage: 1, name: Response, working_days: 10, max_working_days: 20}
          - {stage: 2, name: Review, working_days: 25, max_working_days: 45}
        """,
    )
    policy = load_policy("corporate")
    assert policy.version == 2
    assert policy.stage(1).working_days == 10
    assert policy.stage(2).max_working_days == 45
    assert policy.closure_days == [date(2024, 12, 27), date(2024, 12, 30), date(2024, 12, 31)]
    # The other built-in procedures are still there.
    assert load_policy("children-statutory").stage(1).working_days == 10


# -- a bad policy file is refused, naming the file and the field ---------------------------


def refusal(council_dir, name: str, text: str) -> str:
    write(council_dir, name, text)
    with pytest.raises(PolicyError) as refused:
        load_policy(name)
    return str(refused.value)


def test_a_maximum_no_more_than_the_clock_is_refused(council_dir):
    message = refusal(
        council_dir,
        "short-max",
        """\
        name: short-max
        version: 1
        title: T
        stages:
          - {stage: 1, name: Response, working_days: 10, max_working_days: 5}
        """,
    )
    assert "short-max.yaml" in message
    assert "stages.0" in message
    assert "max_working_days (5) must be more than working_days (10)" in message


def test_a_maximum_equal_to_the_clock_is_refused(council_dir):
    message = refusal(
        council_dir,
        "equal-max",
        """\
        name: equal-max
        version: 1
        title: T
        stages:
          - {stage: 1, name: Response, working_days: 10, max_working_days: 10}
        """,
    )
    assert "equal-max.yaml" in message and "max_working_days" in message


def test_a_missing_field_is_refused_by_name(council_dir):
    message = refusal(
        council_dir,
        "no-title",
        """\
        name: no-title
        version: 1
        stages:
          - {stage: 1, name: Response, working_days: 10}
        """,
    )
    assert "no-title.yaml" in message
    assert "title: Field required" in message


def test_a_stage_without_its_clock_is_refused_by_name(council_dir):
    message = refusal(
        council_dir,
        "no-clock",
        """\
        name: no-clock
        version: 1
        title: T
        stages:
          - {stage: 1, name: Response}
        """,
    )
    assert "no-clock.yaml" in message
    assert "stages.0.working_days" in message


def test_stages_out_of_order_are_refused(council_dir):
    message = refusal(
        council_dir,
        "shuffled",
        """\
        name: shuffled
        version: 1
        title: T
        stages:
          - {stage: 2, name: Review, working_days: 20}
          - {stage: 1, name: Response, working_days: 10}
        """,
    )
    assert "shuffled.yaml" in message
    assert "stages must be numbered 1, 2, ... in order; got [2, 1]" in message


def test_a_gap_in_the_stages_is_refused(council_dir):
    message = refusal(
        council_dir,
        "gap",
        """\
        name: gap
        version: 1
        title: T
        stages:
          - {stage: 1, name: Response, working_days: 10}
          - {stage: 3, name: Panel, working_days: 30}
        """,
    )
    assert "gap.yaml" in message and "got [1, 3]" in message


def test_a_policy_with_no_stages_is_refused(council_dir):
    message = refusal(council_dir, "empty-stages", "name: empty-stages\nversion: 1\ntitle: T\nstages: []\n")
    assert "empty-stages.yaml" in message and "stages must be numbered" in message


def test_a_name_not_matching_the_file_name_is_refused(council_dir):
    message = refusal(council_dir, "our-procedure", MINIMAL.format(name="their-procedure"))
    assert "our-procedure.yaml" in message
    assert "name: must match the file name ('our-procedure')" in message


def test_invalid_yaml_is_refused(council_dir):
    message = refusal(council_dir, "broken", "name: broken\nstages: [\n  - stage: : :\n")
    assert message.startswith("policy file broken.yaml: not valid YAML")


def test_an_empty_file_is_refused(council_dir):
    message = refusal(council_dir, "blank", "")
    assert "blank.yaml" in message and "(top level)" in message


def test_a_misspelt_field_is_refused_not_ignored(council_dir):
    message = refusal(
        council_dir,
        "typo",
        """\
        name: typo
        version: 1
        title: T
        suspension_alowed: false
        stages:
          - {stage: 1, name: Response, working_days: 10}
        """,
    )
    assert "typo.yaml" in message and "suspension_alowed: Extra inputs are not permitted" in message


def test_a_clock_of_no_days_is_refused(council_dir):
    message = refusal(
        council_dir,
        "zero",
        """\
        name: zero
        version: 1
        title: T
        stages:
          - {stage: 1, name: Response, working_days: 0}
        """,
    )
    assert "zero.yaml" in message and "stages.0.working_days" in message


def test_a_bad_chasing_hour_is_refused(council_dir):
    message = refusal(
        council_dir,
        "late-hour",
        """\
        name: late-hour
        version: 1
        title: T
        stages:
          - {stage: 1, name: Response, working_days: 10}
        chasing: {hour: 25}
        """,
    )
    assert "late-hour.yaml" in message and "chasing.hour" in message


def test_a_bad_file_is_refused_even_when_loaded_directly(tmp_path):
    path = write(tmp_path, "direct", MINIMAL.format(name="direct").replace("max_working_days: 24", "max_working_days: 3"))
    with pytest.raises(PolicyError, match=r"^policy file direct\.yaml: field stages\.0: .*max_working_days"):
        load_policy_file(path)


def test_the_built_in_files_are_all_valid():
    for path in sorted(BUILT_IN.glob("*.yaml")):
        assert load_policy_file(path).name == path.stem


def test_a_policy_copy_kept_by_an_older_complaint_still_reads():
    """Complaints started under version 1 carry their policy with the windows in days."""
    from policies import Policy

    old = load_policy("children-statutory").model_dump()
    for field in ("time_limit", "resubmission_window", "reopen_window"):
        old.pop(f"{field}_months")
        old[f"{field}_days"] = 365
    policy = Policy.model_validate(old)
    assert (policy.time_limit_months, policy.resubmission_window_months, policy.reopen_window_months) == (12, 12, 12)
