"""The trials table: array task -> hyperparameters -> metric -> state, sortable by any column.

It shows plain row dicts (tui.results.table.trial_row) and sorts them itself, without pandas
(its import alone cost a loaded login node a second before the first row). A live update
changes only the cells that differ and adds only new rows: rebuilding 1000 rows took ~0.1 s of
the UI thread per update. `s` (the screen's binding calls `sort_by_cursor`) sorts by the
column under the cursor, again reverses.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from tui.results.table import sort_rows

SHORT = {"trial": "task", "batch_size": "batch", "weight_decay": "w_decay", "optimizer": "optim",
         "dropout": "drop", "steps": "ep", "status": "state"}


class TrialsTable(DataTable):
    """Call `show_rows(rows, params, metric)` with each new snapshot."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=True, **kwargs)
        self.rows_: list[dict[str, Any]] = []
        self.columns_: list[str] = []
        self.sort_column: str | None = None  # None: the metric, best first
        self.ascending = False
        self.metric = "val_acc"
        self._cells: dict[str, tuple[str, ...]] = {}  # what each row shows now, by trial id
        self._order: list[str] = []  # trial ids in the order shown
        self._source: dict[str, dict[str, Any]] = {}  # the row dict each trial's cells were made from
        self._order_of: Callable[[str, bool], list[str]] | None = None

    @property
    def sort_spec(self) -> tuple[str, bool]:
        """The column the rows are sorted by, and whether ascending (a worker may read it to sort ahead)."""
        return self.sort_column or self.metric, self.ascending

    def show_rows(self, rows: list[dict[str, Any]], params: list[str], metric: str,
                  order_of: Callable[[str, bool], list[str]] | None = None) -> None:
        """Show `rows` (one dict per trial), keeping the sort and the cursor; changes only what differs.

        `order_of(column, ascending)`, when given, returns the trial ids in that order (the trials
        screen's worker sorts them beforehand: RunSnapshot.order); else the table sorts them here.
        """
        self.rows_, self.metric, self._order_of = rows, metric, order_of
        present = set().union(*rows) if rows else set()
        columns = [c for c in ["trial", *params, metric, "steps", "status"] if c in present]
        if columns != self.columns_:
            self.columns_ = columns
            self._fill()
        else:
            self._update()

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
        self._fill()  # the arrow moves to another header: a user's key, not a live update

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    def sorted_ids(self) -> list[str]:
        """Trial ids in the order shown."""
        return list(self._order)

    def _sorted(self) -> list[dict[str, Any]]:
        column = self.sort_column or self.metric
        if column not in self.columns_:
            return list(self.rows_)
        if self._order_of is not None:
            by_id = {str(r["trial"]): r for r in self.rows_}
            return [by_id[key] for key in self._order_of(column, self.ascending)]
        return sort_rows(self.rows_, column, self.ascending)

    def _sorted_ids(self) -> list[str]:
        column = self.sort_column or self.metric
        if self._order_of is not None and column in self.columns_:
            return self._order_of(column, self.ascending)
        return [str(r["trial"]) for r in self._sorted()]

    def _label(self, column: str) -> Text:
        arrow = ("▲" if self.ascending else "▼") if column == (self.sort_column or self.metric) else ""
        return Text(SHORT.get(column, column) + arrow, style="bold")

    def _cells_of(self, row: dict[str, Any]) -> tuple[str, ...]:
        return tuple(format_value(row.get(c)) for c in self.columns_)

    def _fill(self) -> None:
        """Rebuild from scratch: only when the columns or the sort column change."""
        cursor = self.cursor_coordinate
        self.clear(columns=True)
        self._cells, self._order, self._source = {}, [], {}
        if not self.columns_:
            return
        for column in self.columns_:
            self.add_column(self._label(column), key=column)
        for row in self._sorted():
            self._add(row)
        self.cursor_coordinate = self.validate_cursor_coordinate(cursor)

    def _add(self, row: dict[str, Any]) -> None:
        key = str(row["trial"])
        self._cells[key], self._source[key] = self._cells_of(row), row
        self._order.append(key)
        self.add_row(*self._cells[key], key=key)

    def _update(self) -> None:
        """Change the cells that differ, add new rows, drop gone ones; sort again only when a sort value moved."""
        column, moved, seen = self.sort_column or self.metric, False, set()
        for row in self.rows_:
            key = str(row["trial"])
            seen.add(key)
            before = self._source.get(key)
            if before is row:
                continue  # the worker hands over the same dict for a trial that did not change
            if before is None:
                self._add(row)
                moved = True
                continue
            new = self._cells_of(row)
            for name, old_cell, cell in zip(self.columns_, self._cells[key], new):
                if old_cell != cell:
                    self.update_cell(key, name, cell, update_width=len(cell) > len(old_cell))
            self._cells[key], self._source[key] = new, row
            moved |= before.get(column) != row.get(column)
        gone = [key for key in self._cells if key not in seen]  # a tailer never forgets a trial; a new run does
        for key in gone:
            self.remove_row(key)
            del self._cells[key], self._source[key]
        if moved or gone:
            self._reorder(self._sorted_ids())
        if gone:
            self.cursor_coordinate = self.validate_cursor_coordinate(self.cursor_coordinate)

    def _reorder(self, wanted: list[str]) -> None:
        """Show the rows in the order `wanted` (trial ids), moving rows, building none again."""
        if wanted == self._order:
            return
        locations = getattr(self, "_row_locations", None)
        if type(locations) is TwoWayDict and len(wanted) == len(locations):
            # What DataTable.sort ends with, without its sort of every row's cells through a key
            # function: the order is known (worked out in the worker), only the positions change.
            self._row_locations = TwoWayDict({RowKey(key): i for i, key in enumerate(wanted)})
            self._update_count += 1
            self.refresh()
        else:  # another Textual: its public sort (the trial column's cells are the row keys)
            rank = {key: i for i, key in enumerate(wanted)}
            self.sort("trial", key=rank.__getitem__)
        self._order = list(wanted)  # ours: _add appends to it, and `wanted` may be a snapshot's cache


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
