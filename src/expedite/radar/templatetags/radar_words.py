from django import template

from expedite.radar.words import obligation_text

register = template.Library()


@register.filter
def obligation(text: str) -> str:
    """An obligation's name, consequence or basis in the page's language."""
    return obligation_text(str(text or ""))
