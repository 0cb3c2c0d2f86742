"""A keyboard panel of numeric parameters: up/down select one, left/right (or -/+) change it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static


@dataclass(frozen=True)
class Param:
    """One adjustable number. `factor` > 1 steps multiplicatively (for log-scale values)."""

    name: str
    label: str
    value: float
    step: float = 1.0
    low: float = 0.0
    high: float = 1e9
    fmt: str = "{:g}"
    factor: float = 0.0
    zero: str = ""  # shown instead of 0 (e.g. "all" for "0 = unlimited")

    @property
    def text(self) -> str:
        return self.zero if self.zero and self.value == 0 else self.fmt.format(self.value)

    def stepped(self, direction: int) -> "Param":
        if self.factor > 1:
            value = self.value * self.factor ** direction
        else:
            value = round(self.value + direction * self.step, 10)
        return replace(self, value=min(self.high, max(self.low, value)))


class ParamPanel(Static, can_focus=True):
    """Shows `name  value` lines, the selected one marked; posts `Changed` on every change."""

    DEFAULT_CSS = """
    ParamPanel { width: 26; height: auto; padding: 0 1; }
    ParamPanel:focus { background: $boost; }
    """
    BINDINGS = [
        Binding("up", "move(-1)", "Select", show=False),
        Binding("down", "move(1)", "Select", show=False),
        Binding("right,plus,equals_sign", "change(1)", "+", show=False),
        Binding("left,minus", "change(-1)", "-", show=False),
    ]

    class Changed(Message):
        """A parameter changed; `values` holds all of them by name."""

        def __init__(self, panel: "ParamPanel", name: str, values: dict[str, float]) -> None:
            super().__init__()
            self.panel, self.name, self.values = panel, name, values

    def __init__(self, params: list[Param], **kwargs) -> None:
        super().__init__(**kwargs)
        self.params = list(params)
        self.selected = 0

    @property
    def values(self) -> dict[str, float]:
        return {p.name: p.value for p in self.params}

    def set_params(self, params: list[Param]) -> None:
        self.params = list(params)
        self.selected = min(self.selected, len(self.params) - 1)
        self._redraw()

    def on_mount(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        lines = []
        for i, p in enumerate(self.params):
            mark = ">" if i == self.selected else " "
            lines.append(f"{mark} {p.label:<14} {p.text}")
        self.update("\n".join(lines))

    def action_move(self, delta: int) -> None:
        self.selected = (self.selected + delta) % len(self.params)
        self._redraw()

    def action_change(self, direction: int) -> None:
        old = self.params[self.selected]
        new = old.stepped(direction)
        if new.value == old.value:
            self.app.bell()
            return
        self.params[self.selected] = new
        self._redraw()
        self.post_message(self.Changed(self, new.name, self.values))
