"""Small tables that read well in a notebook (HTML) and in a terminal (text)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from .claims import format_figure


class Table:
    """Rows of figures under a header, with a caption naming where they come from."""

    def __init__(self, header: Sequence[str], rows: Sequence[Sequence[Any]], *,
                 caption: str = ""):
        if (isinstance(header, str) or not isinstance(header, Sequence) or not header
                or not all(isinstance(name, str) for name in header)):
            raise TypeError(f"header must be a non-empty list of column names (str), got {header!r:.60}")
        if isinstance(rows, str) or not isinstance(rows, Sequence) or any(
                isinstance(row, str) or not isinstance(row, Sequence) for row in rows):
            raise TypeError("rows must be a list of rows, each a list of cells")
        if not isinstance(caption, str):
            raise TypeError(f"caption must be a str, got {type(caption).__name__}")
        widths = {len(row) for row in rows}
        if widths - {len(header)}:
            raise ValueError(f"every row needs {len(header)} cells, got rows of {sorted(widths)}")
        self.header, self.caption = list(header), caption
        self.rows = [[format_figure(cell) for cell in row] for row in rows]

    def __repr__(self) -> str:
        cells = [self.header, *self.rows]
        widths = [max(len(str(row[i])) for row in cells) for i in range(len(self.header))]
        lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)) for row in cells]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(([self.caption] if self.caption else []) + lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.header)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                       for row in self.rows)
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
