"""What staff are told about handovers, as phrases (see notify.said): each colleague reads them
in their own language, whoever recorded the handover."""

from __future__ import annotations

from expedite.domain.phrases import gettext_noop, templates

templates(
    {
        "custody.confirm.subject": gettext_noop("待您确认交接：%(label)s（%(client)s）"),
        "custody.confirm.body": gettext_noop(
            "%(who)s 登记了交接：%(from)s → %(to)s。请核对实物后在系统中确认。"
        ),
    }
)
