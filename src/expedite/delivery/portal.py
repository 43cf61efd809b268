"""The client's side on the portal page: the reviewed result files and the way to confirm them.

A section of the portal page (registered in DeliveryConfig.ready).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from expedite.domain.cases import CaseState
from expedite.portal.sections import NextStep

from . import selectors


def portal_context(request, case) -> dict:
    confirmation = selectors.confirmation_of(case)
    waiting = case.state == CaseState.DELIVERED.value
    return {
        "delivery_results": list(selectors.client_result_files(case)),
        "delivery_confirmation": confirmation,
        "delivery_waiting": waiting,
    }


def portal_next_steps(case, now) -> list[NextStep]:
    """ "您现在需要做的": a delivered result waiting for the client's signed confirmation (the
    confirmation page sends its own code, so no 验证身份 first)."""
    if case.state != CaseState.DELIVERED.value or selectors.confirmation_of(case) is not None:
        return []
    return [NextStep(_("请确认结果：审阅办理结果并签署确认单"), "#delivery")]
