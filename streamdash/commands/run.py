"""`streamdash run COLLECTION [REQUEST ...]`: run a collection's REST requests and check them.

One line per request on stdout (text or JSON lines), a summary on stderr. Exit codes: 0 every
step passed, 1 a check, a capture or a request failed, 2 usage error (no such collection folder,
request or environment), 130 Ctrl-C. Checks and captures are declared in the request files: see
`streamdash.core.run`. A request with no checks passes on a status below 400.

Options may come before, between or after the REQUEST names (`run COLL a --env ci b`). `--var
NAME=VALUE` overrides a variable on top of the collection's and the environment's (the same
`collection_variables` that `tail --collection` uses); a secret-named one is masked like the
secrets file's values.

Kept cheap to import (the CLI imports it to build its parser): httpx and the core load lazily.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from streamdash.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError

if TYPE_CHECKING:
    from streamdash.core.collections.models import Collection, SavedRequest
    from streamdash.core.http.cookies import CookieJar
    from streamdash.core.run import StepResult

__all__ = ["add_run_parser", "run_collection"]


class _RunParser(argparse.ArgumentParser):
    """The `run` subparser: REQUEST names after an option are REQUEST names too.

    argparse consumes a `nargs="*"` positional once, so in `run COLL --env ci a b` the names
    after `--env` come back unrecognised; they are taken as REQUESTs here. (`parse_intermixed_
    args` cannot be used: the top-level parser has subparsers.) Unknown options stay errors."""

    def parse_known_args(self, args=None, namespace=None):
        namespace, extras = super().parse_known_args(args, namespace)
        names = [arg for arg in extras if not arg.startswith("-") or arg == "-"]
        if names:
            namespace.requests = [*(getattr(namespace, "requests", None) or []), *names]
            extras = [arg for arg in extras if arg not in names]
        return namespace, extras


def variable_override(text: str) -> tuple[str, str]:
    """`NAME=VALUE` of `--var` (VALUE may be empty and may hold `=`)."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name or any(c.isspace() or c in "{}" for c in name):
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def add_run_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    run: argparse.ArgumentParser = subparsers.add_parser(
        "run",
        help="run a collection's REST requests and check the answers (for CI)",
        description="Send a collection's REST requests in order, run the checks declared in "
        "their files (expect_status, [[check]]) and pass [capture]d values on to later requests.",
        epilog="Exit codes: 0 every check passed; 1 a check or request failed; 2 usage error "
        "(missing collection, unknown request or environment); 130 Ctrl-C. A request without "
        "expect_status must answer with a status below 400.",
    )
    run.add_argument("collection", metavar="COLLECTION", help="the collection folder")
    run.add_argument(
        "requests",
        nargs="*",
        metavar="REQUEST",
        help="requests to run, by name or group/name (default: every REST request, in "
        "collection order)",
    )
    run.__class__ = type("RunParser", (_RunParser, type(run)), {})  # keep the CLI's error()
    run.add_argument("--env", metavar="NAME", help="use the variables of env/NAME.toml")
    run.add_argument(
        "--var",
        dest="overrides",
        action="append",
        type=variable_override,
        default=[],
        metavar="NAME=VALUE",
        help="set variable NAME for this run, over the collection's and --env's (repeatable)",
    )
    run.add_argument(
        "--junit",
        metavar="FILE",
        type=Path,
        help="also write a JUnit XML report to FILE (written whole, at the end of the run)",
    )
    run.add_argument(
        "--cookies",
        metavar="FILE",
        type=Path,
        help="start from the cookies in FILE (Netscape format, as curl -b/-c writes it) and "
        "write the jar back to it at the end, mode 0600; without it a run starts with no cookies",
    )
    run.add_argument(
        "--format",
        choices=("text", "jsonl"),
        default="text",
        help="text: one line per request (default); jsonl: one JSON object per request",
    )
    return run


_TIME_WIDTH = len("99999 ms")
_SIZE_WIDTH = len("1023.9 KiB")


def _line(step: StepResult, name_width: int = 0) -> str:
    """`VERDICT  NAME  STATUS  TIME  SIZE  reason (note)`, the name padded to `name_width` (the
    widest label of the run, known before the first request goes) and time and size right-aligned,
    so the columns line up while each line is still printed as soon as its request is done."""
    from rich.cells import cell_len

    from streamdash.core.text import escape_controls

    label = escape_controls(step.label)
    label += " " * max(0, name_width - cell_len(label))
    if step.skipped:
        parts = ["SKIP", label, "---", " " * _TIME_WIDTH, " " * _SIZE_WIDTH, f"({step.note})"]
        return escape_controls("  ".join(parts)).rstrip()
    verdict = "PASS" if step.passed else "FAIL"
    status = str(step.status) if step.status is not None else "---"
    took = f"{step.elapsed_s * 1000:.0f} ms".rjust(_TIME_WIDTH)
    parts = [verdict, label, status.ljust(3), took, _size(step.size).rjust(_SIZE_WIDTH)]
    reason = "" if step.passed else step.reason()
    if reason:
        parts.append(reason)
    if step.note and step.note not in reason:  # a raw body's reason may be the failure already
        parts.append(f"({step.note})")
    return escape_controls("  ".join(parts)).rstrip()


def label_width(requests: list[SavedRequest]) -> int:
    """The widest `group/name` of the requests to run, in terminal cells."""
    from rich.cells import cell_len

    from streamdash.core.text import escape_controls

    return max((cell_len(escape_controls("/".join((*r.group, r.name)))) for r in requests), default=0)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / 1024 / 1024:.1f} MiB"


