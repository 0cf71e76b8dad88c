"""The `mockguard` command's entry point.

A warm `scan --summary` whose files and settings are all as its last run found them is
answered from that run's record (:mod:`mockguard.scan.replay`), before the command line and
the scanner are imported; everything else runs through :mod:`mockguard.cli`.
"""

from __future__ import annotations

import sys


def run() -> None:
    """The console script."""
    from mockguard.scan.replay import replay

    status = replay(sys.argv[1:])
    if status is not None:
        sys.exit(status)
    from mockguard.cli import run as run_cli

    run_cli()
