"""Run saved REST requests in order, checking each answer: a smoke test from a collection.

A request file may declare what it expects and what it hands on (unknown keys of a request file
arrive in `SavedRequest.extra`, so these need no change to the models):

    expect_status = 201                 # or a list: expect_status = [200, 304]

    [[check]]                           # any number, each one selector and one test
    json = "items.0.id"                 # dotted path; whole numbers index arrays (-1 = last)
    equals = 1
    [[check]]
    json = "total"
    exists = true                       # exists = false: the path must be absent
    [[check]]
    header = "Content-Type"             # case-insensitive; repeated headers joined by ", "
    contains = "json"
    [[check]]
    body_contains = "ok"                # the body as text

    [capture]                           # variables for the requests after this one
    item_id = { json = "id" }
    etag = { header = "ETag" }

Tests: `equals` (JSON values compare as JSON; a header as a string), `contains` (a substring of a
string, a member of an array, a key of an object), `exists`. A selector with no test means
`exists = true`.

Decisions:
- Without `expect_status` a request passes only on a status below 400 (a `status < 400` check).
- `kind = "sse"` requests are not sent: they come back as a skipped step with a note.
- A step fails on a failed check, a failed capture, an unresolved `{{var}}` ("unknown variable
  'x'"), a transport error, or a malformed check/capture spec (reported, request not sent); any
  other exception while sending fails the step with one line too. The run always goes on; a
  step that needs a capture that failed fails with "unknown variable".
- Captured values become strings: strings as they are, anything else as compact JSON. One named
  like a secret (`token`, or captured from `access_token`) is a secret: masked in what is printed.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from streamdash.core.collections.models import SavedRequest, show
from streamdash.core.collections.template import MissingVariable, SecretValue
from streamdash.core.http.errors import describe_error
from streamdash.core.http.execute import Executor
from streamdash.core.http.prepare import PrepareError
from streamdash.core.http.secrets import is_secret_name, mask_secret_fields, mask_secrets, mask_urls
from streamdash.core.http.send import ResponseSummary
from streamdash.core.jsonpath import json_path

__all__ = ["CheckResult", "SpecError", "StepResult", "capture_values", "run_requests", "run_step"]

_MISSING = object()
_SELECTORS = ("json", "header", "body_contains")
_TESTS = ("equals", "contains", "exists")


class SpecError(ValueError):
    """A check or capture in a request file that makes no sense; one line."""


@dataclass(frozen=True)
class CheckResult:
    name: str  # e.g. `status 200`, `json items.0.id == 1`, `capture item_id`
    passed: bool
    detail: str = ""  # why it failed (empty when it passed)


@dataclass
class StepResult:
    name: str
    group: tuple[str, ...] = ()
    method: str = ""
    url: str = ""  # rendered, when rendering worked
    status: int | None = None
    elapsed_s: float = 0.0
    size: int = 0
    checks: list[CheckResult] = field(default_factory=list)
    captured: dict[str, str] = field(default_factory=dict)
    error: str | None = None  # one line
    skipped: bool = False
    note: str = ""  # why skipped; for a sent step the executor's note ("redirected to host:port")

    @property
    def label(self) -> str:
        """`group/name`, as a REQUEST argument of `streamdash run` may say it."""
        return "/".join((*self.group, self.name))

    @property
    def passed(self) -> bool:
        return self.error is None and all(check.passed for check in self.checks)

    @property
    def failures(self) -> list[CheckResult]:
        return [check for check in self.checks if not check.passed]

    def reason(self) -> str:
        """Why it failed, in one line (empty when it passed)."""
        if self.error is not None:
            return self.error
        return "; ".join(f"{c.name}: {c.detail}" if c.detail else c.name for c in self.failures)


# --- specs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Check:
    selector: str
    target: Any  # the path, header name or substring
    test: str
    expected: Any

    @property
    def name(self) -> str:
        if self.selector == "body_contains":
            return f"body contains {show(self.target)}"
        what = f"{self.selector} {self.target}"
        if self.test == "exists":
            return what if self.expected else f"{what} absent"
        op = "==" if self.test == "equals" else "contains"
        return f"{what} {op} {_show_json(self.expected)}"


def _statuses(extra: Mapping[str, Any]) -> list[int] | None:
    if "expect_status" not in extra:
        return None
    value = extra["expect_status"]
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, int) and not isinstance(v, bool) and 100 <= v <= 999
                             for v in values):
        raise SpecError(f"expect_status: must be a status code or a list of them, not {show(value)}")
    return values


def _checks(extra: Mapping[str, Any]) -> list[_Check]:
    raw = extra.get("check", [])
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise SpecError(f"check: must be [[check]] tables, not {show(raw)}")
    checks = []
    for number, spec in enumerate(raw, 1):
        where = f"check #{number}"
        if not isinstance(spec, dict):
            raise SpecError(f"{where}: must be a table, not {show(spec)}")
        selectors = [key for key in _SELECTORS if key in spec]
        unknown = [key for key in spec if key not in _SELECTORS and key not in _TESTS]
        if unknown:
            raise SpecError(f"{where}: unknown key '{unknown[0]}'")
        if len(selectors) != 1:
            raise SpecError(f"{where}: needs exactly one of json, header, body_contains")
        selector = selectors[0]
        target = spec[selector]
        if not isinstance(target, str):
            raise SpecError(f"{where}: {selector} must be a string, not {show(target)}")
        tests = [key for key in _TESTS if key in spec]
        if selector == "body_contains":
            if tests:
                raise SpecError(f"{where}: body_contains takes no {tests[0]}")
            checks.append(_Check(selector, target, "contains", target))
            continue
        if len(tests) > 1:
            raise SpecError(f"{where}: only one of equals, contains, exists")
        test = tests[0] if tests else "exists"
        expected = spec.get(test, True)
        if test == "exists" and not isinstance(expected, bool):
            raise SpecError(f"{where}: exists must be true or false, not {show(expected)}")
        checks.append(_Check(selector, target, test, expected))
    return checks


def _captures(extra: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    raw = extra.get("capture", {})
    if not isinstance(raw, dict):
        raise SpecError(f"capture: must be a table, not {show(raw)}")
    captures = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in ("json", "header"):
            raise SpecError(f"capture.{name}: must be {{ json = \"path\" }} or {{ header = \"Name\" }}")
        selector, target = next(iter(spec.items()))
        if not isinstance(target, str):
            raise SpecError(f"capture.{name}: {selector} must be a string, not {show(target)}")
        captures[name] = (selector, target)
    return captures


# --- evaluation --------------------------------------------------------------------------------


def _show_json(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = f'"{text}"' if isinstance(value, str) else text
    return text if len(text) <= 60 else text[:57] + "..."


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _header(response: ResponseSummary, name: str) -> str | Any:
    values = [v for k, v in response.headers if k.lower() == name.lower()]
    return ", ".join(values) if values else _MISSING


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return bool(a == b)


def _contains(haystack: Any, needle: Any) -> bool:
    if isinstance(haystack, str):
        return isinstance(needle, str) and needle in haystack
    if isinstance(haystack, list):
        return any(_same(item, needle) for item in haystack)
    if isinstance(haystack, dict):
        return isinstance(needle, str) and needle in haystack
    return False


class _Answer:
    """The response, with its body parsed as JSON once and only if a check asks."""

    def __init__(self, response: ResponseSummary) -> None:
        self.response = response
        self._json: Any = _MISSING
        self._json_error: str | None = None

    def json(self) -> Any:
        if self._json is _MISSING and self._json_error is None:
            try:
                self._json = json.loads(self.response.text())
            except ValueError:
                # A body that could not be decoded says why, not that it is not JSON.
                self._json_error = self.response.body_note or "response is not JSON"
        if self._json_error:
            raise SpecError(self._json_error)
        return self._json

    def select(self, selector: str, target: str) -> Any:
        if selector == "header":
            return _header(self.response, target)
        if selector == "json":
            return json_path(self.json(), target, _MISSING)
        return self.response.text()


def _run_check(check: _Check, answer: _Answer) -> CheckResult:
    try:
        got = answer.select(check.selector, check.target)
    except SpecError as exc:
        return CheckResult(check.name, False, str(exc))
    if check.test == "exists":
        present = got is not _MISSING
        if present == check.expected:
            return CheckResult(check.name, True)
        return CheckResult(check.name, False, "missing" if check.expected else f"got {_show_json(got)}")
    if got is _MISSING:
        return CheckResult(check.name, False, "missing")
    if check.selector == "header" and check.test == "equals":
        passed = got == _as_text(check.expected)
    elif check.test == "equals":
        passed = _same(got, check.expected)
    else:
        passed = _contains(got, check.expected)
    return CheckResult(check.name, passed, "" if passed else f"got {_show_json(got)}")


def _status_check(statuses: list[int] | None, status: int) -> CheckResult:
    if statuses is None:
        passed = status < 400
        return CheckResult("status < 400", passed, "" if passed else f"got {status}")
    name = "status " + " or ".join(str(s) for s in statuses)
    passed = status in statuses
    return CheckResult(name, passed, "" if passed else f"got {status}")


# --- running -----------------------------------------------------------------------------------


async def run_step(
    executor: Executor,
    req: SavedRequest,
    variables: Mapping[str, str],
    *,
    environ: Mapping[str, str] | None = None,
) -> StepResult:
    """Send one request and check its answer. Never raises for a bad request or answer.

    The request goes through `prepare()` like every other send: the collection's auth,
    transport and timeouts apply."""
    step = StepResult(req.name, req.group, req.method)
    if req.kind != "rest":
        step.skipped = True
        step.note = "SSE request: not run"
        return step
    try:
        statuses = _statuses(req.extra)
        checks = _checks(req.extra)
        captures = _captures(req.extra)
    except SpecError as exc:
        step.error = f"invalid spec: {exc}"
        return step
    try:
        prepared = executor.prepare(req, variables, environ=environ)
        step.url = prepared.masked_url
        execution = await executor.send(prepared, step.label)
        response = execution.summary
        step.note = execution.notes  # as the app's response line says it
    except PrepareError as exc:
        # Without the file name for a missing variable: the step's line says which request.
        step.error = f"{MissingVariable(exc.missing)} {exc.hint}".strip() if exc.missing else str(exc)
        return step
    except ValueError as exc:  # paging settings that cannot work
        step.error = " ".join(str(exc).split())
        return step
    except Exception as exc:  # a bug below us fails this step, not the run
        step.error = describe_error(exc)
        return step
    step.status, step.elapsed_s, step.size = response.status, response.elapsed_s, response.size
    if response.body_note:
        step.note = f"{step.note}; {response.body_note}" if step.note else response.body_note
    if response.error is not None or response.status is None:
        step.error = " ".join((response.error or "no response").split())
        return _masked(step, execution.secrets)
    answer = _Answer(response)
    step.checks.append(_status_check(statuses, response.status))
    step.checks.extend(_run_check(check, answer) for check in checks)
    step.captured, failed = _take_captures(captures, answer)
    step.checks.extend(failed)
    captured = frozenset(v for v in step.captured.values() if isinstance(v, SecretValue))
    return _masked(step, execution.secrets | captured)


def _take_captures(captures: Mapping[str, tuple[str, str]], answer: _Answer) -> tuple[dict[str, str], list[CheckResult]]:
    """The values the [capture] table takes from an answer, and a failed check for each it could
    not. A captured token is a secret (a SecretValue): later requests know it by value, and so
    does what is printed (a failing check may quote the same field)."""
    values: dict[str, str] = {}
    failed: list[CheckResult] = []
    for name, (selector, target) in captures.items():
        label = f"capture {name}"
        try:
            value = answer.select(selector, target)
        except SpecError as exc:
            failed.append(CheckResult(label, False, str(exc)))
            continue
        if value is _MISSING:
            failed.append(CheckResult(label, False, f"{selector} {target} missing"))
        elif is_secret_name(name) or is_secret_name(target):
            values[name] = SecretValue(_as_text(value))
        else:
            values[name] = _as_text(value)
    return values, failed


def capture_values(request: SavedRequest, response: ResponseSummary) -> tuple[dict[str, str], list[CheckResult]]:
    """What `request`'s [capture] takes from an answer it got: the one rule a run and a single
    send in the app share. A malformed [capture] is one failed result, not an exception."""
    try:
        captures = _captures(request.extra)
    except SpecError as exc:
        return {}, [CheckResult("capture", False, f"invalid spec: {exc}")]
    if not captures or response.status is None:
        return {}, []
    return _take_captures(captures, _Answer(response))


def _masked(step: StepResult, secrets: frozenset[str]) -> StepResult:
    """The step as it may be printed: a check's detail quotes the answer, and an echo server
    answers with the token it was sent. Captured values stay real (later requests send them)."""
    step.url = mask_secrets(step.url, secrets)
    if step.error is not None:
        step.error = mask_urls(mask_secrets(step.error, secrets))
    step.checks = [
        dataclasses.replace(check, detail=mask_secret_fields(mask_secrets(check.detail, secrets)))
        if check.detail else check
        for check in step.checks
    ]
    return step


async def run_requests(
    executor: Executor,
    requests: Sequence[SavedRequest],
    variables: Mapping[str, str],
    *,
    environ: Mapping[str, str] | None = None,
) -> AsyncGenerator[StepResult, None]:
    """Send `requests` in order, yielding each step's result as soon as it is known.

    `variables` is not changed: captures go into a copy, visible to the later requests of this
    run only.
    """
    current = dict(variables)
    for req in requests:
        try:
            step = await run_step(executor, req, current, environ=environ)
        except Exception as exc:  # a check that trips over a bug: still a line
            step = StepResult(req.name, req.group, req.method, error=describe_error(exc))
        current.update(step.captured)
        yield step
