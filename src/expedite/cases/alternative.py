"""A case refused on a red line never runs as asked: it goes on only as the compliant
alternative, once the client's agreement to it is on record.

The lifecycle guard holds every way forward (quote, accept) for every entry point — page, API,
command, job — until `case_adopt_alternative` has recorded who agreed, how and when. When the
alternative is another service (a red-letter invoice instead of voiding one across months),
the case becomes that service, so what is quoted, planned and delivered is what is allowed.
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
from expedite.domain.text import clean_text
from expedite.domain.triage import Verdict

from .models import Case, ServiceType
from .plans import catalog_for

# The moves that would run the case: before them, a refused case must have become the
# alternative. Cancelling or declining stays open.
HELD_BY_RED_LINE = frozenset({CaseState.QUOTED, CaseState.ACCEPTED})


def adopted_alternative(case: Case) -> dict | None:
    """The record of the alternative the client agreed to, or None."""
    return case.intake.get("alternative") or None


def red_line_guard(case: Case, target: CaseState, actor) -> None:
    """Lifecycle guard: no quote or acceptance of a refused case as asked."""
    if case.verdict != Verdict.REFUSED or target not in HELD_BY_RED_LINE:
        return
    if adopted_alternative(case):
        return
    raise ValidationFailed(
        gettext_noop(
            "研判结论为“不能办理（合规红线）”，不能按客户原要求报价或接受。"
            "只能改办合规替代方案“%(alternative)s”：请先在“研判”处记录客户同意改办。"
        ),
        field="state",
        params={"alternative": case.triage.get("alternative_name") or "—"},
    )


def _refusing_rule(case: Case):
    codes = [r["code"] for r in case.triage.get("fired_rules", []) if r.get("kind") == "refuse"]
    rules = {r.code: r for r in catalog_for(case).rules}
    for code in codes:
        if code in rules:
            return rules[code]
    return None


@transaction.atomic
def case_adopt_alternative(*, actor, case: Case, agreement: str, now: dt.datetime) -> Case:
    """Record that the client agreed to the compliant alternative, and make the case that
    alternative. `agreement` says who agreed, how and when (e.g. 财务王芳 12月4日电话同意)."""
    if not user_can(actor, Capability.TRIAGE):
        raise NotAllowed(_("您的角色无权变更加急单的办理方案。"))
    case = Case.objects.select_for_update(no_key=True).select_related("service").get(pk=case.pk)
    if case.verdict != Verdict.REFUSED:
        raise ValidationFailed(
            gettext_noop("只有因合规红线不能办理的加急单才改办替代方案。"), field="agreement"
        )
    if adopted_alternative(case):
        raise ValidationFailed(
            gettext_noop("已记录客户同意改办合规替代方案，无需重复记录。"), field="agreement"
        )
    if case.state != CaseState.TRIAGED:
        raise ValidationFailed(
            gettext_noop("加急单已不在“已研判”状态，不能再改办替代方案。"), field="agreement"
        )
    agreement = clean_text(
        agreement,
        field="agreement",
        label=gettext_noop("客户同意的记录"),
        max_length=500,
    )
    rule = _refusing_rule(case)
    if rule is None:
        raise ValidationFailed(
            gettext_noop("找不到该红线规则的合规替代方案，请经理重新研判。"), field="agreement"
        )
    previous = case.service.code
    target = rule.alternative_service or previous
    record = {
        "rule": rule.code,
        "name": case.triage.get("alternative_name") or rule.alternative,
        "from_service": previous,
        "service": target,
        "agreement": agreement,
        "by": staff_display_name(actor),
        "at": now.isoformat(),
        "at_local": now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
    }
    fields = ["intake", "updated_at"]
    if target != previous:
        case.service = ServiceType.objects.get(code=target)
        fields.append("service")
    case.intake = {**case.intake, "alternative": record}
    case.save(update_fields=fields)
    audit_record(
        kind=AuditKind.CASE_ALTERNATIVE_ADOPTED,
        actor=actor,
        case=case,
        payload={
            "rule": rule.code,
            "from_service": previous,
            "service": target,
            "agreement": agreement,
        },
    )
    return case
