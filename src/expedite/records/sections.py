"""The evidence index's account of how the case was run: team, steps, approvals, reviews and
the client's items. Read from the apps that own them, late, so that `cases` stays their base."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from expedite.accounts.selectors import staff_display_name
from expedite.approvals.models import ApprovalRequest
from expedite.cases.words import say, term
from expedite.custody.models import CustodyMovement
from expedite.custody.selectors import movement_parties
from expedite.delivery.selectors import confirmation_of
from expedite.materials.models import MaterialSubmission, PreReview
from expedite.materials.selectors import checklist
from expedite.monitoring.models import DailyReport, Incident
from expedite.notify.models import OutboxMessage
from expedite.reviews.models import Review


def _t(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def stored_files(case) -> list[tuple[str, str]]:
    """(SHA-256, storage name) of every file the case holds: its documents and every version of
    every material the client handed in."""

    files = [(d.sha256, d.file.name) for d in case.documents.all()]
    files += [
        (m.sha256, m.file.name)
        for m in MaterialSubmission.objects.filter(case=case).order_by("item", "version")
    ]
    seen: set[str] = set()
    return [(sha, name) for sha, name in files if not (sha in seen or seen.add(sha))]


def messages(case) -> list[dict]:
    """Everything the case said to anyone, as queued: the communications record."""

    return [
        {
            "time": m.created_at.isoformat(),
            "channel": m.channel,
            "to": staff_display_name(m.user) if m.user_id else m.recipient,
            "subject": m.subject,
            "body": m.body,
            "language": m.language,
            "status": m.status,
            "sent_at": m.sent_at.isoformat() if m.sent_at else None,
        }
        for m in OutboxMessage.objects.filter(case=case).select_related("user").order_by("pk")
    ]


def material_sections(case, *, table, para, head, mm) -> list:

    names = {m.code: m.name for m in checklist(case)}
    story = [head(_("申请材料（各版本）"))]
    rows = [[_("材料"), _("版本"), _("文件名"), _("提交"), _("时间"), "SHA-256"]] + [
        [
            term(names.get(m.item, m.item)),
            f"v{m.version}",
            m.name,
            m.contact or staff_display_name(m.uploaded_by),
            _t(m.uploaded_at),
            m.sha256,
        ]
        for m in MaterialSubmission.objects.filter(case=case)
        .select_related("uploaded_by")
        .order_by("item", "version")
    ]
    story.append(
        table(rows, [24 * mm, 10 * mm, 34 * mm, 18 * mm, 24 * mm, 70 * mm])
        if len(rows) > 1
        else para(_("无。"))
    )
    story.append(head(_("材料预审")))
    rows = [[_("轮次"), _("开始"), _("应完成"), _("完成"), _("预审人"), _("一次性告知")]] + [
        [
            p.round,
            _t(p.started_at),
            _t(p.due_at),
            _t(p.finished_at),
            staff_display_name(p.reviewer),
            p.notice_shown(),
        ]
        for p in PreReview.objects.filter(case=case).select_related("reviewer").order_by("round")
    ]
    story.append(
        table(rows, [12 * mm, 24 * mm, 24 * mm, 24 * mm, 18 * mm, 78 * mm])
        if len(rows) > 1
        else para(_("无。"))
    )
    story.append(head(_("沟通记录")))
    # A message to staff kept as phrases is titled in the reader's language; one to a client
    # as it was sent, in the client's.
    rows = [[_("时间"), _("渠道"), _("对象"), _("标题"), _("状态")]] + [
        [
            _t(m.created_at),
            m.get_channel_display(),
            staff_display_name(m.user) if m.user_id else m.recipient,
            m.shown_subject,
            m.get_status_display(),
        ]
        for m in OutboxMessage.objects.filter(case=case).select_related("user").order_by("pk")
    ]
    story.append(
        table(rows, [26 * mm, 14 * mm, 40 * mm, 82 * mm, 18 * mm])
        if len(rows) > 1
        else para(_("无。"))
    )
    story.append(para(_("每条消息的全文见包内 messages.json。")))
    return story


def running_sections(case, *, table, para, head, mm) -> list:

    story = [head(_("人员分工"))]
    team = [[_("角色"), _("人员"), _("状态"), _("理由")]] + [
        [a.get_role_display(), staff_display_name(a.user), a.get_status_display(), say(a.reason)]
        for a in case.assignments.select_related("user").order_by("pk")
    ]
    story.append(
        table(team, [28 * mm, 22 * mm, 18 * mm, 112 * mm]) if len(team) > 1 else para(_("无。"))
    )
    story.append(head(_("办理步骤（计划与实际）")))
    steps = [[_("步骤"), _("通道"), _("计划完成"), _("实际开始"), _("实际完成"), _("工时")]] + [
        [
            term(s.name),
            term(s.track.name),
            _t(s.planned_finish),
            _t(s.started_at),
            _t(s.finished_at),
            f"{s.actual_hours or ''}",
        ]
        for s in case.steps.select_related("track").order_by("position")
    ]
    story.append(
        table(steps, [45 * mm, 25 * mm, 28 * mm, 28 * mm, 28 * mm, 16 * mm])
        if len(steps) > 1
        else para(_("无。"))
    )
    story.append(head(_("审批")))
    approvals = [[_("事项"), _("金额"), _("申请人"), _("审批人"), _("结果"), _("意见")]] + [
        [
            r.get_action_display(),
            f"{r.amount or ''}",
            staff_display_name(r.requested_by),
            staff_display_name(r.decided_by),
            r.get_status_display(),
            r.decision_reason,
        ]
        for r in ApprovalRequest.objects.filter(case=case)
        .select_related("requested_by", "decided_by")
        .order_by("pk")
    ]
    story.append(
        table(approvals, [40 * mm, 20 * mm, 20 * mm, 20 * mm, 18 * mm, 62 * mm])
        if len(approvals) > 1
        else para(_("无。"))
    )
    story.append(head(_("双重复核")))
    reviews = [[_("轮次"), _("环节"), _("复核人"), _("时间"), _("结果"), _("问题与更正")]]
    for r in (
        Review.objects.filter(case=case)
        .select_related("reviewer")
        .prefetch_related("findings")
        .order_by("created_at")
    ):
        findings = _("；").join(
            _("%(item)s：%(problem)s → %(correction)s")
            % {"item": term(f.item), "problem": f.description, "correction": f.correction}
            for f in r.findings.all()
        )
        reviews.append(
            [
                r.round,
                r.get_stage_display(),
                staff_display_name(r.reviewer),
                _t(r.created_at),
                _("通过") if r.passed else _("未通过"),
                findings,
            ]
        )
    story.append(
        table(reviews, [12 * mm, 22 * mm, 20 * mm, 28 * mm, 16 * mm, 82 * mm])
        if len(reviews) > 1
        else para(_("无。"))
    )
    story.append(head(_("日报（已发送）")))
    reports = [[_("日期"), _("今日完成"), _("明日计划"), _("需客户配合"), _("发送时间")]] + [
        [f"{r.date}", r.done_today, r.plan_tomorrow, r.client_todo, _t(r.sent_at)]
        for r in DailyReport.objects.filter(case=case, status="sent").order_by("date")
    ]
    story.append(
        table(reports, [20 * mm, 50 * mm, 45 * mm, 40 * mm, 25 * mm])
        if len(reports) > 1
        else para(_("无。"))
    )
    story.append(head(_("异常")))
    incidents = [[_("发生"), _("类型"), _("情况"), _("响应"), _("原因与补救"), _("解决")]] + [
        [
            _t(i.raised_at),
            i.get_kind_display(),
            i.description,
            _t(i.acknowledged_at),
            f"{i.cause} / {i.remedy}".strip(" /"),
            _t(i.resolved_at),
        ]
        for i in Incident.objects.filter(case=case).order_by("raised_at")
    ]
    story.append(
        table(incidents, [25 * mm, 22 * mm, 45 * mm, 25 * mm, 38 * mm, 25 * mm])
        if len(incidents) > 1
        else para(_("无。"))
    )
    story.append(head(_("证照印章交接")))
    moves = [[_("物品"), _("交接"), _("交出"), _("接收"), _("用途"), _("时间"), _("确认")]]
    for m in (
        CustodyMovement.objects.filter(item__case=case)
        .select_related("item", "from_user", "to_user", "confirmed_by")
        .order_by("at", "pk")
    ):
        giver, receiver = movement_parties(m)
        confirmed = _t(m.confirmed_at) if m.confirmed_at else _("待确认")
        moves.append(
            [
                m.item.get_kind_display(),
                m.get_kind_display(),
                giver,
                receiver,
                m.purpose,
                _t(m.at),
                confirmed,
            ]
        )
    story.append(
        table(moves, [24 * mm, 18 * mm, 22 * mm, 22 * mm, 40 * mm, 26 * mm, 28 * mm])
        if len(moves) > 1
        else para(_("无。"))
    )
    story += _confirmation(case, table=table, para=para, head=head, mm=mm)
    return story


def _confirmation(case, *, table, para, head, mm) -> list:

    story = [head(_("结果确认单（客户签收）"))]
    c = confirmation_of(case)
    if c is None:
        return [*story, para(_("尚未确认。"))]
    doc = c.document
    rows = [
        [_("确认人"), c.contact_name],
        [_("确认时间"), _t(c.confirmed_at)],
        [_("确认 IP"), c.ip or ""],
        [_("验证码编号"), f"#{c.code_number}"],
        [_("客户评价"), f"{c.get_evaluation_display()}　{c.remark}".strip()],
        [_("签章证书"), c.signer_subject + (_("（自签名）") if c.self_signed else "")],
        [_("证书 SHA-256"), c.signer_sha256],
        [
            _("已签署的确认单"),
            _("%(name)s（%(path)s）") % {"name": doc.name, "path": f"files/{doc.sha256}.pdf"}
            if doc
            else "",
        ],
        [_("确认单 SHA-256"), doc.sha256 if doc else ""],
    ]
    story.append(table(rows, [35 * mm, 145 * mm]))
    story.append(para(_("确认单的签名可用 expedite verify-pdf 命令离线校验。")))
    return story
