"""What every page's forms share."""

from __future__ import annotations

from django import forms

# Row ids as forms send them: digits only, within a 64-bit key.
MAX_ID = 2**63 - 1


def id_field(*, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(required=required, min_value=1, max_value=MAX_ID)


def first_error(form: forms.Form) -> str:
    """The first problem of a refused form, with its field's label, for a flash message."""
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{field.label}：" if field is not None and field.label else ""
        return f"{label}{errors[0]}"
    return ""
