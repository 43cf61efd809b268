"""Running a case: the people (profiles, absences, the three roles) and the work (tracks, steps)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from expedite.cases.models import Case

CASE_ROLE_CHOICES = [
    ("liaison", _("客户对接专员")),
    ("process", _("流程推进专员")),
    ("risk", _("风险审核专员")),
]


class StaffProfile(models.Model):
    """What the planner needs to know about a person: skills, capacity, team."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    skills = models.JSONField(_("技能"), default=list, blank=True)
    capacity_hours = models.DecimalField(
        _("每日可用工时"), max_digits=4, decimal_places=1, default=Decimal("7.5")
    )
    expedite_team = models.BooleanField(_("加急服务小组成员"), default=False)

    class Meta:
        verbose_name = pgettext_lazy("one", "员工档案")
        verbose_name_plural = _("员工档案")

    def __str__(self) -> str:
        return str(self.user)


class Absence(models.Model):
    """A person away (leave, training, a trip without remote access): no capacity those days."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences"
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start"]
        verbose_name = pgettext_lazy("one", "请假/外出")
        verbose_name_plural = _("请假/外出")

    def __str__(self) -> str:
        return f"{self.user} {self.start}–{self.end}"


class Assignment(models.Model):
    """One of the case's three roles: proposed by the system with its reason, confirmed by a
    manager. History lives in the audit events."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    STATUS_CHOICES = [(PROPOSED, _("系统建议")), (CONFIRMED, _("已确认"))]

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("角色"), max_length=16, choices=CASE_ROLE_CHOICES)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="case_assignments",
        verbose_name=_("人员"),
    )
    status = models.CharField(_("状态"), max_length=16, choices=STATUS_CHOICES)
    # A stored phrase (`domain.phrases`), rendered in the reader's language; older rows hold text.
    reason = models.JSONField(_("理由"), blank=True, default=str)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "role"], name="one_person_per_case_role")
        ]
        verbose_name = pgettext_lazy("one", "人员分工")
        verbose_name_plural = _("人员分工")

    def __str__(self) -> str:
        return f"{self.case} {self.role}: {self.user}"


TRACK_STATUS_CHOICES = [
    ("waiting", _("未开始")),
    ("active", _("推进中")),
    ("blocked", _("受阻")),
    ("done", _("已完成")),
]


class Track(models.Model):
    """One line of work with one department (税务局 / 市场监管局 / 银行 …) or in the firm."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="tracks")
    name = models.CharField(_("对接部门"), max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=TRACK_STATUS_CHOICES, default="waiting"
    )
    note = models.TextField(_("最新进展"), blank=True)
    updated_at = models.DateTimeField(_("最近更新"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "position"]
        constraints = [models.UniqueConstraint(fields=["case", "name"], name="one_track_per_dept")]
        verbose_name = pgettext_lazy("one", "办理通道")
        verbose_name_plural = _("办理通道")

    def __str__(self) -> str:
        return f"{self.case} · {self.name}"


class StepRun(models.Model):
    """A step of the case's plan as it is carried out: the promise (planned) and the facts."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="steps")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="steps")
    code = models.CharField(_("代码"), max_length=64)
    name = models.CharField(_("步骤"), max_length=200)
    role = models.CharField(_("角色"), max_length=16)
    skill = models.CharField(_("技能"), max_length=20, blank=True)
    milestone = models.CharField(_("客户可见节点"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    depends_on = models.JSONField(default=list, blank=True)
    duration_us = models.BigIntegerField()  # working time the plan allows
    planned_start = models.DateTimeField(_("计划开始"))
    planned_finish = models.DateTimeField(_("计划完成"))
    critical = models.BooleanField(default=False)
    started_at = models.DateTimeField(_("实际开始"), null=True, blank=True)
    finished_at = models.DateTimeField(_("实际完成"), null=True, blank=True)
    actual_hours = models.DecimalField(
        _("实际工时"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("备注"), blank=True)
    # Who does the step when an accepted schedule says so (else the case's person in its role).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scheduled_steps",
        verbose_name=_("排期人员"),
    )

    class Meta:
        ordering = ["case", "position"]
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="one_run_per_step")]
        verbose_name = pgettext_lazy("one", "办理步骤")
        verbose_name_plural = _("办理步骤")

    def __str__(self) -> str:
        return f"{self.case} · {self.name}"

    @property
    def output_kind(self) -> str:
        return f"output:{self.code}"


class ScheduleProposal(models.Model):
    """A schedule the solver proposed for all open steps, kept for the manager to review.

    `fingerprint` is the hash of the inputs it was made from: accepting refuses a proposal
    whose inputs have changed since."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"
    STATUS_CHOICES = [(PENDING, _("待审阅")), (ACCEPTED, _("已采纳")), (SUPERSEDED, _("已被取代"))]

    created_at = models.DateTimeField(_("生成时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nightly = models.BooleanField(_("夜间自动排期"), default=False)
    solver = models.CharField(_("求解器"), max_length=40)
    optimal = models.BooleanField(default=False)
    seconds = models.FloatField(default=0.0)
    origin = models.DateTimeField(_("排期起点"))  # hour 0 of the placements
    slot_minutes = models.FloatField()  # minutes of office time per scheduler hour
    weighted_tardiness = models.FloatField()
    makespan = models.IntegerField()
    changes = models.IntegerField()
    baseline_tardiness = models.FloatField()  # the plan in force, for comparison
    placements = models.JSONField(default=dict)  # task id → [start, end, worker id or null]
    # What the page shows, as it was when proposed: conflicts of the plan in force and, per
    # case, its deadline, the plan's finish and the proposal's (see work/schedule.py).
    summary = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(_("状态"), max_length=16, choices=STATUS_CHOICES, default=PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = pgettext_lazy("one", "排期建议")
        verbose_name_plural = _("排期建议")

    def __str__(self) -> str:
        return f"{self.solver} {self.created_at:%Y-%m-%d %H:%M}"


class ScheduleRun(models.Model):
    """A re-plan a manager asked for, solved by a worker on the job queue (`work.tasks`): its
    state and progress for the workload page while it runs, and the proposal it made."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    STATUS_CHOICES = [
        (QUEUED, _("排队中")),
        (RUNNING, _("排期中")),
        (DONE, _("已完成")),
        (FAILED, _("失败")),
    ]
    ACTIVE = (QUEUED, RUNNING)

    requested_at = models.DateTimeField(_("请求时间"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    solver = models.CharField(_("求解器"), max_length=16)
    status = models.CharField(_("状态"), max_length=16, choices=STATUS_CHOICES, default=QUEUED)
    stage = models.CharField(max_length=16, blank=True)  # reading, simple, search, storing
    progress = models.FloatField(default=0.0)  # share of the run done, 0 … 1
    updated_at = models.DateTimeField()  # the last sign of life (a stale run can be replaced)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    proposal = models.ForeignKey(
        ScheduleProposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A refusal as the domain said it ({"template", "params"}), shown in the reader's language.
    error = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("重新排期请求")
        verbose_name_plural = _("重新排期请求")

    def __str__(self) -> str:
        return f"{self.solver} {self.status} {self.requested_at:%Y-%m-%d %H:%M}"
