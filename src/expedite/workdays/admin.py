"""Admin pages for the calendar. Every change goes through the services (validated, audited)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from expedite.common.i18n import localized
from expedite.domain.calendar import MAX_DATE, MIN_DATE, WorkingHours
from expedite.domain.calendar_data import parse_arrangement
from expedite.domain.errors import DomainError, NotAllowed

from . import services
from .models import CalendarOverride, Closure, Schedule


class OverrideForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("上传文件"), required=False, help_text=_("YAML 文件，格式见 docs/calendar.md。")
    )

    class Meta:
        model = CalendarOverride
        fields = ["text"]
        labels = {"text": _("或直接粘贴 YAML")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].required = False
        self.fields["text"].widget.attrs.update({"rows": 24, "style": "font-family: monospace"})

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload:
            try:
                data["text"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("文件不是 UTF-8 文本。")) from None
            self.source = upload.name
        else:
            self.source = "admin"
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("请上传文件或粘贴放假安排。"))
        try:
            parse_arrangement(data["text"], source=self.source)
        except DomainError as exc:
            raise forms.ValidationError(localized(exc)) from exc
        return data


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Load a year's State Council notice the day it is published. Re-loading a year replaces it."""

    form = OverrideForm
    list_display = ("year", "notice", "loaded_at", "loaded_by")
    readonly_fields = ("year", "notice", "loaded_at", "loaded_by")

    def get_fields(self, request, obj=None):
        return (
            ["upload", "text"]
            if obj is None
            else ["year", "notice", "loaded_at", "loaded_by", "text"]
        )

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        """Withdraw a year (e.g. loaded by mistake): the package data applies again."""
        services.calendar_override_remove(actor=request.user, override=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_model(self, request, obj, form, change):
        try:
            row = services.calendar_override_load(
                actor=request.user, text=form.cleaned_data["text"], source=form.source
            )
        except NotAllowed as exc:
            raise PermissionDenied(localized(exc)) from exc
        obj.pk, obj.year = row.pk, row.year
        messages.info(request, _("已载入 %(year)s 年放假安排。") % {"year": row.year})


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = Schedule
        fields = ["name", "windows"]

    def clean_windows(self):
        try:
            WorkingHours.parse(self.cleaned_data["windows"])
        except DomainError as exc:
            raise forms.ValidationError(localized(exc)) from exc
        return self.cleaned_data["windows"]


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0
    readonly_fields = ("date", "reason")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    form = ScheduleForm
    list_display = ("name", "kind", "windows")
    inlines = [ClosureInline]

    def get_readonly_fields(self, request, obj=None):
        return ("name", "kind") if obj is not None else ("kind",)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            if change:
                saved = services.schedule_set_hours(
                    actor=request.user, schedule=obj, windows=form.cleaned_data["windows"]
                )
            else:
                saved = services.schedule_create(
                    actor=request.user, name=obj.name, windows=form.cleaned_data["windows"]
                )
        except NotAllowed as exc:
            raise PermissionDenied(localized(exc)) from exc
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        """Closures are added and removed on their own page, through the services."""


class ClosureForm(forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["schedule", "date", "reason"]

    def clean_date(self):
        date = self.cleaned_data["date"]
        if not MIN_DATE <= date <= MAX_DATE:
            raise forms.ValidationError(_("日期超出日历支持范围。"))
        return date


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    form = ClosureForm
    list_display = ("date", "reason", "schedule")
    list_filter = ("schedule",)
    actions = ["remove_selected"]

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            saved = services.closure_add(
                actor=request.user,
                schedule=data["schedule"],
                date=data["date"],
                reason=data["reason"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(localized(exc)) from exc
        except DomainError as exc:
            messages.error(request, localized(exc))
            return
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.closure_remove(actor=request.user, closure=obj)

    @admin.action(description=_("删除所选停止办公日"))
    def remove_selected(self, request, queryset):
        for closure in queryset:
            services.closure_remove(actor=request.user, closure=closure)
