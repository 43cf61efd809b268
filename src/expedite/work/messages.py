"""What staff are told about a case's team, as phrases (see notify.said): each colleague reads
them in their own language, whoever acted."""

from __future__ import annotations

from expedite.domain.phrases import gettext_noop, templates

templates(
    {
        "work.team.proposed.subject": gettext_noop("待您确认分工：%(ref)s %(client)s"),
        "work.team.proposed.body": gettext_noop(
            "系统已按技能、负荷和出勤建议了人选：%(team)s。请确认或调整，确认后专员才开始办理。"
        ),
        "work.team.member": gettext_noop("%(role)s %(who)s"),
    }
)
