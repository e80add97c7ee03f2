"""`streamdash export COLLECTION --to postman|http [--output FILE]`: the collection for Postman
(v2.1) or a `.http` file, as saved (placeholders, never a secret's value)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from streamdash.exits import EXIT_OK, UsageError

__all__ = ["add_export_parser", "run_export"]


def add_export_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "export",
        help="write a collection as a Postman v2.1 collection or a .http file",
        description="Write a collection for another tool: a Postman v2.1 collection (JSON) or a "
        ".http file (JetBrains HTTP Client, VS Code REST Client). Requests are written as saved, "
        "{{variables}} and all: no value from the secrets file or the environment.",
        epilog="Exit codes: 0 written; 2 no such collection, or the file cannot be written.",
    )
    parser.add_argument("collection", metavar="COLLECTION", help="the collection folder")
    parser.add_argument("--to", choices=("postman", "http"), default="postman", help="the format (default: postman)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write here (whole or not at all); default: stdout")
    return parser


def run_export(args: argparse.Namespace) -> int:
    from streamdash.core.collections.storage import atomic_write
    from streamdash.core.exporters.collection import export_collection
    from streamdash.core.text import escape_controls

    root = Path(args.collection).expanduser()
    if not root.is_dir():
        raise UsageError(f"collection folder not found: {root}")
    text, left_out = export_collection(root, args.to)
    for line in left_out:
        print(f"streamdash export: left out: {escape_controls(line)}", file=sys.stderr)
    if args.output:
        try:
            atomic_write(Path(args.output).expanduser(), text)
        except OSError as exc:
            raise UsageError(f"{args.output}: not written: {exc.strerror or exc}") from None
        print(f"streamdash export: wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK
