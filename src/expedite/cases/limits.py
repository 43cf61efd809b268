"""The authorities' time limits in the reader's language, beside the firm's own durations.

A client sees both: what the law allows the authority (法定时限) and what we plan. The
catalog's texts (authority, clause, when the clock starts) go through its glossary; the frame
through gettext.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from expedite.domain.catalog import ServiceType
from expedite.domain.catalog_limits import Limit

from .words import term


def _amount(unit: str, n: int) -> str:
    if unit == "workdays":
        return ngettext("%(n)s 个工作日", "%(n)s 个工作日", n) % {"n": n}
    if unit == "days":
        return ngettext("%(n)s 日", "%(n)s 日", n) % {"n": n}
    return ngettext("%(n)s 个月", "%(n)s 个月", n) % {"n": n}


def limit_text(limit: Limit) -> str:
    """E.g. 自受理申请之日起 20 个工作日（可延长 10 个工作日）."""
    text = _amount(limit.unit, limit.amount)
    if limit.starts:
        text = _("%(starts)s %(amount)s") % {"starts": term(limit.starts), "amount": text}
    if limit.extension:
        text = _("%(limit)s（可延长 %(extension)s）") % {
            "limit": text,
            "extension": _amount(limit.unit, limit.extension),
        }
    return text


def _limit_data(limit: Limit | None) -> dict | None:
    if limit is None:
        return None
    return {
        "amount": limit.amount,
        "unit": limit.unit,
        "extension": limit.extension,
        "starts": term(limit.starts) if limit.starts else "",
        "text": limit_text(limit),
        "basis": term(limit.basis),
        "verified_on": limit.verified_on.isoformat() if limit.verified_on else None,
    }


def authority_data(service: ServiceType) -> list[dict]:
    """The authorities' limits as data (the API): figures, units and texts in the language."""
    return [
        {
            "track": a.track,
            "authority": term(a.track),
            "legal_limit": _limit_data(a.legal),
            "committed_limit": _limit_data(a.committed),
            "note": term(a.note) if a.note else "",
        }
        for a in service.authorities
    ]


def authority_lines(service: ServiceType) -> list[dict]:
    """One entry per authority: its name, limits in words with their basis, and its note."""
    out = []
    for a in service.authorities:
        out.append(
            {
                "authority": term(a.track),
                "legal": limit_text(a.legal) if a.legal else "",
                "legal_basis": term(a.legal.basis) if a.legal else "",
                "committed": limit_text(a.committed) if a.committed else "",
                "committed_basis": term(a.committed.basis) if a.committed else "",
                "note": term(a.note) if a.note else "",
            }
        )
    return out


def authority_sentences(service: ServiceType) -> list[str]:
    """The same as plain sentences, for text sent to a client."""
    lines = []
    for a in authority_lines(service):
        parts = []
        if a["legal"]:
            parts.append(
                _("法定时限%(limit)s（依据：%(basis)s）")
                % {"limit": a["legal"], "basis": a["legal_basis"]}
            )
        if a["committed"]:
            parts.append(
                _("承诺时限%(limit)s（依据：%(basis)s）")
                % {"limit": a["committed"], "basis": a["committed_basis"]}
            )
        if a["note"]:
            parts.append(a["note"])
        said = {"authority": a["authority"], "limits": _("；").join(parts)}
        lines.append(_("  · %(authority)s：%(limits)s") % said)
    return lines
