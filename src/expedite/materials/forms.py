"""The inputs of the material pre-review: an upload for one checklist item (with the fields
that item asks for) and the reviewer's verdict on each item. Values are checked by the
services (dates, wage bases, verdicts)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def _text() -> forms.CharField:
    return forms.CharField(required=False, strip=False, max_length=2000)


class UploadForm(forms.Form):
    item = forms.CharField(max_length=64, error_messages={"required": _("请选择材料项目和文件。")})
    file = forms.FileField(error_messages={"required": _("请选择材料项目和文件。")})

    def __init__(self, data, files, *, checklist):
        super().__init__(data, files)
        self.materials = {m.code: m for m in checklist}
        self.material = self.materials.get(data.get("item", ""))
        if self.material is not None:
            for name in self.field_names(self.material):
                self.fields[name] = _text()

    @staticmethod
    def field_names(material) -> list[str]:
        """The values an item asks for (a wage base also asks for its city)."""
        return [*material.fields, *(("city",) if "wage_base" in material.fields else ())]

    def clean_item(self) -> str:
        if self.cleaned_data["item"] not in self.materials:
            raise forms.ValidationError(_("请选择材料项目和文件。"))
        return self.cleaned_data["item"]

    def posted_fields(self) -> dict[str, str]:
        return {n: self.cleaned_data[n] for n in self.field_names(self.material)}


class ReviewForm(forms.Form):
    """One verdict, reason and date per checklist item."""

    def __init__(self, data, *, checklist):
        super().__init__(data)
        self.codes = [m.code for m in checklist]
        for code in self.codes:
            for part in ("verdict", "reason", "date"):
                self.fields[f"{part}-{code}"] = _text()

    def verdicts(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        return {c: {p: data[f"{p}-{c}"] for p in ("verdict", "reason", "date")} for c in self.codes}
