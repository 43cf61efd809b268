"""The audit record. Rows are appended by `services.audit_record` and never changed."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expedite.domain.audit import ActorKind, AuditKind


class AuditImmutableError(Exception):
    pass


def known_kind(kind: str) -> AuditKind:
    """The event kind, or ValueError: only the kinds the code defines are ever written."""
    try:
        return AuditKind(kind)
    except ValueError:
        raise ValueError(f"unknown audit event kind: {kind!r}") from None


class CanonicalJSONEncoder(json.JSONEncoder):
    """Payload text as it sits in the canonical bytes (sorted keys, compact, UTF-8 as is).

    SQLite keeps JSON as text: stored this way, the payload column can be compared with
    the stored bytes by the database as plain text (see `audit.agreement`).
    """

    def __init__(self, *args, **kwargs):
        kwargs.update(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        super().__init__(*args, **kwargs)


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutableError("audit events cannot be changed")

    def delete(self):
        raise AuditImmutableError("audit events cannot be deleted")


class AuditEvent(models.Model):
    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    time = models.DateTimeField(_("时间"), db_index=True)
    actor_kind = models.CharField(
        _("操作者类型"), max_length=16, choices=[(k, k) for k in ActorKind]
    )
    actor = models.CharField(_("操作者"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Validated in code (AuditKind), not as database choices: a new kind needs no migration.
    kind = models.CharField(_("事件类型"), max_length=64)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    payload = models.JSONField(_("内容"), default=dict, encoder=CanonicalJSONEncoder)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # The exact UTF-8 text `hash` is the SHA-256 of: verify hashes it as stored, and checks
    # separately that the columns above still say what it says.
    canonical = models.TextField(editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = pgettext_lazy("one", "审计事件")
        verbose_name_plural = _("审计事件")

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutableError("audit events cannot be changed")
        known_kind(self.kind)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError("audit events cannot be deleted")

    def clean(self):
        # Forms (admin, any ModelForm) get a field error instead of the ValueError of save.
        super().clean()
        try:
            known_kind(self.kind)
        except ValueError as error:
            raise ValidationError({"kind": str(error)}) from None

    @property
    def kind_label(self) -> str:
        return audit_kind_label(self.kind)


class AuditHead(models.Model):
    """One row holding the chain's last sequence number and hash; locked to append."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"


