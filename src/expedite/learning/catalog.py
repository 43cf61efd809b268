"""The catalog in force: the loaded YAML with the handbook's accepted changes applied in order.

`catalog_in_force_text` is registered with `cases.services.catalog_sync`, so every catalog
version stored (the `catalog load` at each start, or an acceptance here) is the YAML plus every
change accepted so far. The planner reads those versions (`cases.plans.current_catalog` for new
plans, `catalog_for(case)` for a case's own, pinned when it was opened): an accepted change
reaches new plans and leaves old ones as they were promised.
"""

from __future__ import annotations

from expedite.cases.models import CatalogVersion
from expedite.catalog import default_catalog_text
from expedite.domain.learning import CatalogChange, revise_text

from .models import CatalogRevision


def accepted_changes() -> list[CatalogChange]:
    return [
        CatalogChange.from_dict(change)
        for change in CatalogRevision.objects.order_by("number").values_list("change", flat=True)
    ]


def catalog_in_force_text(yaml_text: str) -> str:
    """The YAML plus every accepted change, in the order they were accepted."""
    return revise_text(yaml_text, accepted_changes())


def latest_catalog_text() -> str:
    latest = CatalogVersion.objects.order_by("-pk").values_list("text", flat=True).first()
    return latest if latest is not None else default_catalog_text()


def revision_number() -> int:
    """The catalog's revision: how many changes have been accepted (0: the YAML as shipped)."""
    return CatalogRevision.objects.count()
