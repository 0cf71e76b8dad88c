"""A table with a title, drawn as Rich draws it, for the text report.

:class:`TableSpec` says what a table holds. Without colour, :func:`plain_table` draws it
character for character as a Rich ``Table`` with its default box (``HEAVY_HEAD``) and
padding draws it, without importing Rich (about a third of a one-file scan's start-up).
It draws only the tables whose layout it knows for sure: printable ASCII cells, and a title
and columns that fit the width, so nothing is wrapped or shrunk. For any other table it
returns None and the caller lets Rich draw it (:func:`rich_table`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from rich.table import Table

Justify = Literal["left", "right"]


@dataclass(frozen=True)
class TableSpec:
    """A table's title, columns (header and justification), rows, and the rows that
    start a new section (a rule is drawn above them). `bold` rows and the first column
    are bold when drawn in colour."""

    title: str
    headers: tuple[str, ...]
    justify: tuple[Justify, ...]
    rows: tuple[tuple[str, ...], ...]
    sections: frozenset[int] = frozenset()
    bold: frozenset[int] = frozenset()


def _simple(text: str) -> bool:
    """Printable ASCII with no runs of spaces at either end: Rich lays it out as it is."""
    return text.isascii() and text.isprintable() and text == text.strip()


def plain_table(spec: TableSpec, width: int) -> str | None:
    """The table as Rich draws it without colour in `width` columns, or None when its
    layout would need Rich (a cell that is not plain ASCII, a title or row too wide)."""
    cells = [spec.title, *spec.headers, *(cell for row in spec.rows for cell in row)]
    if not spec.headers or not all(_simple(cell) for cell in cells if cell):
        return None
    if any(len(row) != len(spec.headers) for row in spec.rows):
        return None
    widths = [
        max([len(header), *(len(row[i]) for row in spec.rows)])
        for i, header in enumerate(spec.headers)
    ]
    total = sum(widths) + 3 * len(widths) + 1  # one space each side, one border each
    if total > width or len(spec.title) > total:
        return None

    def line(values: Sequence[str], edge: str, middle: str, end: str) -> str:
        parts = [
            f" {value.rjust(size) if how == 'right' else value.ljust(size)} "
            for value, size, how in zip(values, widths, spec.justify, strict=True)
        ]
        return edge + middle.join(parts) + end

    def rule(fill: str, left: str, middle: str, right: str) -> str:
        return left + middle.join(fill * (size + 2) for size in widths) + right

    lines = [spec.title] if spec.title else []
    lines.append(rule("━", "┏", "┳", "┓"))
    lines.append(line(spec.headers, "┃", "┃", "┃"))
    lines.append(rule("━", "┡", "╇", "┩"))
    for index, row in enumerate(spec.rows):
        if index in spec.sections and index > 0:
            lines.append(rule("─", "├", "┼", "┤"))
        lines.append(line(row, "│", "│", "│"))
    lines.append(rule("─", "└", "┴", "┘"))
    return "\n".join(lines) + "\n"


def rich_table(spec: TableSpec) -> Table:
    """The table as a Rich ``Table`` (its cells taken as text, never as markup)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(spec.title), title_justify="left")
    for index, (header, how) in enumerate(zip(spec.headers, spec.justify, strict=True)):
        table.add_column(header, justify=how, style="bold" if index == 0 else None)
    for index, row in enumerate(spec.rows):
        if index in spec.sections:
            table.add_section()  # ends the row above, if any
        table.add_row(*(Text(cell) for cell in row), style="bold" if index in spec.bold else None)
    return table
