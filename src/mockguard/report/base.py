"""The formatter interface: a pure function from a report to text, no I/O."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockguard.report.model import ScanReport

if TYPE_CHECKING:
    from mockguard.scan.shapes import Cluster


@dataclass(frozen=True)
class FormatOptions:
    """How a report is rendered."""

    color: bool = False
    explain: bool = False
    quiet: bool = False
    summary_only: bool = False
    width: int = 100
    # Text: list each compliant factory call after the findings (JSON always lists them).
    show_compliant: bool = False


@dataclass(frozen=True)
class ProjectInfo:
    """What the HTML page's header names: the project, where its code stands in git, when
    it was scanned. Empty fields are left out of the page."""

    name: str = ""
    commit: str = ""
    branch: str = ""
    # When the scan ran, as an ISO 8601 date and time.
    scanned_at: str = ""


@dataclass(frozen=True)
class ReportExtras:
    """What only the HTML page shows beyond a scan: the duplicate-setup clusters, the
    trend over git history (rows of `mockguard history`) and the project it is about."""

    clusters: Sequence[Cluster] | None = None
    history: Sequence[Mapping[str, Any]] | None = None
    project: ProjectInfo | None = None


class Formatter(ABC):
    """Renders a :class:`ScanReport` in one format."""

    def __init__(self, options: FormatOptions, extras: ReportExtras | None = None) -> None:
        self.options = options
        self.extras = extras or ReportExtras()

    @abstractmethod
    def format(self, report: ScanReport) -> str:
        """The whole report as text."""
