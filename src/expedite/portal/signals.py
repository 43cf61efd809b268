from __future__ import annotations

from expedite import clock

from .services import issue_link


def issue_first_link(sender, instance, created, **kwargs):
    """Every new case gets its portal link with it (in the same transaction), so the liaison can
    send it at once; later links come from rotating, which is audited."""
    if created and not kwargs.get("raw"):
        issue_link(case=instance, now=clock.now(), actor=instance.created_by)
