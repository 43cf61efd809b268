from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records nobody edits by hand: the audit trail, API tokens, the fixed roles."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
