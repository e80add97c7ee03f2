"""Exit codes and the usage error, shared by every command.

Their own module, below the CLI and the commands, so a command never imports the CLI that
imports it.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_MATCHED = 3  # `tail --until EXPR`: an event matched (printed before the exit)
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A bad argument, found after parsing (a malformed URL, an unreadable body file)."""