def _record(step: StepResult) -> dict[str, object]:
    """A step as JSON. Captured values are left out (they are often tokens): only their names."""
    return {
        "name": step.name,
        "group": list(step.group),
        "method": step.method,
        "url": step.url,
        "status": step.status,
        "elapsed_s": round(step.elapsed_s, 6),
        "size": step.size,
        "passed": step.passed,
        "skipped": step.skipped,
        "error": step.error,
        "note": step.note,
        "checks": [
            {"name": c.name, "passed": c.passed, "detail": c.detail} for c in step.checks
        ],
        "captured": sorted(step.captured),
    }


async def _run_all(
    collection: Collection,
    requests: list[SavedRequest],
    variables: dict[str, str],
    fmt: str,
    out: TextIO,
    err: TextIO,
    junit: Path | None = None,
    cookies: Path | None = None,
    jar: CookieJar | None = None,
    env_name: str | None = None,
) -> int:
    from contextlib import aclosing

    from streamdash.commands.pipes import say_on_stderr
    from streamdash.core.collections.storage import write_private
    from streamdash.core.http.execute import Executor, load_collection_settings
    from streamdash.core.http.transport import ClientPool
    from streamdash.core.run import run_requests

    steps_done: list[StepResult] = []
    width = label_width(requests)
    passed = failed = skipped = 0
    start = time.perf_counter()
    settings = load_collection_settings(collection.root)
    for problem in settings.errors:
        print(f"streamdash run: {problem}", file=err, flush=True)
    executor = Executor(ClientPool(), settings, collection_root=collection.root)
    executor.env_name = env_name
    executor.tokens.prompt = say_on_stderr  # a device sign-in's code and URL
    if jar is not None:
        executor.cookies = jar
    interrupted = False
    try:
        async with aclosing(run_requests(executor, requests, variables)) as steps:
            async for step in steps:
                steps_done.append(step)
                if step.skipped:
                    skipped += 1
                elif step.passed:
                    passed += 1
                else:
                    failed += 1
                if fmt == "jsonl":
                    out.write(json.dumps(_record(step), ensure_ascii=False) + "\n")
                else:
                    out.write(_line(step, width) + "\n")
                out.flush()
    except asyncio.CancelledError:  # Ctrl+C: the report and the jar still get what ran
        interrupted = True
    finally:
        await executor.aclose()
    took = time.perf_counter() - start
    if cookies is not None:
        try:
            write_private(cookies, executor.cookies.netscape_text())  # sync and small: the run is over
        except OSError as exc:
            print(f"streamdash run: {cookies}: cookies not written: {exc.strerror or exc}", file=err, flush=True)
            failed += 1
    summary = f"{passed} passed, {failed} failed"
    if skipped:
        summary += f", {skipped} skipped"
    if interrupted:
        summary = f"interrupted after {len(steps_done)} of {len(requests)} requests: {summary}"
    print(f"streamdash run: {summary} in {took:.2f} s", file=err, flush=True)
    if junit is not None:
        from streamdash.commands.run_junit import junit_xml, write_junit

        try:
            write_junit(junit, junit_xml(collection.name or collection.root.name, steps_done, took))
        except OSError as exc:
            print(f"streamdash run: JUnit report not written: {junit}: {exc.strerror or exc}",
                  file=err, flush=True)
            return EXIT_FAILED
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAILED if failed else EXIT_OK


def run_collection(args: argparse.Namespace) -> int:
    """The `run` command; raises UsageError for exit 2 (as the other commands do)."""
    from streamdash.commands.collections import collection_variables, select_requests
    from streamdash.commands.pipes import run_async
    from streamdash.core.collections.storage import load_collection
    from streamdash.core.text import escape_controls

    root = Path(args.collection)
    if not root.is_dir():
        raise UsageError(f"collection folder not found: {root}")
    collection = load_collection(root)
    for error in collection.errors:
        print(f"streamdash run: skipped {escape_controls(str(error))}", file=sys.stderr)
    requests = select_requests(collection, args.requests)
    if not requests:
        raise UsageError(f"no REST requests in {root}")
    variables = collection_variables(collection, args.env)
    variables.update(_overrides(getattr(args, "overrides", None) or [], variables))
    cookies: Path | None = getattr(args, "cookies", None)
    jar = None
    if cookies is not None:
        from streamdash.core.http.cookies import CookieFileError, CookieJar

        jar = CookieJar()
        try:
            if cookies.exists():  # else it is made at the end, as curl -c makes it
                jar.load(cookies)
        except CookieFileError as exc:
            raise UsageError(str(exc)) from None
    return run_async(
        lambda: _run_all(
            collection, requests, variables, args.format, sys.stdout, sys.stderr,
            getattr(args, "junit", None), cookies, jar, args.env,
        )
    )


def _overrides(pairs: list[tuple[str, str]], current: dict[str, str]) -> dict[str, str]:
    """`--var` values, the last one of a name winning. One that is secret-named, or replaces a
    secret (a secrets file's value), is a `SecretValue`: known by value to `prepare()`, so
    masked wherever the run prints it."""
    from streamdash.core.collections.template import SecretValue
    from streamdash.core.http.secrets import is_secret_name

    def secret(name: str) -> bool:
        return is_secret_name(name) or isinstance(current.get(name), SecretValue)

    return {name: SecretValue(value) if value and secret(name) else value for name, value in pairs}
