"""`python -m streamdash` is the same as the `streamdash` command."""

from streamdash.cli import main

raise SystemExit(main())
