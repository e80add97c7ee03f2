"""Bruno's declarative checks as streamdash's: `vars:post-response` (a value taken from the
response for the requests after it) becomes `[capture]`, and `assert` lines become
`expect_status` and `[[check]]` tables, so `streamdash run` passes and fails the same requests
Bruno's runner does.

    vars:post-response {            ->  [capture]
      orderId: res.body.order.id        orderId = { json = "order.id" }
      reqId: res.headers["x-req"]       reqId = { header = "x-req" }
    }
    assert {                        ->  expect_status = 201
      res.status: eq 201                [[check]] json = "order.state", equals = "open"
      res.body.order.state: eq "open"
    }

Bruno's operators with a streamdash test are mapped (eq, contains, isDefined, isUndefined, and
`in [...]` for the status); any other line, or a value computed by a script, is named in a warning.
"""

from __future__ import annotations

import json
import re
from typing import Any

from streamdash.core.importers.model import Imported

__all__ = ["read_asserts", "read_captures"]

_BODY = re.compile(r"\$?res\.body((?:\.[A-Za-z_$][\w$-]*|\[\d+\]|\[\"[^\"]*\"\]|\['[^']*'\])*)$")
_HEADER = re.compile(r"""\$?res\.headers(?:\.([\w-]+)|\[["']([^"']+)["']\])$""")
_STEP = re.compile(r"\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[\"([^\"]*)\"\]|\['([^']*)'\]")


def _selector(expression: str) -> tuple[str, str] | None:
    """`res.body.items[0].id` -> ("json", "items.0.id"); `res.headers.x-id` -> ("header", "x-id")."""
    expression = expression.strip()
    if (body := _BODY.match(expression)) is not None:
        steps = [next(g for g in m.groups() if g is not None) for m in _STEP.finditer(body[1])]
        if not steps or any("." in step for step in steps):
            return None  # the whole body, or a key with a dot our paths cannot name
        return "json", ".".join(steps)
    if (header := _HEADER.match(expression)) is not None:
        return "header", header[1] or header[2]
    return None


def _value(text: str) -> Any:
    """A Bruno operand: JSON when it reads as JSON (`200`, `"open"`, `true`), else the text."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        return text


def read_captures(table: dict[str, str], imported: Imported, where: str) -> dict[str, dict[str, str]]:
    captures: dict[str, dict[str, str]] = {}
    for key, expression in table.items():
        if key.startswith("~"):
            continue
        name = key.lstrip("@")
        selector = _selector(expression)
        if selector is None:
            imported.warn(f"{where}: vars:post-response {name}: {expression} is not a response field "
                          "streamdash can capture: left out")
            continue
        captures[name] = {selector[0]: selector[1]}
    return captures


def read_asserts(table: dict[str, str], imported: Imported, where: str) -> tuple[Any, list[dict[str, Any]]]:
    """(expect_status or None, the checks)."""
    status: Any = None
    checks: list[dict[str, Any]] = []
    for key, line in table.items():
        if key.startswith("~"):
            continue
        operator, _, operand = line.strip().partition(" ")
        if operator and not operator.isalpha():  # the older form: `res.status: 200`
            operator, operand = "eq", line
        where_line = f"{where}: assert {key}: {line.strip()}"
        if key.lstrip("$") == "res.status":
            value = _value(operand)
            if operator == "eq" and isinstance(value, int):
                status = value
                continue
            if operator == "in" and isinstance(value, list) and all(isinstance(v, int) for v in value):
                status = value
                continue
            imported.warn(f"{where_line} has no streamdash equivalent: left out")
            continue
        selector = _selector(key)
        test: dict[str, Any] | None = None
        if selector is not None:
            if operator == "eq":
                test = {"equals": _value(operand)}
            elif operator == "contains":
                test = {"contains": _value(operand)}
            elif operator in ("isDefined", "isUndefined") and not operand:
                test = {"exists": operator == "isDefined"}
        if test is None or selector is None:
            imported.warn(f"{where_line} has no streamdash equivalent: left out")
            continue
        if selector[0] == "header" and "equals" in test:
            test = {"equals": str(test["equals"])}
        checks.append({selector[0]: selector[1], **test})
    return status, checks
