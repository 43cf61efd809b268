import copy
import re

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from expedite.domain.errors import DomainError

from .. import selectors, triage_text, words
from ..plans import catalog_for

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panel(context, bound):
    """Render a panel's template with the page's context plus the panel's own, and nothing
    of the other panels'. Blank when the panel has nothing to show, so the page can skip it."""
    panel_template = context.template.engine.get_template(bound.panel.template)
    with context.push(bound.context):
        html = panel_template.render(context)
    return mark_safe(html.strip())  # noqa: S308 - the template's own escaped output, trimmed


@register.filter
def ids_for(form, key):
    """`form` for one row of a list that draws it once per row (an item held, a step): a copy
    whose ids also carry the row's key, so the rows' labels point at their own fields. The copy
    shares the form's fields, so choices read once stay read once."""
    if not form or "%s" not in str(form.auto_id):
        return form
    row = copy.copy(form)
    row.auto_id = form.auto_id.replace("%s", f"{key}_%s")
    row._bound_fields_cache = {}
    return row


_BOOLEAN = re.compile(r"\b([a-z][a-z0-9_]*)=(true|false|none)\b")
_VALUE = re.compile(r"\b([a-z][a-z0-9_]*)\(([^()]*)\)")


@register.filter
def facts_in_words(why: str, case) -> str:
    """Why a rule fired, with each fact's question in place of its code (cross_month=true
    reads 原发票开具已跨月：是), in the reader's language."""
    if not why:
        return ""
    try:
        catalog = catalog_for(case)
    except DomainError:
        return why
    answers = {"true": gettext("是"), "false": gettext("否"), "none": gettext("未回答")}

    def boolean(m):
        question = words.term(catalog.fact_label(m.group(1)))
        return gettext("%(question)s：%(answer)s") % {
            "question": question,
            "answer": answers[m.group(2)],
        }

    def value(m):
        question = words.term(catalog.fact_label(m.group(1)))
        return gettext("%(question)s（%(value)s）") % {"question": question, "value": m.group(2)}

    said = _VALUE.sub(value, _BOOLEAN.sub(boolean, why))
    return said.replace("；", gettext("；"))


@register.filter
def term(text):
    """Catalog text (a step, a track, a milestone, a lever's reason) in the reader's language."""
    return words.term(str(text)) if text else text


@register.filter
def say(stored):
    """A stored decision phrase in the reader's language."""
    return words.say(stored)


@register.filter
def readable_triage(snapshot):
    """A case's stored triage with its phrases and labels in the reader's language."""
    return triage_text.readable(snapshot or {})


@register.filter
def service_name(service):
    """A service type's name in the reader's language (the model keeps both)."""
    return service.display_name(get_language()) if service else ""


@register.filter
def client_language(case):
    """The language the case's client reads: what is written for the client is marked so."""
    return selectors.client_language(case) if case else ""
