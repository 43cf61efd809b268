from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.8333 → 83.3%; None → —."""
    if value is None or value == "":
        return "—"
    v = float(value) * 100
    return f"{v:.0f}%" if abs(v - round(v)) < 0.05 else f"{v:.1f}%"
