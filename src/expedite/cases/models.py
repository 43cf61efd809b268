from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expedite.domain.cases import CaseState, ValueTier
from expedite.domain.catalog import Category
from expedite.domain.imports import CredentialKind

VALUE_TIER_CHOICES = [
    (ValueTier.STANDARD.value, _("普通")),
    (ValueTier.KEY.value, _("重点客户")),
    (ValueTier.STRATEGIC.value, _("战略客户")),
]

CASE_STATE_CHOICES = [
    (CaseState.DRAFT.value, _("草稿")),
    (CaseState.TRIAGED.value, _("已研判")),
    (CaseState.QUOTED.value, _("已报价")),
    (CaseState.ACCEPTED.value, _("已接受")),
    (CaseState.DECLINED.value, _("已婉拒")),
    (CaseState.MATERIALS.value, _("收集材料")),
    (CaseState.IN_PROGRESS.value, _("办理中")),
    (CaseState.ON_HOLD.value, _("等待客户")),
    (CaseState.REVIEW.value, _("复核中")),
    (CaseState.DELIVERED.value, _("已交付")),
    (CaseState.CONFIRMED.value, _("已确认")),
    (CaseState.CLOSED.value, _("已关闭")),
    (CaseState.CANCELLED.value, _("已取消")),
]

VERDICT_CHOICES = [
    ("not_needed", _("无需加急")),
    ("expedite", _("建议加急")),
    ("infeasible", _("无法按期完成")),
    ("refused", _("不能办理（合规红线）")),
    ("blocked", _("须先满足前提")),
    ("false_urgency", _("假急（按常规办理，加急由客户自选）")),
]

CONSEQUENCE_CHOICES = [
    ("contract_penalty", _("逾期要付合同违约金")),
    ("regulatory_penalty", _("逾期会受监管处罚")),
    ("lost_business", _("逾期会错失商机")),
    ("comfort_only", _("只是想早点办好")),
]

CATEGORY_CHOICES = [
    (Category.BUSINESS.value, _("工商")),
    (Category.TAX.value, _("税务")),
    (Category.LICENSE.value, _("许可")),
    (Category.SOCIAL.value, _("社保")),
    (Category.IP.value, _("知识产权")),
]


# The language a contact reads: its portal, the messages it is sent, its 结果确认单.
CONTACT_LANGUAGE_CHOICES = [("zh-hans", _("中文")), ("en", _("英文"))]
DEFAULT_CONTACT_LANGUAGE = "zh-hans"


class Client(models.Model):
    name = models.CharField(_("公司名称"), max_length=200)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    value_tier = models.CharField(
        _("客户价值等级"),
        max_length=16,
        choices=VALUE_TIER_CHOICES,
        default=ValueTier.STANDARD.value,
    )
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = pgettext_lazy("one", "客户")
        verbose_name_plural = _("客户")

    def __str__(self) -> str:
        return self.name

    def language(self) -> str:
        """The language of the primary contact (the first one), the client's default."""
        first = self.contacts.first()
        return first.language if first is not None else DEFAULT_CONTACT_LANGUAGE


class ContactChannel(models.TextChoices):
    BOTH = "both", _("短信和电子邮件")
    SMS = "sms", _("仅短信")
    EMAIL = "email", _("仅电子邮件")


class ClientContact(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("联系人"), max_length=100)
    title = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    is_primary = models.BooleanField(_("主要联系人"), default=False)
    language = models.CharField(
        _("语言"),
        max_length=8,
        choices=CONTACT_LANGUAGE_CHOICES,
        default=DEFAULT_CONTACT_LANGUAGE,
    )
    # How the contact wants to hear from the firm; "both" uses whichever of the two it has.
    channel = models.CharField(
        _("通知方式"), max_length=8, choices=ContactChannel.choices, default=ContactChannel.BOTH
    )

    class Meta:
        ordering = ["-is_primary", "pk"]
        verbose_name = pgettext_lazy("one", "客户联系人")
        verbose_name_plural = _("客户联系人")

    def __str__(self) -> str:
        return f"{self.name} ({self.client})"


CREDENTIAL_KIND_CHOICES = [
    (CredentialKind.BUSINESS_LICENCE.value, _("营业执照")),
    (CredentialKind.PERMIT.value, _("许可证")),
    (CredentialKind.CERTIFICATE.value, _("资质证书")),
    (CredentialKind.SEAL.value, _("印章")),
    (CredentialKind.OTHER.value, _("其他")),
]


