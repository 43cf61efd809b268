"""The option the client chose. Triage recommends one option (the standard plan for 假急, the
cheapest that meets the date otherwise); the client may choose another it was quoted, e.g. pay
to expedite after all. The chosen option is what is quoted, laid out, charged and printed.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from expedite.accounts.selectors import staff_display_name, user_can
from expedite.audit.services import audit_record
from expedite.domain.audit import AuditKind
from expedite.domain.calendar import SHANGHAI
from expedite.domain.cases import CaseState
from expedite.domain.errors import NotAllowed, ValidationFailed, gettext_noop
from expedite.domain.roles import Capability
from expedite.domain.triage import Verdict

from .models import Case

# Before acceptance: once accepted, the plan is laid out and runs.
CHOOSABLE_STATES = frozenset({CaseState.TRIAGED, CaseState.QUOTED})


def quoted_options(case: Case) -> dict[str, dict]:
    """The options the triage quoted, by key (standard, recommended, fastest)."""
    if case.verdict in (Verdict.REFUSED, Verdict.BLOCKED):
        return {}  # only the compliant path is on offer
    return dict((case.triage or {}).get("options") or {})


@transaction.atomic
def case_choose_option(*, actor, case: Case, key: str, now: dt.datetime) -> Case:
    """Record the option the client chose among those quoted; it becomes the case's plan."""
    if not user_can(actor, Capability.MOVE_CASE):
        raise NotAllowed(_("您的角色无权记录客户选择的方案。"))
    case = Case.objects.select_for_update(no_key=True).get(pk=case.pk)
    if case.state not in CHOOSABLE_STATES:
        raise ValidationFailed(
            gettext_noop("客户接受方案前才能改选方案；加急单当前为“%(state)s”。"),
            field="option",
            params={"state": str(case.get_state_display())},
        )
    options = quoted_options(case)
    if not options:
        raise ValidationFailed(
            gettext_noop("本单没有可供客户选择的方案（请先研判，或按研判的合规路径办理）。"),
            field="option",
        )
    if key not in options:
        raise ValidationFailed(gettext_noop("请选择一个报过价的方案。"), field="option")
    option = options[key]
    previous = (case.triage.get("recommended_option") or {}).get("key")
    choice = {
        "key": key,
        "finish": option["finish"],
        "working_days": option["working_days"],
        "fee_total": option["fee"]["total"],
        "by": staff_display_name(actor),
        "at_local": now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
    }
    case.triage = {**case.triage, "recommended_option": option, "client_choice": choice}
    case.save(update_fields=["triage", "updated_at"])
    audit_record(
        kind=AuditKind.CASE_OPTION_CHOSEN,
        actor=actor,
        case=case,
        payload={
            "key": key,
            "previous": previous,
            "levers": option.get("levers", []),
            "finish": option["finish"],
            "fee_total": option["fee"]["total"],
        },
    )
    return case
