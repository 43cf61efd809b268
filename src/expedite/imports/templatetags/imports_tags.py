from django import template

from expedite.imports import workbooks
from expedite.imports.plan import NEW, REFUSED, SAME, UPDATE

register = template.Library()


@register.filter
def problem_text(problem: dict) -> str:
    return workbooks.problem_text(problem)


@register.filter
def action_label(action: str) -> str:
    return workbooks.action_label(action) if action in (NEW, UPDATE, SAME, REFUSED) else ""


@register.filter
def row_summary(row: dict) -> str:
    """One line of what the row holds: the company, the person or the licence."""
    v = row["values"]
    contact = v.get("contact") or {}
    if row["sheet"] == "clients":
        return " · ".join(x for x in (v.get("name"), v.get("uscc"), contact.get("name")) if x)
    if row["sheet"] == "contacts":
        return " · ".join(x for x in (v.get("uscc"), contact.get("name")) if x)
    return " · ".join(x for x in (v.get("uscc"), v.get("title"), v.get("expires")) if x)
