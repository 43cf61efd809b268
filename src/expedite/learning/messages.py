"""What staff are told about clients' feedback, as phrases (see notify.said): each manager
reads them in their own language."""

from __future__ import annotations

from expedite.domain.phrases import gettext_noop, templates

templates(
    {
        "learning.low_score.subject": gettext_noop("客户评分偏低：%(ref)s %(client)s"),
        "learning.low_score.body": gettext_noop(
            "时效 %(t)s、沟通 %(c)s、结果 %(r)s 分。意见：%(comment)s"
        ),
    }
)
