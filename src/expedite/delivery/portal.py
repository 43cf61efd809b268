"""The client's side on the portal page: the reviewed result files and the way to confirm them.

A section of the portal page (registered in DeliveryConfig.ready).
"""

from __future__ import annotations

from expedite.domain.cases import CaseState

from . import selectors


def portal_context(request, case) -> dict:
    confirmation = selectors.confirmation_of(case)
    waiting = case.state == CaseState.DELIVERED.value
    return {
        "delivery_results": list(selectors.client_result_files(case)),
        "delivery_confirmation": confirmation,
        "delivery_waiting": waiting,
        "portal_todo": [{"text": "confirm", "href": "confirm/"}]
        if waiting and confirmation is None
        else [],
    }
