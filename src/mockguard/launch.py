"""The `mockguard` command's entry point.

A warm `scan --summary` whose files and settings are all as its last run found them is
answered from that run's record (:mod:`mockguard.scan.replay`), before the command line and
the scanner are imported; everything else runs through :mod:`mockguard.cli`.
"""

from __future__ import annotations

import sys


def run() -> None:
    """The console script."""
    args = sys.argv[1:]
    if args[:1] == ["scan"] and "--summary" in args:  # only such scans are ever recorded
        from mockguard.scan.replay import replay

        status = replay(args)
        if status is not None:
            sys.exit(status)
    from mockguard.cli import run as run_cli

    run_cli()
