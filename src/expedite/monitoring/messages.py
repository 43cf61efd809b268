"""What staff are told about incidents and risk warnings, as phrases (see notify.said): each
colleague reads them in their own language."""

from __future__ import annotations

from expedite.domain.phrases import Msg, Phrase, gettext_noop, templates

templates(
    {
        "monitoring.incident.subject": gettext_noop("【异常】%(ref)s %(kind)s"),
        "monitoring.incident.firm_subject": gettext_noop("【异常】%(kind)s"),
        "monitoring.incident.respond": gettext_noop("请在 %(due)s 前响应（原因与补救措施）。"),
        "monitoring.escalated.subject": gettext_noop(
            "【异常升级】%(ref)s %(kind)s 超过一小时未响应"
        ),
        "monitoring.escalated.body": gettext_noop(
            "登记于 %(raised)s，应于 %(due)s 前响应，至今未填写原因与补救措施。"
        ),
        "monitoring.warning.subject": gettext_noop("【风险预警】%(ref)s %(kind)s"),
        "monitoring.warning.reason": gettext_noop("风险：%(reason)s"),
        "monitoring.warning.days": gettext_noop("预计增加 %(n)s 个工作日。"),
        "monitoring.warning.finish": gettext_noop("当前预计完成时间：%(at)s。"),
        "monitoring.warning.mitigation": gettext_noop("应对措施：%(m)s"),
    }
)

# A firm-wide incident (no case) in place of a case reference.
FIRM_WIDE = Msg(gettext_noop("全所"))


def warning_lines(warning, finish: str | None) -> list[Phrase]:
    """A warning's lines for staff; `finish`: the projected finish, formatted."""
    lines = [Phrase("monitoring.warning.reason", {"reason": warning.reason})]
    if warning.extra_days:
        lines.append(Phrase("monitoring.warning.days", {"n": warning.extra_days}))
    if finish:
        lines.append(Phrase("monitoring.warning.finish", {"at": finish}))
    if warning.mitigation:
        lines.append(Phrase("monitoring.warning.mitigation", {"m": warning.mitigation}))
    return lines
