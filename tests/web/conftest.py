"""The case most web tests start from, shared instead of redefined in each file."""

from __future__ import annotations

import pytest


@pytest.fixture
def case(request, world):
    """A new case of acme opened by zhang (tests.factories.new_case's defaults), unless the
    nearest `pytest.mark.case(...)` says otherwise: a module's own start, such as a client with
    an e-mail address, a deadline or a case already triaged and moved on."""
    from tests.factories import case_along

    marker = request.node.get_closest_marker("case")
    spec = dict(marker.kwargs) if marker else {}
    if "build" in spec:
        return spec.pop("build")(world, **spec)
    if "client" in spec:
        spec["client"] = getattr(world, spec["client"])
    return case_along(world, **spec)
