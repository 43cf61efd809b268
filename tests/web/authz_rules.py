"""The authorization matrix's inputs: every route of the URL configuration, the actors, and
what each route needs (a capability of `domain.roles`, a portal link, a superuser, nothing)."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

from expedite.domain.roles import Capability as C

PUBLIC = "public"  # anyone, signed in or not
STAFF = "staff"  # any signed-in user with a role (or a superuser)
SUPERUSER = "superuser"  # Django's admin site
PORTAL = "portal"  # a client's signed link, nobody else
ANY_LOGIN = "login"  # any signed-in user, with or without a role (their own account)
NOWHERE = "nowhere"  # answers 404 to everyone (the API's bare root)


def routes() -> list[tuple[str, str]]:
    """(route, name) of every URL pattern; the admin site's and the API's are one family each."""
    found = []

    def walk(resolver, prefix: str) -> None:
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern, route)
            elif isinstance(pattern, URLPattern):
                found.append((route, pattern.name or route))

    walk(get_resolver(), "")
    return found


def site_routes() -> dict[str, str]:
    """name → route of the site's own views (not the admin site's, not the API's)."""
    return {name: route for route, name in routes() if route_key(route, name) not in FAMILIES}


def route_key(route: str, name: str) -> str:
    if route.startswith("admin/"):
        return "admin"
    if route.startswith("api/v1/") and name not in ("openapi-json", "openapi-view", "api-root"):
        return "api"
    return name


def fill(route: str, ids: dict[str, int | str]) -> str:
    """The route with its parameters replaced by the fixture's ids. `pk` is the case's under
    cases/, the client's under clients/, and an id nothing has elsewhere."""
    pk = ids["pk"] if route.startswith("cases/") else ids["client_id"]
    own = dict(ids, pk=pk if route.startswith(("cases/", "clients/")) else ids["doc"])
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(own[m.group(1)]), route)


# Pages read with GET: what each needs. A role without it is refused (403, or 404 where the
# object is not theirs); anonymous visitors are sent to log in.
PAGES: dict[str, str | C] = {
    "case_list": C.VIEW_CASES,
    "case_create": C.CREATE_CASE,
    "case_detail": C.VIEW_CASES,
    "case_plan": C.VIEW_CASES,
    "case_waits": C.VIEW_CASES,
    "case_panel": C.VIEW_CASES,
    "case_quote": C.VIEW_CASES,
    "triage_queue": C.VIEW_CASES,
    "client_list": C.VIEW_CASES,
    "client_create": C.CREATE_CLIENT,
    "client_import": C.CREATE_CLIENT,
    "client_import_batch": C.CREATE_CLIENT,
    "radar": C.USE_RADAR,
    "radar_report": C.USE_RADAR,
    "radar_client": C.USE_RADAR,
    "my_calendar": C.VIEW_CASES,
    "account_security": ANY_LOGIN,
    # The second step of a password log-in and single sign-on: without a half-done log-in
    # (or with sign-on off) they lead everyone back to the log-in page, or nowhere.
    "login_code": NOWHERE,
    "login_enrol": NOWHERE,
    "oidc_authentication_init": NOWHERE,
    "oidc_authentication_callback": NOWHERE,
    "case_calendar": C.VIEW_CASES,
    "client_detail": C.VIEW_CASES,
    "batch_list": C.VIEW_CASES,
    "batch_create": C.CREATE_CASE,
    "batch_detail": C.VIEW_CASES,
    "board": C.VIEW_CASES,
    "board_load": C.VIEW_CASES,
    "schedule": C.VIEW_CASES,
    "schedule_progress": C.VIEW_CASES,
    "staff": C.VIEW_CASES,
    "custody_list": C.VIEW_CASES,
    "approval_inbox": C.VIEW_CASES,
    "notification_list": ANY_LOGIN,
    "outbox_page": C.VIEW_OUTBOX,
    "webhook_list": C.MANAGE_WEBHOOKS,
    "webhook_detail": C.MANAGE_WEBHOOKS,
    # A short address that stands for nothing answers 404 to everyone; one that exists leads
    # to a page with rules of its own (the client's portal).
    "short_link": NOWHERE,
    # A calendar's address is its secret: a made-up one is found by nobody.
    "calendar_feed": NOWHERE,
    "calendar_year": C.VIEW_CASES,
    "kpi_dashboard": C.VIEW_KPI,
    "kpi_export": C.VIEW_KPI,
    "kpi_simulation": C.VIEW_KPI,
    # Files: the template and a batch's report hold the firm's client data.
    "client_import_template": C.CREATE_CLIENT,
    "client_import_report": C.CREATE_CLIENT,
    # The lists as spreadsheets: whoever may read the list, with the list's own scope.
    "case_list_export": C.VIEW_CASES,
    "client_list_export": C.VIEW_CASES,
    "approval_inbox_export": C.VIEW_CASES,
    "custody_list_export": C.VIEW_CASES,
    "follow_up_list": C.RESOLVE_FEEDBACK,
    "handbook": C.VIEW_CASES,
    "handbook_service": C.VIEW_CASES,
    # The case page shows every colleague the client's link; its QR code is the same link.
    "portal_link_qr": C.VIEW_CASES,
    "portal_link_qr_svg": C.VIEW_CASES,
    "api_tokens": ANY_LOGIN,
    "login": PUBLIC,
    "request_page": PUBLIC,  # 我要加急: anyone may start a request, after a code to the phone
    "request_qr": C.VIEW_CASES,
    "healthz": PUBLIC,
    "api-root": NOWHERE,
    "openapi-json": PUBLIC,
    "openapi-view": PUBLIC,
}

