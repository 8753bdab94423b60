"""The OpenAPI document and a readable page made from it (no script, nothing from a CDN)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template

bp = Blueprint("api", __name__, url_prefix="/api/v1")

_METHODS = ("get", "post", "put", "patch", "delete")


def spec() -> dict[str, Any]:
    """The OpenAPI 3 document generated from the API's schemas and views."""
    return current_app.extensions["registry-api"].spec.to_dict()


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(spec())


def _ref_name(schema: dict[str, Any] | None) -> str | None:
    ref = (schema or {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] or None


def _type(schema: dict[str, Any]) -> str:
    """A short readable type: 'string (uuid)', 'array of PersonSchema', 'poor | near_poor'."""
    if "$ref" in schema:
        return _ref_name(schema) or ""
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"] if v is not None)
    if schema.get("type") == "array":
        return f"array of {_type(schema.get('items', {}))}"
    kind = schema.get("type", "object")
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    components = document.get("components", {}).get("responses", {})
    items = []
    for path, entry in document.get("paths", {}).items():
        for method in _METHODS:
            operation = entry.get(method)
            if operation is None:
                continue
            responses = []
            for status, response in operation.get("responses", {}).items():
                if "$ref" in response:
                    response = components.get(_ref_name(response) or "", {})
                content = next(iter(response.get("content", {}).items()), (None, {}))
                responses.append(
                    {
                        "status": status,
                        "description": response.get("description", ""),
                        "media": content[0],
                        "schema": _ref_name(content[1].get("schema")),
                    }
                )
            responses.sort(key=lambda r: (r["status"] == "default", r["status"]))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            items.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "tag": (operation.get("tags") or [""])[0],
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {**p, "type": _type(p.get("schema", {}))}
                        for p in entry.get("parameters", []) + operation.get("parameters", [])
                    ],
                    "body": _ref_name(body.get("schema")) if body else None,
                    "responses": responses,
                }
            )
    return items


def _schemas(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        found.append(
            {
                "name": name,
                "properties": [
                    {
                        "name": prop,
                        "type": _type(value),
                        "nullable": value.get("nullable", False),
                        "required": prop in required,
                        "description": value.get("description", ""),
                    }
                    for prop, value in schema.get("properties", {}).items()
                ],
            }
        )
    return found


@bp.get("/docs")
def docs():
    """The API reference for people: every operation, its parameters, answers and schemas."""
    document = spec()
    return render_template(
        "api/docs.html",
        info=document["info"],
        operations=_operations(document),
        schemas=_schemas(document),
    )
