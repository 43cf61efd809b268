"""The options as text a liaison can send to the client (一次说清：时间、费用、原因), in the
active language: the product's messages through gettext, the catalog's names through its
glossary."""

from __future__ import annotations

from django.utils.translation import gettext as _

from expedite.domain.catalog import ServiceType
from expedite.domain.planning import Option, Options

from .limits import authority_sentences
from .words import list_sep, term


def _money(amount: int) -> str:
    return f"¥{amount:,}"


def _fee(option: Option) -> str:
    fee = option.plan.fee
    extras = []
    if fee.surcharge:
        extras.append(_("加急服务费 %(fee)s") % {"fee": _money(fee.surcharge)})
    extras += [f"{term(c.name)} {_money(c.cost_cny)}" for c in option.choices if c.cost_cny]
    if not extras:
        return _money(fee.total)
    return _("%(total)s（含%(items)s）") % {
        "total": _money(fee.total),
        "items": list_sep().join(extras),
    }


def _option(label: str, option: Option) -> str:
    return _("%(label)s：%(days)s 个工作日，预计 %(finish)s 完成，费用 %(fee)s。") % {
        "label": label,
        "days": option.plan.working_days,
        "finish": f"{option.plan.finish_date:%Y-%m-%d}",
        "fee": _fee(option),
    }


def quote_text(
    result: Options, *, client: str, service: str, definition: ServiceType | None = None
) -> str:
    std = result.standard
    lines = [
        _("%(client)s您好，关于“%(service)s”的加急需求，我们的评估如下：")
        % {"client": client, "service": term(service)},
        _option(_("方案一（常规流程）"), std),
    ]
    expedited = (
        result.recommended if result.recommended and result.recommended.key != "standard" else None
    )
    expedited = expedited or (result.fastest if result.fastest.plan.levers else None)
    if expedited is not None and expedited.plan.working_days < std.plan.working_days:
        lines.append(_option(_("方案二（加急）"), expedited))
        for c in expedited.choices:
            lines.append(
                _("  · %(lever)s：%(reason)s") % {"lever": term(c.name), "reason": term(c.reason)}
            )
    if result.deadline is not None:
        deadline = f"{result.deadline:%Y-%m-%d}"
        if std.meets_deadline:
            lines.append(
                _("您要求 %(deadline)s 前完成，按常规流程即可按时完成，无需加急。")
                % {"deadline": deadline}
            )
        elif result.recommended is not None:
            lines.append(_("您要求 %(deadline)s 前完成，需采用方案二。") % {"deadline": deadline})
        else:
            lines.append(
                _(
                    "您要求 %(deadline)s 前完成；即使全部加急，最快也要 %(finish)s，"
                    "比要求晚 %(late)s 个工作日。"
                )
                % {
                    "deadline": deadline,
                    "finish": f"{result.fastest.plan.finish_date:%Y-%m-%d}",
                    "late": result.fastest.late_by_workdays,
                }
            )
    if definition is not None and definition.authorities:
        # The government's own clock beside ours: what the law allows each authority.
        lines.append(
            _(
                "办理机关的时限（法律允许的最长期限；以上日期按通常办理时间计算，"
                "机关用足期限时可能顺延）："
            )
        )
        lines += authority_sentences(definition)
    if any(o.plan.provisional for o in (std, result.fastest)):
        lines.append(_("注：所涉年份的放假安排尚未公布，日期为暂定，公布后我们会及时确认。"))
    lines.append(
        _("以上日期均按工作日计算（已扣除周末和法定节假日）。请回复您选择的方案，我们立即安排。")
    )
    return "\n".join(lines)
