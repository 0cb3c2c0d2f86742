"""The trials table: array task -> hyperparameters -> metric -> state, sortable by any column.

It shows a pandas frame (tui.results.table) and sorts it with pandas; `s` (the screen's
binding calls `sort_by_cursor`) sorts by the column under the cursor, again reverses.
"""

from __future__ import annotations

import math
from typing import Any

from rich.text import Text
from textual.widgets import DataTable

SHORT = {"trial": "task", "batch_size": "batch", "weight_decay": "w_decay", "optimizer": "optim",
         "dropout": "drop", "steps": "ep", "status": "state"}


class TrialsTable(DataTable):
    """Call `show_frame(frame, params, metric)` with each new snapshot."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=True, **kwargs)
        self.frame = None
        self.columns_: list[str] = []
        self.sort_column: str | None = None  # None: the metric, best first
        self.ascending = False
        self.metric = "val_acc"

    def show_frame(self, frame, params: list[str], metric: str) -> None:
        """Show `frame` (a pandas DataFrame, or None for no trials), keeping the sort and the cursor."""
        self.frame, self.metric = frame, metric
        wanted = ["trial", *params, metric, "steps", "status"]
        self.columns_ = [c for c in wanted if frame is not None and c in frame.columns]
        self._fill()

    def sort_by_cursor(self) -> str:
        """Sort by the cursor's column (again: reverse); returns a description of the order."""
        if not self.columns_:
            return "no trials to sort"
        column = self.columns_[min(self.cursor_column, len(self.columns_) - 1)]
        self.sort_by(column)
        return f"sorted by {column}, {'ascending' if self.ascending else 'descending'}"

    def sort_by(self, column: str) -> None:
        if column == (self.sort_column or self.metric):
            self.ascending = not self.ascending
        else:  # numbers read best high-to-low first for the metric, names and ids A-Z
            self.ascending = column != self.metric
        self.sort_column = column
        self._fill()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    def sorted_ids(self) -> list[str]:
        """Trial ids in the order shown."""
        return [str(row.value) for row in self.rows]

    def _sorted(self):
        column = self.sort_column or self.metric
        if column not in self.frame.columns:
            return self.frame
        return self.frame.sort_values(column, ascending=self.ascending, na_position="last", kind="stable")

    def _label(self, column: str) -> Text:
        arrow = ("▲" if self.ascending else "▼") if column == (self.sort_column or self.metric) else ""
        return Text(SHORT.get(column, column) + arrow, style="bold")

    def _fill(self) -> None:
        cursor = self.cursor_coordinate
        self.clear(columns=True)
        if not self.columns_:
            return
        for column in self.columns_:
            self.add_column(self._label(column), key=column)
        frame = self._sorted()
        records = frame[self.columns_].to_dict("records")
        for rec in records:
            self.add_row(*(format_value(rec[c]) for c in self.columns_), key=str(rec["trial"]))
        self.cursor_coordinate = self.validate_cursor_coordinate(cursor)


def format_value(value: Any) -> str:
    """A table cell: numpy scalars unwrapped, whole numbers as ints, floats to 3 digits, None a dash."""
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e6:
            return str(int(value))  # an int column that pandas made float (a trial without params)
        if 1e-3 <= abs(value) < 1e4:
            return f"{value:.3g}"
        mantissa, _, exponent = f"{value:.2e}".partition("e")
        return f"{mantissa}e{int(exponent)}"  # 2.53e-4: the table is narrow at 80 columns
    return str(value)
