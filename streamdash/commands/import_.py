"""`streamdash import FILE [--into DIR]`: a collection from Postman, Insomnia, Bruno, OpenAPI,
Posting or a HAR file, written as the app writes one (core/importers)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from streamdash.exits import EXIT_OK, UsageError

__all__ = ["add_import_parser", "run_import"]


def add_import_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "import",
        help="import a Postman, Insomnia, Bruno, OpenAPI, Posting, HAR or .http collection",
        description="Import requests (and environments) from another tool into a collection "
        "folder. The format is read from the file: a Postman collection (v2.0/v2.1) or environment, "
        "an Insomnia export (v4 JSON, v5 YAML), a Bruno collection folder, an OpenAPI 3.0/3.1 "
        "document, a Posting collection folder, a HAR file, a .http/.rest file. Credentials found in requests go to the "
        "collection's git-ignored .secrets.toml, never into a request file.",
        epilog="Exit codes: 0 imported (warnings name what was left behind); 2 the file cannot be "
        "imported, or the folder cannot be written.",
    )
    parser.add_argument("source", metavar="FILE", help="the file (or folder, for Bruno and Posting)")
    parser.add_argument(
        "--into", metavar="DIR",
        help="the collection folder to import into (made when absent; default: your default "
        "collection, the one `streamdash` opens)",
    )
    return parser


def run_import(args: argparse.Namespace) -> int:
    from streamdash.core.collections.models import CollectionError
    from streamdash.core.config import Locations
    from streamdash.core.importers.detect import read_import
    from streamdash.core.importers.model import ImportRefused
    from streamdash.core.importers.save import save_import
    from streamdash.core.text import escape_controls

    target = Path(args.into).expanduser() if args.into else Locations.from_env().default_collection
    try:
        imported = read_import(Path(args.source))
    except ImportRefused as exc:
        raise UsageError(escape_controls(str(exc))) from None
    try:
        saved = save_import(imported, target)
    except CollectionError as exc:
        raise UsageError(escape_controls(str(exc))) from None
    except OSError as exc:
        raise UsageError(f"{target}: not written: {exc.strerror or exc}") from None
    for warning in saved.warnings:
        print(f"streamdash import: {escape_controls(warning)}", file=sys.stderr)
    print(f"{escape_controls(saved.summary())} (read as: {imported.format})")
    return EXIT_OK
