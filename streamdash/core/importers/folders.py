"""A folder to import: Bruno's (`bruno.json` or `.bru` files) or Posting's (`*.posting.yaml`)."""

from __future__ import annotations

from pathlib import Path

from streamdash.core.importers.model import Imported, ImportRefused

__all__ = ["read_folder"]


def read_folder(root: Path) -> Imported:
    if (root / "bruno.json").is_file() or next(root.rglob("*.bru"), None) is not None:
        from streamdash.core.importers.bruno import read_bruno_folder

        return read_bruno_folder(root)
    if next(root.rglob("*.posting.yaml"), None) is not None:
        from streamdash.core.importers.posting import read_posting_folder

        return read_posting_folder(root)
    raise ImportRefused(f"{root}: a folder with neither Bruno (.bru) nor Posting (.posting.yaml) requests")
