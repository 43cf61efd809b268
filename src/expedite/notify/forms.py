from __future__ import annotations

from django import forms

from expedite.common.forms import id_field


class MessageForm(forms.Form):
    """One message marked read, or (blank) all of them."""

    pk = id_field(required=False)
