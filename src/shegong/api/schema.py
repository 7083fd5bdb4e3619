"""Schema post-processing: every operation documents the error answers the API gives, so
that a client (and the fuzz run in tests/test_fuzz.py) can tell a refusal from a fault."""

from __future__ import annotations

from typing import Any

ERROR_BODY = {
    "description": "",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "additionalProperties": True,
                "description": "字段名(或 detail、non_field_errors)对应的中文说明",
            }
        }
    },
}
ERRORS = {
    "400": "输入有误:各字段的中文说明",
    "401": "未登录或令牌无效",
    "403": "没有权限",
    "404": "不存在,或不在您的管辖范围内",
    "429": "请求过于频繁",
}


def document_errors(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(code, {**ERROR_BODY, "description": description})
    return result
