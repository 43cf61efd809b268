from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context, bound):
    """Render a panel's template with the page's context plus the panel's own, and nothing
    of the other panels'. Blank when the panel has nothing to show, so the page can skip it."""
    panel_template = context.template.engine.get_template(bound.panel.template)
    with context.push(bound.context):
        html = panel_template.render(context)
    return mark_safe(html.strip())  # noqa: S308 - the template's own escaped output, trimmed
