"""The client's side on the portal page: the reviewed result files and the way to confirm them.

The portal page includes `delivery/_portal_section.html` and merges `portal_context(case)`.
"""

from __future__ import annotations

from expedite.domain.cases import CaseState

from . import selectors


def portal_context(case) -> dict:
    return {
        "delivery_results": list(selectors.client_result_files(case)),
        "delivery_confirmation": selectors.confirmation_of(case),
        "delivery_waiting": case.state == CaseState.DELIVERED.value,
    }
