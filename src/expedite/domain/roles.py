"""Staff roles and what each may do.

Roles map one-to-one onto Django groups named by `Role.value`. The mapping of
roles to capabilities lives here so that views, the API and services ask the
same question and get the same answer.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    LIAISON = "liaison"  # 客户对接专员
    PROCESS = "process"  # 流程推进专员
    RISK = "risk"  # 风险审核专员
    SUPERVISOR = "supervisor"  # 主管
    MANAGER = "manager"  # 部门经理
    GENERAL_MANAGER = "general_manager"  # 总经理
    ADMIN = "admin"  # 系统管理员


ROLE_NAMES_ZH: dict[Role, str] = {
    Role.LIAISON: "客户对接专员",
    Role.PROCESS: "流程推进专员",
    Role.RISK: "风险审核专员",
    Role.SUPERVISOR: "主管",
    Role.MANAGER: "部门经理",
    Role.GENERAL_MANAGER: "总经理",
    Role.ADMIN: "系统管理员",
}

ROLE_NAMES_EN: dict[Role, str] = {
    Role.LIAISON: "Client liaison",
    Role.PROCESS: "Process specialist",
    Role.RISK: "Risk reviewer",
    Role.SUPERVISOR: "Supervisor",
    Role.MANAGER: "Department manager",
    Role.GENERAL_MANAGER: "General manager",
    Role.ADMIN: "Administrator",
}


class Capability(enum.StrEnum):
    VIEW_CASES = "view_cases"
    CREATE_CLIENT = "create_client"
    CREATE_CASE = "create_case"
    MANAGE_CALENDAR = "manage_calendar"
    TRIAGE = "triage"
    RECORD_COST = "record_cost"
    MOVE_CASE = "move_case"
    OVERRIDE_VERDICT = "override_verdict"
    ASSIGN_TEAM = "assign_team"
    MANAGE_STAFF = "manage_staff"
    UPDATE_PROGRESS = "update_progress"
    SELF_CHECK = "self_check"
    REVIEW_RESULT = "review_result"
    CUSTODY_RECORD = "custody_record"
    CUSTODY_OVERRIDE = "custody_override"
    MANAGE_PORTAL = "manage_portal"
    MATERIAL_SUBMIT = "material_submit"
    MATERIAL_PREREVIEW = "material_prereview"
    RAISE_INCIDENT = "raise_incident"
    HANDLE_INCIDENT = "handle_incident"
    HANDLE_RECORD_INCIDENT = "handle_record_incident"
    CLIENT_MESSAGE = "client_message"
    VIEW_OUTBOX = "view_outbox"
    MANAGE_WEBHOOKS = "manage_webhooks"
    VIEW_KPI = "view_kpi"
    RECORD_DELIVERY_ERROR = "record_delivery_error"
    RESOLVE_FEEDBACK = "resolve_feedback"
    WRITE_RETROSPECTIVE = "write_retrospective"
    EDIT_HANDBOOK = "edit_handbook"
    DECIDE_CATALOG_CHANGE = "decide_catalog_change"
    PLAN_SCHEDULE = "plan_schedule"
    DELIVER_RESULT = "deliver_result"
    USE_RADAR = "use_radar"


_ALL_STAFF = frozenset(Role)
_INTAKE = frozenset({Role.LIAISON, Role.SUPERVISOR, Role.MANAGER, Role.GENERAL_MANAGER, Role.ADMIN})

CAPABILITIES: dict[Capability, frozenset[Role]] = {
    Capability.VIEW_CASES: _ALL_STAFF,
    # Intake is the liaison's job; supervisors and managers can stand in.
    Capability.CREATE_CLIENT: _INTAKE,
    Capability.CREATE_CASE: _INTAKE,
    # Loading a year's notice changes every promised date: administrators and managers only.
    Capability.MANAGE_CALENDAR: frozenset({Role.MANAGER, Role.GENERAL_MANAGER, Role.ADMIN}),
    # The liaison triages with the client on the phone; the risk reviewer may too.
    Capability.TRIAGE: _INTAKE | {Role.RISK},
    # Whoever does the work records its cost (overtime, third-party fees).
    Capability.RECORD_COST: _ALL_STAFF,
    # The people who run a case move it along; the risk reviewer reviews, it does not move.
    Capability.MOVE_CASE: _INTAKE | {Role.PROCESS},
    # Changing a verdict (never a refusal) takes a manager and a written reason.
    Capability.OVERRIDE_VERDICT: frozenset({Role.MANAGER, Role.GENERAL_MANAGER, Role.ADMIN}),
    # The system proposes who works on a case; a manager confirms or changes it.
    Capability.ASSIGN_TEAM: frozenset({Role.MANAGER, Role.GENERAL_MANAGER, Role.ADMIN}),
    # Skills, capacity and anyone's absences; everybody may record their own absence.
    Capability.MANAGE_STAFF: frozenset({Role.MANAGER, Role.GENERAL_MANAGER, Role.ADMIN}),
    # Steps and tracks are updated by the people who run the case.
    Capability.UPDATE_PROGRESS: _INTAKE | {Role.PROCESS},
    # Whoever handled the work checks it first (经办人自查), whatever their role.
    Capability.SELF_CHECK: _ALL_STAFF,
    # The second pair of eyes (主管复核) is a supervisor or above; an administrator runs the
    # system, not the firm's work, and does not sign off a client's filing.
    Capability.REVIEW_RESULT: frozenset({Role.SUPERVISOR, Role.MANAGER, Role.GENERAL_MANAGER}),
    # Anyone in the firm may receive, pass on or return a client's seal or licence.
    Capability.CUSTODY_RECORD: _ALL_STAFF,
    # Moving an item someone else holds (the holder is off sick, on leave): supervisors up.
    Capability.CUSTODY_OVERRIDE: frozenset(
        {Role.SUPERVISOR, Role.MANAGER, Role.GENERAL_MANAGER, Role.ADMIN}
    ),
    # The client's link (rotate, revoke) and which files it may download: the liaison, whom the
    # client deals with, and the managers above; a liaison only on its own cases (services).
    Capability.MANAGE_PORTAL: _INTAKE,
    # Anyone may file a material the client handed over in person or by chat.
    Capability.MATERIAL_SUBMIT: _ALL_STAFF,
    # The pre-review may put the case on hold, so it takes someone who may move the case.
    Capability.MATERIAL_PREREVIEW: _INTAKE | {Role.PROCESS},
    # Anyone who meets a problem on a case records it (an incident, an external risk).
    Capability.RAISE_INCIDENT: _ALL_STAFF,
    # The people who run the case answer it, with cause and remedy; supervisors up stand in.
    Capability.HANDLE_INCIDENT: _INTAKE | {Role.PROCESS},
    # A failed check of the audit chain concerns the whole record: supervisors up and the
    # administrators who run the database.
    Capability.HANDLE_RECORD_INCIDENT: frozenset(
        {Role.SUPERVISOR, Role.MANAGER, Role.GENERAL_MANAGER, Role.ADMIN}
    ),
    # What the client reads (daily report, risk warnings) is the liaison's, or a stand-in's.
    Capability.CLIENT_MESSAGE: _INTAKE,
    # The outbox holds every client's messages: the people who run the system look at it.
    Capability.VIEW_OUTBOX: frozenset({Role.ADMIN}),
    # Which outside systems hear of the firm's cases: the administrator who connects them.
    Capability.MANAGE_WEBHOOKS: frozenset({Role.ADMIN}),
    # The KPI dashboard shows every client's and every colleague's figures: supervisors up.
    Capability.VIEW_KPI: frozenset({Role.SUPERVISOR, Role.MANAGER, Role.GENERAL_MANAGER}),
    # Whoever learns of an error in a delivered result records it; it lowers the zero-error rate.
    Capability.RECORD_DELIVERY_ERROR: _ALL_STAFF - {Role.ADMIN},
    # A dissatisfied client is the department's business: its manager answers it.
    Capability.RESOLVE_FEEDBACK: frozenset({Role.MANAGER, Role.GENERAL_MANAGER}),
    # 复盘 is written by the people who ran the case, or their supervisors.
    Capability.WRITE_RETROSPECTIVE: _INTAKE | {Role.PROCESS, Role.RISK},
    # Anyone may add a lesson to the handbook and propose a catalog change.
    Capability.EDIT_HANDBOOK: _ALL_STAFF,
    # A change to the catalog changes every future plan and quote: the administrator, who
    # keeps the catalog, and the general manager decide.
    Capability.DECIDE_CATALOG_CHANGE: frozenset({Role.ADMIN, Role.GENERAL_MANAGER}),
    # Who does which step when, across every case: the managers who confirm teams.
    Capability.PLAN_SCHEDULE: frozenset({Role.MANAGER, Role.GENERAL_MANAGER, Role.ADMIN}),
    # Result files are handed over by the people who run the case (the risk reviewer reviews
    # them; an administrator runs the system, not the firm's work).
    Capability.DELIVER_RESULT: (_INTAKE - {Role.ADMIN}) | {Role.PROCESS},
    # The demand radar: the people who talk to clients and those who plan the firm's work.
    Capability.USE_RADAR: _INTAKE - {Role.ADMIN},
}


def roles_from_names(names: object) -> frozenset[Role]:
    """The known roles among group names; unknown names are ignored."""
    known = {r.value: r for r in Role}
    return frozenset(known[n] for n in names if n in known)  # type: ignore[union-attr]


def can(roles: frozenset[Role], capability: Capability) -> bool:
    return bool(roles & CAPABILITIES[capability])
