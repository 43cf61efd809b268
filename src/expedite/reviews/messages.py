"""What staff are told about reviews, as phrases (see notify.said): each colleague reads them
in their own language, whoever acted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from expedite.domain.phrases import Items, Phrase, Term, gettext_noop, templates

templates(
    {
        "reviews.await.subject": gettext_noop("待您复核：%(ref)s %(client)s"),
        "reviews.await.body": gettext_noop(
            "%(who)s 已完成第 %(round)s 轮经办人自查，等待另一位主管复核后才能交付。"
        ),
        "reviews.passed.subject": gettext_noop("复核已通过，可以交付：%(ref)s %(client)s"),
        "reviews.passed.body": gettext_noop(
            "%(who)s 已通过第 %(round)s 轮主管复核；请交付并通知客户确认结果。"
        ),
        "reviews.failed.subject": gettext_noop("复核未通过，请更正：%(ref)s %(client)s"),
        "reviews.failed.body": gettext_noop(
            "%(who)s 复核发现 %(n)s 处问题：%(items)s。加急单已退回办理中，更正后重新自查。"
        ),
        "reviews.reopened.subject": gettext_noop("复核重新打开：%(ref)s %(client)s"),
        "reviews.reopened.reason": gettext_noop(
            "复核后结果文件有变更（%(change)s），第 %(round)s 轮复核重新打开。"
        ),
        "reviews.reopened.body": gettext_noop(
            "%(who)s 在复核后变更了结果文件。%(reason)s加急单已退回办理中，"
            "须重新自查和复核后才能交付。"
        ),
        "reviews.submission.passed.subject": gettext_noop(
            "递交前复核已通过，可以递交：%(ref)s %(client)s"
        ),
        "reviews.submission.passed.body": gettext_noop(
            "%(who)s 已完成递交前复核，可以开始“%(step)s”。"
        ),
        "reviews.submission.failed.subject": gettext_noop(
            "递交前复核未通过，请更正：%(ref)s %(client)s"
        ),
        "reviews.submission.failed.body": gettext_noop(
            "%(who)s 发现问题：%(items)s。更正后请主管重新复核。"
        ),
        "reviews.problem.noted": gettext_noop("%(item)s（%(note)s）"),
    }
)


def problems(rows: Iterable[Mapping], *, notes: bool = False) -> Items:
    """The checklist items found wrong (catalog text), with the reviewer's notes if `notes`."""
    return Items(
        tuple(
            Phrase("reviews.problem.noted", {"item": Term(r["item"]), "note": r["note"]})
            if notes and r.get("note")
            else Term(r["item"])
            for r in rows
        )
    )
