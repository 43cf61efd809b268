"""Every file a client (or staff for it) sent for a checklist item, and each pre-review round."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from expedite.cases.models import Case
from expedite.cases.words import say, say_value, term
from expedite.domain.errors import gettext_noop
from expedite.domain.phrases import templates

# What the client or staff enter with a file, by the catalog's field codes.
FIELD_LABELS = {
    "uscc": _("统一社会信用代码"),
    "id_number": _("身份证号码"),
    "date": _("有效期至"),
    "wage_base": _("月缴费基数（元）"),
    "amount": _("金额（元）"),
    "city": _("参保城市"),
    "on": _("日期"),
}

OK, MISSING, INVALID, EXPIRING = "ok", "missing", "invalid", "expiring"

# The lines of a round's 一次性告知 (`services.notice_lines`), stored as phrases.
templates(
    {
        "notice.title": gettext_noop("【材料补正一次性告知】%(client)s · %(service)s · %(ref)s"),
        "notice.intro": gettext_noop(
            "经预审，以下 %(n)s 项材料需要补正，请一次性补齐后在进度页面上传："
        ),
        "notice.item": gettext_noop("%(n)s. %(name)s：%(what)s"),
        "notice.missing": gettext_noop("缺少，请提供"),
        "notice.invalid": gettext_noop("不合格：%(reason)s"),
        "notice.expiring": gettext_noop("将于 %(date)s 到期，请提供有效期内的材料"),
        "notice.expiring_why": gettext_noop(
            "将于 %(date)s 到期，请提供有效期内的材料（%(reason)s）"
        ),
        "notice.rest_ok": gettext_noop("其余材料已通过预审，无需重复提交。"),
    }
)
VERDICT_CHOICES = [
    (OK, _("合格")),
    (MISSING, _("缺少")),
    (INVALID, _("不合格")),
    (EXPIRING, _("即将过期")),
]


class MaterialSubmission(models.Model):
    """One version of one checklist item; versions are kept, files never overwritten."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="material_submissions")
    item = models.CharField(_("材料"), max_length=64)
    version = models.PositiveIntegerField(_("版本"))
    name = models.CharField(_("文件名"), max_length=200)
    # Content-addressed under the media root, which the web server does not serve.
    file = models.FileField(_("文件"))
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact = models.CharField(_("客户联系人"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"))
    fields = models.JSONField(_("填写的信息"), default=dict, blank=True)
    findings = models.JSONField(_("自动检查结果"), default=list, blank=True)

    class Meta:
        ordering = ["item", "-version"]
        verbose_name = pgettext_lazy("one", "申请材料")
        verbose_name_plural = _("申请材料")
        constraints = [
            models.UniqueConstraint(fields=["case", "item", "version"], name="material_version")
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.item} v{self.version}"

    def labelled_fields(self) -> list[tuple[str, str]]:
        """The entered fields as people read them (labels, not codes)."""
        return [(str(FIELD_LABELS.get(k, k)), v) for k, v in (self.fields or {}).items() if v]

    def shown_findings(self) -> list[dict]:
        """The automatic findings in the reader's language: each stored message translated,
        catalog text among its parameters (a material's name) through the catalog's words."""
        return [{**f, "text": _finding_text(f)} for f in self.findings or ()]

    @property
    def by_client(self) -> bool:
        return self.uploaded_by_id is None


def _finding_text(finding: dict) -> str:
    message = finding.get("message")
    if not message:
        return str(finding.get("text", ""))
    params = {
        k: term(v) if isinstance(v, str) else say_value(v)
        for k, v in (finding.get("params") or {}).items()
    }
    try:
        return gettext(message) % params if params else gettext(message)
    except (KeyError, TypeError, ValueError):
        return str(finding.get("text", message))


class PreReview(models.Model):
    """One round of 材料预审: due two working hours after it starts."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="prereviews")
    round = models.PositiveIntegerField(_("轮次"))
    started_at = models.DateTimeField(_("开始时间"))
    due_at = models.DateTimeField(_("应完成时间"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # item code → {"verdict": ok|missing|invalid|expiring, "reason": str, "date": "YYYY-MM-DD"}
    verdicts = models.JSONField(_("逐项结论"), default=dict, blank=True)
    # The notice's lines as stored phrases, said in the reader's language; older rows hold text.
    notice = models.JSONField(_("一次性告知"), blank=True, default=str)
    # The case sits on hold waiting for this round's corrections; set back once resubmitted.
    holding = models.BooleanField(default=False)

    class Meta:
        ordering = ["case", "-round"]
        verbose_name = pgettext_lazy("one", "材料预审")
        verbose_name_plural = _("材料预审")
        constraints = [models.UniqueConstraint(fields=["case", "round"], name="prereview_round")]
        indexes = [models.Index(fields=["finished_at", "due_at"])]

    def __str__(self) -> str:
        return f"{self.case} #{self.round}"

    def notice_shown(self) -> str:
        """The 一次性告知 in the active language (a client contact's, when it is sent)."""
        if isinstance(self.notice, list):
            return "\n".join(say(line) for line in self.notice)
        return say(self.notice)

    @property
    def problems(self) -> dict[str, dict]:
        return {
            k: v
            for k, v in self.verdicts.items()
            if v.get("verdict") != OK and v.get("counts", True)
        }


NOTICE_NUMBER = 0  # a round's notice; its reminders are numbered from 1


class CorrectionMessage(models.Model):
    """What the client was sent about a round's 一次性告知: the notice itself (number 0) and
    each reminder after it (1, 2, …), with the items still open at the time."""

    review = models.ForeignKey(PreReview, on_delete=models.CASCADE, related_name="messages")
    number = models.PositiveIntegerField(_("序号"))
    items = models.JSONField(_("待补正材料"), default=list)
    sent_at = models.DateTimeField(_("发送时间"))
    due_at = models.DateTimeField(_("补正期限"))
    emails = models.PositiveIntegerField(default=0)
    texts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["review", "number"]
        verbose_name = pgettext_lazy("one", "补正告知与提醒")
        verbose_name_plural = _("补正告知与提醒")
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="correction_message_number")
        ]
        indexes = [models.Index(fields=["sent_at"])]

    def __str__(self) -> str:
        return f"{self.review} #{self.number}"

    @property
    def is_notice(self) -> bool:
        return self.number == NOTICE_NUMBER
