from expedite.domain.roles import (
    ROLE_NAMES_EN,
    ROLE_NAMES_ZH,
    Capability,
    Role,
    can,
    roles_from_names,
)


def test_every_role_has_a_chinese_and_an_english_name():
    assert set(ROLE_NAMES_ZH) == set(Role) == set(ROLE_NAMES_EN)
    assert ROLE_NAMES_ZH[Role.LIAISON] == "客户对接专员"
    assert ROLE_NAMES_ZH[Role.PROCESS] == "流程推进专员"
    assert ROLE_NAMES_ZH[Role.RISK] == "风险审核专员"


def test_the_liaison_opens_cases_but_the_risk_reviewer_does_not():
    assert can(frozenset({Role.LIAISON}), Capability.CREATE_CASE)
    assert not can(frozenset({Role.RISK}), Capability.CREATE_CASE)
    assert can(frozenset({Role.RISK}), Capability.VIEW_CASES)


def test_no_role_can_do_nothing():
    assert not any(can(frozenset(), c) for c in Capability)


def test_unknown_group_names_are_ignored():
    assert roles_from_names(["liaison", "bowling-team"]) == frozenset({Role.LIAISON})
