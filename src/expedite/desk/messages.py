"""The morning digest's words, as phrases (see notify.said): each person reads the digest in
their own language, in the app and by e-mail."""

from __future__ import annotations

from expedite.domain.phrases import gettext_noop, templates

templates(
    {
        "desk.digest.subject": gettext_noop("【加急服务台】%(date)s 早间待办"),
        "desk.digest.nothing": gettext_noop("今日没有需要您处理的待办。"),
        "desk.digest.case": gettext_noop("- %(ref)s %(client)s · %(service)s"),
        "desk.digest.stale": gettext_noop("- %(ref)s %(step)s"),
        "desk.digest.approval": gettext_noop("- %(ref)s %(action)s"),
        "desk.digest.custody": gettext_noop("- %(client)s %(kind)s"),
        "desk.digest.custody_labelled": gettext_noop("- %(client)s %(kind)s %(label)s"),
    }
)
