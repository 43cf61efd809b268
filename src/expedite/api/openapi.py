"""The API's schema tells every answer an operation can give, errors included.

django-ninja documents the answers each operation declares; the refusals every operation
shares (no token, a body that is not JSON, a field that fails its schema, an object that is
not the caller's, a refused CSRF check or role) come from handlers in `routes` and are added
here, with the one error body they all use (`ErrorOut`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from ninja import Field, NinjaAPI, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser

# Paging bounds: a page of at most the configured rows, an offset a signed 32-bit integer holds.
MAX_LIMIT = settings.NINJA_PAGINATION_MAX_LIMIT
MAX_OFFSET = 2**31 - 1

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}

# Answer → (when it applies, its description).
_COMMON = {
    "401": ("always", "未提供有效的 API 令牌"),
    "403": ("always", "无权执行（角色、审批权限，或会话请求缺少 CSRF 令牌）"),
    "429": ("always", "请求过于频繁"),
    "400": ("body", "请求内容不是有效的 JSON"),
    "422": ("input", "字段缺失、格式不正确，或业务规则不允许"),
    "404": ("path", "对象不存在或不属于调用者"),
}


def _applies(when: str, operation: dict[str, Any]) -> bool:
    params = operation.get("parameters", [])
    if when == "always":
        return True
    if when == "body":
        return "requestBody" in operation
    if when == "input":
        return "requestBody" in operation or bool(params)
    return any(p.get("in") == "path" for p in params)


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Adds the shared error answers to every operation of `schema` (in place)."""
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status, (when, description) in _COMMON.items():
                if status not in responses and _applies(when, operation):
                    responses[status] = {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR_REF}},
                    }
    return schema


class DocumentedAPI(NinjaAPI):
    """NinjaAPI whose schema lists the shared error answers too."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)


class BoundedLimitOffset(LimitOffsetPagination):
    """Limit/offset paging whose numbers fit the database: an offset past any 64-bit integer
    reached the SQL driver and answered 500; now it is a 422 like any other bad field."""

    class Input(Schema):
        limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ObjectParser(Parser):
    """Every request body of the API is a JSON object. Anything else (`[null, null]`, a bare
    number) used to pass as an object with every field at its default; now it is the 400 of a
    body that cannot be read."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the request body is not a JSON object")
        return data
