"""What staff are told about approval requests, as phrases (see notify.said): each colleague
reads them in their own language, whoever acted."""

from __future__ import annotations

from expedite.domain.phrases import gettext_noop, templates

templates(
    {
        "approvals.requested.subject": gettext_noop("待您审批：%(action)s · %(ref)s %(client)s"),
        "approvals.requested.body": gettext_noop("%(who)s 申请“%(action)s”%(amount)s：%(why)s"),
        "approvals.amount": gettext_noop("（%(amount)s 元）"),
        "approvals.granted.subject": gettext_noop("审批已批准：%(action)s · %(ref)s %(client)s"),
        "approvals.denied.subject": gettext_noop("审批未批准：%(action)s · %(ref)s %(client)s"),
        "approvals.decided.body": gettext_noop("%(who)s：%(reason)s"),
    }
)
