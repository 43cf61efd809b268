"""Staff accounts in the admin: every change to a user, its roles or its password is audited.

Roles are the fixed groups created by migration; they are listed read-only.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.db import transaction

from expedite.audit.services import audit_record
from expedite.common.admin import ReadOnlyAdmin
from expedite.domain.audit import AuditKind

from .forms import ThrottledAdminAuthenticationForm
from .models import ApiToken, StaffContact

_SECRET_FIELDS = {"password", "password1", "password2", "usable_password"}


class AuditedUserAdmin(UserAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = sorted(set(form.changed_data) - _SECRET_FIELDS - {"groups"})
        audit_record(
            kind=AuditKind.STAFF_CHANGED if change else AuditKind.STAFF_CREATED,
            actor=request.user,
            payload={"user": obj.get_username(), "user_id": obj.pk, "fields": changed},
        )

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.groups.values_list("name", flat=True))
        if before != after:
            audit_record(
                kind=AuditKind.STAFF_ROLES_CHANGED,
                actor=request.user,
                payload={
                    "user": form.instance.get_username(),
                    "added": sorted(after - before),
                    "removed": sorted(before - after),
                },
            )

    def delete_model(self, request, obj):
        payload = {"user": obj.get_username(), "user_id": obj.pk}
        super().delete_model(request, obj)
        audit_record(kind=AuditKind.STAFF_DELETED, actor=request.user, payload=payload)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.get(pk=id)
                audit_record(
                    kind=AuditKind.STAFF_PASSWORD_SET,
                    actor=request.user,
                    payload={"user": user.get_username(), "user_id": user.pk},
                )
        return response


class ReadOnlyGroupAdmin(ReadOnlyAdmin, GroupAdmin):
    pass


admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.unregister(User)
admin.site.register(User, AuditedUserAdmin)
admin.site.unregister(Group)
admin.site.register(Group, ReadOnlyGroupAdmin)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("digest",)


@admin.register(StaffContact)
class StaffContactAdmin(admin.ModelAdmin):
    """The work phone clients see next to their liaison's name on the portal, and the
    企业微信 account the person's own messages go to."""

    list_display = ("user", "phone", "wecom_userid")
    autocomplete_fields = ("user",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            kind=AuditKind.STAFF_CHANGED,
            actor=request.user,
            payload={
                "user": obj.user.get_username(),
                "user_id": obj.user_id,
                "fields": [f"staff_contact.{n}" for n in form.changed_data if n != "user"]
                or ["staff_contact.phone"],
            },
        )
