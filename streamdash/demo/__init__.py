"""The embedded demo API, so ``streamdash demo`` works offline on a fresh machine."""

from streamdash.demo.app import create_app
from streamdash.demo.server import DemoServer

__all__ = ["DemoServer", "create_app"]