# Routes that change something (POST) or hand out a file: refused to anonymous visitors and
# to signed-in users without a role, with nothing written.
WRITES: dict[str, str | C] = {
    "case_triage": C.TRIAGE,
    "case_override": C.OVERRIDE_VERDICT,
    "case_alternative": C.TRIAGE,
    "case_choose": C.MOVE_CASE,
    "case_submission_check": C.REVIEW_RESULT,
    "case_cost_add": C.RECORD_COST,
    "case_move": C.MOVE_CASE,
    "batch_triage": C.TRIAGE,
    "client_contact_language": C.CREATE_CLIENT,
    "client_import_apply": C.CREATE_CLIENT,
    "radar_propose": C.USE_RADAR,
    "radar_outcome": C.USE_RADAR,
    "my_calendar_renew": C.VIEW_CASES,
    "account_security_disable": ANY_LOGIN,
    "webhook_secret": C.MANAGE_WEBHOOKS,
    "webhook_test": C.MANAGE_WEBHOOKS,
    "my_calendar_stop": C.VIEW_CASES,
    "case_calendar_renew": C.VIEW_CASES,
    "case_calendar_stop": C.VIEW_CASES,
    "schedule_accept": C.PLAN_SCHEDULE,
    "case_team_assign": C.ASSIGN_TEAM,
    "case_team_propose": C.ASSIGN_TEAM,
    "step_action": C.UPDATE_PROGRESS,
    "track_update": C.UPDATE_PROGRESS,
    "case_self_check": C.SELF_CHECK,
    "case_supervisor_review": C.REVIEW_RESULT,
    "custody_check_in": C.CUSTODY_RECORD,
    "custody_transfer": C.CUSTODY_RECORD,
    "custody_check_out": C.CUSTODY_RECORD,
    "custody_confirm": C.CUSTODY_RECORD,
    "custody_resend": C.CUSTODY_RECORD,
    "approval_create": C.MOVE_CASE,
    "approval_decide": C.VIEW_CASES,
    "approval_withdraw": C.VIEW_CASES,
    "material_upload": C.MATERIAL_SUBMIT,
    "material_review": C.MATERIAL_PREREVIEW,
    "material_download": C.VIEW_CASES,
    "case_evidence": C.VIEW_CASES,
    "delivery_result_upload": C.DELIVER_RESULT,
    "delivery_download": C.VIEW_CASES,
    "report_draft": C.CLIENT_MESSAGE,
    "outbox_decide": C.VIEW_OUTBOX,
    # Only the provider, with the secret in the address, reaches it.
    "sms_receipts": NOWHERE,
    "report_settings": C.CLIENT_MESSAGE,
    "report_edit": C.CLIENT_MESSAGE,
    "report_send": C.CLIENT_MESSAGE,
    "incident_raise": C.RAISE_INCIDENT,
    "incident_action": C.HANDLE_INCIDENT,
    "risk_record": C.RAISE_INCIDENT,
    "warning_action": C.CLIENT_MESSAGE,
    "api_token_revoke": ANY_LOGIN,
    "notification_read": ANY_LOGIN,
    "case_delivery_error": C.RECORD_DELIVERY_ERROR,
    "case_retrospective": C.WRITE_RETROSPECTIVE,
    "follow_up_resolve": C.RESOLVE_FEEDBACK,
    "handbook_decide": C.DECIDE_CATALOG_CHANGE,
    "handbook_entry_add": C.EDIT_HANDBOOK,
    "portal_link_rotate": C.MANAGE_PORTAL,
    "portal_link_revoke": C.MANAGE_PORTAL,
    "portal_document_visibility": C.MANAGE_PORTAL,
    "logout": PUBLIC,  # answered by the log-in page, signed in or not
    "set_language": PUBLIC,
}

# The client's pages: reached only through the case's own signed link.
PORTAL_ROUTES = {
    "portal_case",
    "portal_verify",
    "portal_file",
    "portal_feedback",
    "material_portal_complete",
    "material_portal_upload",
    "delivery_portal_confirm",
    "custody_portal_confirm",
}

FAMILIES = {"admin": SUPERUSER, "api": "api"}