AUDIT_KIND_LABELS = {
    AuditKind.CLIENT_CREATED: _("登记客户"),
    AuditKind.CLIENT_CONTACT_ADDED: _("添加客户联系人"),
    AuditKind.CLIENT_CONTACT_LANGUAGE_SET: _("设置联系人语言"),
    AuditKind.CASE_CREATED: _("创建加急单"),
    AuditKind.CASE_INTAKE_ANSWERED: _("客户回答需求问询"),
    AuditKind.CASE_TRIAGED: _("研判"),
    AuditKind.CASE_STATE_CHANGED: _("变更状态"),
    AuditKind.CASE_VERDICT_OVERRIDDEN: _("经理改判"),
    AuditKind.CASE_ALTERNATIVE_ADOPTED: _("改办合规替代方案"),
    AuditKind.CASE_OPTION_CHOSEN: _("记录客户选择的方案"),
    AuditKind.CASE_FILE_ADDED: _("上传文件"),
    AuditKind.BATCH_CREATED: _("创建批量申请"),
    AuditKind.BATCH_TRIAGED: _("批量研判"),
    AuditKind.COST_RECORDED: _("记录费用"),
    AuditKind.REVIEW_SELF_CHECKED: _("经办人自查"),
    AuditKind.REVIEW_REVIEWED: _("主管复核"),
    AuditKind.REVIEW_SUBMISSION_CHECKED: _("递交前复核"),
    AuditKind.EVIDENCE_EXPORTED: _("导出证据包"),
    AuditKind.CATALOG_LOADED: _("载入服务目录"),
    AuditKind.DEMO_LOADED: _("载入演示数据"),
    AuditKind.LOGIN: _("登录"),
    AuditKind.LOGIN_FAILED: _("登录失败"),
    AuditKind.LOGOUT: _("退出登录"),
    AuditKind.API_TOKEN_CREATED: _("生成 API 令牌"),
    AuditKind.API_TOKEN_REVOKED: _("撤销 API 令牌"),
    AuditKind.STAFF_CREATED: _("新建员工账号"),
    AuditKind.STAFF_CHANGED: _("修改员工账号"),
    AuditKind.STAFF_ROLES_CHANGED: _("修改员工角色"),
    AuditKind.STAFF_PASSWORD_SET: _("重设员工密码"),
    AuditKind.STAFF_DELETED: _("删除员工账号"),
    AuditKind.AUDIT_ANCHORED: _("审计链锚定"),
    AuditKind.RETENTION_PURGED: _("按保存期限清除"),
    AuditKind.AUDIT_VERIFY_FAILED: _("审计链校验失败"),
    AuditKind.CALENDAR_OVERRIDE_LOADED: _("载入放假安排"),
    AuditKind.CALENDAR_OVERRIDE_REMOVED: _("撤回放假安排"),
    AuditKind.CALENDAR_HOURS_CHANGED: _("修改工作时间"),
    AuditKind.CALENDAR_CLOSURE_ADDED: _("添加停止办公日"),
    AuditKind.CALENDAR_CLOSURE_REMOVED: _("删除停止办公日"),
    AuditKind.STAFF_PROFILE_CHANGED: _("修改员工技能与产能"),
    AuditKind.STAFF_ABSENCE_RECORDED: _("登记请假/外出"),
    AuditKind.STAFF_ABSENCE_REMOVED: _("取消请假/外出"),
    AuditKind.TEAM_PROPOSED: _("系统建议分工"),
    AuditKind.TEAM_ASSIGNED: _("确认分工"),
    AuditKind.PLAN_LAID_OUT: _("生成办理计划"),
    AuditKind.PLAN_STEP_SKIPPED: _("按审批结果取消步骤"),
    AuditKind.STEP_STARTED: _("步骤开始"),
    AuditKind.STEP_FINISHED: _("步骤完成"),
    AuditKind.TRACK_UPDATED: _("同步通道进展"),
    AuditKind.CUSTODY_CHECKED_IN: _("收取客户物品"),
    AuditKind.CUSTODY_TRANSFERRED: _("内部转交物品"),
    AuditKind.CUSTODY_CHECKED_OUT: _("归还客户物品"),
    AuditKind.CUSTODY_CONFIRMED: _("确认物品交接"),
    AuditKind.CUSTODY_CODE_SENT: _("发送交接确认码"),
    AuditKind.CUSTODY_CODE_FAILED: _("交接确认码错误"),
    AuditKind.APPROVAL_REQUESTED: _("提交审批申请"),
    AuditKind.APPROVAL_GRANTED: _("审批通过"),
    AuditKind.APPROVAL_DENIED: _("审批驳回"),
    AuditKind.APPROVAL_WITHDRAWN: _("撤回审批申请"),
    AuditKind.APPROVAL_RULES_CHANGED: _("修改审批矩阵"),
    AuditKind.PORTAL_LINK_ROTATED: _("更换客户进度页链接"),
    AuditKind.PORTAL_LINK_REVOKED: _("撤销客户进度页链接"),
    AuditKind.PORTAL_CODE_SENT: _("发送身份验证码"),
    AuditKind.PORTAL_CODE_FAILED: _("身份验证码错误"),
    AuditKind.PORTAL_CLIENT_VERIFIED: _("客户验证身份"),
    AuditKind.PORTAL_FILE_VISIBILITY: _("设置文件客户可见"),
    AuditKind.MATERIAL_SUBMITTED: _("上传申请材料"),
    AuditKind.PREREVIEW_STARTED: _("开始材料预审"),
    AuditKind.PREREVIEW_RECORDED: _("完成材料预审"),
    AuditKind.CORRECTION_NOTICE_SENT: _("向客户发送材料补正一次性告知"),
    AuditKind.CORRECTION_REMINDER_SENT: _("提醒客户补正材料"),
    AuditKind.REPORT_EDITED: _("修改日报"),
    AuditKind.REPORT_SENT: _("发送日报"),
    AuditKind.REPORT_SETTINGS_CHANGED: _("修改日报设置"),
    AuditKind.INCIDENT_RAISED: _("登记异常"),
    AuditKind.INCIDENT_ACKNOWLEDGED: _("响应异常"),
    AuditKind.INCIDENT_RESOLVED: _("异常已解决"),
    AuditKind.INCIDENT_ESCALATED: _("异常升级"),
    AuditKind.RISK_WARNING_RAISED: _("风险预警"),
    AuditKind.RISK_WARNING_SENT: _("向客户发送风险预警"),
    AuditKind.RISK_WARNING_DISMISSED: _("风险预警不告知客户"),
    AuditKind.DELIVERY_ERROR_RECORDED: _("登记交付后发现的差错"),
    AuditKind.FEEDBACK_SUBMITTED: _("客户提交满意度评价"),
    AuditKind.FOLLOW_UP_RESOLVED: _("差评跟进已处理"),
    AuditKind.RETROSPECTIVE_SAVED: _("保存复盘"),
    AuditKind.HANDBOOK_ENTRY_ADDED: _("新增优化手册条目"),
    AuditKind.CATALOG_CHANGE_ACCEPTED: _("采纳服务目录修改"),
    AuditKind.CATALOG_CHANGE_REJECTED: _("不采纳服务目录修改"),
    AuditKind.SCHEDULE_PROPOSED: _("生成排期建议"),
    AuditKind.SCHEDULE_ACCEPTED: _("采纳排期"),
    AuditKind.RESULT_FILE_ADDED: _("上传结果文件"),
    AuditKind.DELIVERY_CONFIRMED: _("客户确认结果并签署确认单"),
    AuditKind.OUTBOX_RESENT: _("重新发送暂停的消息"),
    AuditKind.OUTBOX_MARKED_SENT: _("确认暂停的消息已发出"),
    AuditKind.CASE_REQUESTED: _("客户在线提交加急申请"),
    AuditKind.REQUEST_CODE_SENT: _("向在线申请的手机号发送验证码"),
    AuditKind.CLIENT_CONTACT_CHANNEL_SET: _("修改联系人通知方式"),
    AuditKind.CLIENTS_IMPORTED: _("批量导入客户、联系人和证照"),
    AuditKind.CALENDAR_FEED_CREATED: _("生成日历订阅地址"),
    AuditKind.CALENDAR_FEED_STOPPED: _("停用日历订阅地址"),
    AuditKind.WEBHOOK_SAVED: _("保存 Webhook 接收地址"),
    AuditKind.SSO_REFUSED: _("单点登录被拒绝"),
    AuditKind.TOTP_ENROLLED: _("启用动态验证码"),
    AuditKind.TOTP_DISABLED: _("停用动态验证码"),
    AuditKind.WEBHOOK_SECRET_RENEWED: _("重新生成 Webhook 签名密钥"),
    AuditKind.WEBHOOK_TESTED: _("向 Webhook 接收地址发送测试事件"),
    AuditKind.RADAR_TRAINED: _("训练需求雷达模型"),
    AuditKind.RADAR_PROPOSED: _("按需求雷达向客户建议常规办理"),
    AuditKind.RADAR_OUTCOME: _("记录需求雷达联系结果"),
    AuditKind.KPI_SIMULATION_LOADED: _("载入年度模拟结果"),
}


def audit_kind_label(kind: str) -> str:
    try:
        return str(AUDIT_KIND_LABELS[AuditKind(kind)])
    except (KeyError, ValueError):
        return kind