class ClientCredential(models.Model):
    """A licence, certificate or seal the client holds, with its end date: what falls due
    before the client thinks of it."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(_("证照类别"), max_length=24, choices=CREDENTIAL_KIND_CHOICES)
    title = models.CharField(_("证照名称"), max_length=100)
    number = models.CharField(_("证照编号"), max_length=64, blank=True)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    # Empty: no end date (长期).
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        ordering = [models.F("expires_on").asc(nulls_last=True), "title"]
        verbose_name = pgettext_lazy("one", "客户证照")
        verbose_name_plural = _("客户证照")
        indexes = [models.Index(fields=["expires_on"], name="credential_expires_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.client})"


class ServiceType(models.Model):
    """A catalog entry as loaded into the database (the YAML catalog is the source)."""

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name_zh = models.CharField(_("中文名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=200)
    category = models.CharField(_("类别"), max_length=16, choices=CATEGORY_CHOICES)
    standard_workdays = models.PositiveIntegerField(_("常规办理时长（工作日）"))
    milestones = models.JSONField(_("客户可见节点"), default=list)
    description = models.TextField(_("说明"), blank=True)
    active = models.BooleanField(_("在售"), default=True)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = pgettext_lazy("one", "服务事项")
        verbose_name_plural = _("服务事项")

    def __str__(self) -> str:
        return self.name_zh

    def display_name(self, language: str | None) -> str:
        return self.name_en if (language or "").startswith("en") else self.name_zh


class Case(models.Model):
    reference = models.CharField(_("编号"), max_length=20, unique=True, null=True)  # noqa: DJ001 - set just after insert
    client = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=pgettext_lazy("one", "客户"),
    )
    service = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="cases")
    requested_deadline = models.DateField(_("要求截止日期"))
    reason = models.TextField(_("加急原因"))
    state = models.CharField(
        _("状态"), max_length=16, choices=CASE_STATE_CHOICES, default=CaseState.DRAFT.value
    )
    # The catalog in force when the case was opened: its quotes and plans stay as promised.
    catalog_version = models.ForeignKey(
        "CatalogVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    # The three SLA clocks (firm time, waiting on the client, government time) as JSON, see
    # expedite.domain.sla.CaseClocks; read them through cases.selectors.case_clocks.
    clocks = models.JSONField(_("计时"), default=dict, blank=True)
    # Intake answers (staff and client), the triage decision and its snapshot, see triage.py.
    intake = models.JSONField(_("需求问询"), default=dict, blank=True)
    verdict = models.CharField(_("研判结论"), max_length=16, choices=VERDICT_CHOICES, blank=True)
    priority = models.FloatField(_("优先级"), null=True, blank=True)
    triage = models.JSONField(_("研判结果"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = pgettext_lazy("one", "加急单")
        verbose_name_plural = _("加急单")
        indexes = [
            models.Index(fields=["state", "requested_deadline"]),
            models.Index(fields=["state", "priority"]),
            # Purchases by client and month (the KPIs' repeat purchase), read from the index
            # alone: a case's row carries its JSON, a year of which is slow to scan.
            models.Index(fields=["state", "created_at", "client"], name="case_purchases_idx"),
            # The case list and the API list, newest first: the first page read from the index
            # instead of sorting every case.
            models.Index(fields=["created_at", "id"], name="case_newest_idx"),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"


class CatalogVersion(models.Model):
    """Every catalog that was loaded, in full; the newest is the one the planner uses."""

    text = models.TextField(_("服务目录（YAML）"))
    digest = models.CharField(max_length=64, db_index=True)
    source = models.CharField(_("来源"), max_length=300)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = pgettext_lazy("one", "服务目录版本")
        verbose_name_plural = _("服务目录版本")

    def __str__(self) -> str:
        return f"v{self.pk} {self.source}"


class CaseDocument(models.Model):
    """A file on a case (e.g. the written notice of the deadline), kept with its SHA-256."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("类型"), max_length=32)
    name = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(_("文件"), upload_to="cases/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Downloadable from the client's portal page; staff decide file by file.
    client_visible = models.BooleanField(_("客户可见"), default=False)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = pgettext_lazy("one", "加急单文件")
        verbose_name_plural = _("加急单文件")

    def __str__(self) -> str:
        return self.name


COST_KIND_CHOICES = [
    ("overtime", _("加班工时")),
    ("third_party", _("第三方费用")),
    ("surcharge", _("加急服务费")),
    ("other", _("其他")),
]


class CostEntry(models.Model):
    """费用明细: what an expedite really cost, to explain the fee (加急比常规贵了20%).

    Entries are never edited; a correction is a new entry with a negative amount.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="costs")
    kind = models.CharField(_("类别"), max_length=16, choices=COST_KIND_CHOICES)
    description = models.CharField(_("说明"), max_length=200)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("人员"),
    )
    day = models.DateField(_("日期"), null=True, blank=True)
    hours = models.DecimalField(_("工时"), max_digits=6, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "pk"]
        verbose_name = pgettext_lazy("one", "费用明细")
        verbose_name_plural = _("费用明细")

    def __str__(self) -> str:
        return f"{self.description} ¥{self.amount}"
