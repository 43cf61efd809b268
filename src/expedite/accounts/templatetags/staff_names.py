"""`{{ user|staff_name }}`: a staff member's name as every page prints it (张敏, not 敏 张)."""

from django import template

from expedite.accounts.selectors import staff_display_name

register = template.Library()


@register.filter
def staff_name(user) -> str:
    return staff_display_name(user)
