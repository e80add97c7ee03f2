"""`streamdash run --junit FILE`: the run's steps as a JUnit XML report, for CI test views.

One <testsuite> named for the collection, one <testcase> per request (name = the request's
group/name, time = its elapsed seconds); a failed step has a <failure> with its one-line reason,
a skipped one <skipped>. Written atomically (a temporary file beside it, then os.replace): a
reader never sees half a report, and a failed write leaves the old file as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streamdash.core.run import StepResult

__all__ = ["junit_xml", "write_junit"]


def junit_xml(suite: str, steps: Sequence[StepResult], took_s: float) -> bytes:
    """The report as UTF-8 XML bytes (the step's texts are already masked by the run)."""
    failures = sum(1 for s in steps if not s.skipped and not s.passed)
    skipped = sum(1 for s in steps if s.skipped)
    root = ET.Element(
        "testsuite",
        name=suite,
        tests=str(len(steps)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
        time=f"{took_s:.3f}",
    )
    for step in steps:
        case = ET.SubElement(
            root,
            "testcase",
            name=step.label,
            classname=suite,
            time=f"{step.elapsed_s:.3f}",
        )
        if step.skipped:
            ET.SubElement(case, "skipped", message=step.note)
        elif not step.passed:
            reason = step.reason() or "failed"
            failure = ET.SubElement(case, "failure", message=reason)
            failure.text = "\n".join(
                part for part in (f"{step.method} {step.url}".strip(), reason, step.note) if part
            )
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_junit(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically; raises OSError (the caller says it in one line)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
