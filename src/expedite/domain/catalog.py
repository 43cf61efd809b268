"""The service catalog: what the firm offers, as plain values.

A catalog is YAML (see docs/catalog.md). Loading validates every entry and
names the file and the key of the first problem, so a firm editing its own
catalog gets a message it can act on.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import CatalogError

CODE_RE = re.compile(r"^[a-z][a-z0-9-]{1,62}$")


class Category(enum.StrEnum):
    BUSINESS = "business"  # 工商
    TAX = "tax"  # 税务
    LICENSE = "license"  # 许可
    SOCIAL = "social"  # 社保
    IP = "ip"  # 知识产权


CATEGORY_NAMES_ZH = {
    Category.BUSINESS: "工商",
    Category.TAX: "税务",
    Category.LICENSE: "许可",
    Category.SOCIAL: "社保",
    Category.IP: "知识产权",
}


@dataclass(frozen=True, slots=True)
class ServiceType:
    code: str
    name_zh: str
    name_en: str
    category: Category
    standard_workdays: int
    milestones: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True, slots=True)
class Catalog:
    services: tuple[ServiceType, ...]

    def get(self, code: str) -> ServiceType:
        for service in self.services:
            if service.code == code:
                return service
        raise KeyError(code)


def _require(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise CatalogError(f"{where}: 缺少必填字段 “{key}”。", field=key)
    return entry[key]


def parse_catalog(text: str, *, source: str = "<catalog>") -> Catalog:
    """Parse and validate catalog YAML; raise `CatalogError` naming source and key."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{source}: YAML 格式错误：{exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), list):
        raise CatalogError(f"{source}: 顶层应为包含 “services” 列表的映射。")
    services: list[ServiceType] = []
    seen: set[str] = set()
    for index, entry in enumerate(doc["services"]):
        where = f"{source}: services[{index}]"
        if not isinstance(entry, dict):
            raise CatalogError(f"{where}: 应为映射。")
        code = str(_require(entry, "code", where))
        where = f"{source}: services.{code}"
        if not CODE_RE.match(code):
            raise CatalogError(f"{where}.code: 代码只能使用小写英文字母、数字和连字符。")
        if code in seen:
            raise CatalogError(f"{where}.code: 代码重复。")
        seen.add(code)
        try:
            category = Category(_require(entry, "category", where))
        except ValueError as exc:
            allowed = "、".join(c.value for c in Category)
            raise CatalogError(f"{where}.category: 未知类别，可选：{allowed}。") from exc
        days = _require(entry, "standard_workdays", where)
        if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
            raise CatalogError(f"{where}.standard_workdays: 应为正整数（工作日）。")
        milestones = entry.get("milestones") or []
        if not isinstance(milestones, list) or not all(isinstance(m, str) for m in milestones):
            raise CatalogError(f"{where}.milestones: 应为文字列表。")
        services.append(
            ServiceType(
                code=code,
                name_zh=str(_require(entry, "name_zh", where)),
                name_en=str(_require(entry, "name_en", where)),
                category=category,
                standard_workdays=days,
                milestones=tuple(milestones),
                description=str(entry.get("description", "")),
            )
        )
    if not services:
        raise CatalogError(f"{source}: 目录中没有任何服务事项。")
    return Catalog(services=tuple(services))
