"""Conjugate-prior view: add observations, watch the prior become the posterior."""

from __future__ import annotations

import random

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tui.screens.base import CourseScreen
from tui.sim.conjugate import Beta, Normal, curve
from tui.widgets.curves import CurvePlot, Series

# the Normal model: an unknown mean accuracy, seen through noisy evaluations
TRUE_MEAN, NOISE_SD = 0.82, 0.05
NORMAL_PRIOR = Normal(0.6, 0.1)


class BayesScreen(CourseScreen):
    """Beta: `s`/`f` add a success/failure, `a`/`A` `b`/`B` change the prior. `m` model, `r` reset."""

    QUIZ = "bayes"
    BINDINGS = [
        Binding("s", "observe(1)", "Success"),
        Binding("f", "observe(0)", "Failure"),
        Binding("o", "observe_normal", "Observe", show=False),
        Binding("a", "prior('alpha', -1)", "alpha-", show=False),
        Binding("A", "prior('alpha', 1)", "alpha+", show=False),
        Binding("b", "prior('beta', -1)", "beta-", show=False),
        Binding("B", "prior('beta', 1)", "beta+", show=False),
        Binding("m", "model", "Model"),
        Binding("r", "reset", "Reset"),
    ]

    def __init__(self, model: str = "beta") -> None:
        super().__init__()
        self.model = model
        self._reset()

    @classmethod
    def from_arg(cls, arg: str | None) -> "BayesScreen":
        """`export bayes:normal` or `bayes:beta` (the default)."""
        if arg not in (None, "beta", "normal"):
            raise KeyError(f"bayes takes 'beta' or 'normal', not {arg!r}")
        return cls(arg or "beta")

    def _reset(self) -> None:
        self.prior = Beta(2, 2)
        self.successes = self.failures = 0
        self.observations: list[float] = []
        self._rng = random.Random(0)

    def compose_body(self) -> ComposeResult:
        yield CurvePlot(id="bayes-plot")
        yield Static(id="bayes-numbers")

    def on_mount(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        if self.model == "beta":
            self._draw_beta()
        else:
            self._draw_normal()

    def _draw_beta(self) -> None:
        post = self.prior.update(self.successes, self.failures)
        xs, prior_y = curve(self.prior.pdf, 0.001, 0.999)
        _, post_y = curve(post.pdf, 0.001, 0.999)
        self.query_one(CurvePlot).show(
            [Series("prior", xs, prior_y, color="orange"), Series("posterior", xs, post_y, color="green")],
            title="Beta prior on P(trial beats the baseline)", xlabel="success rate")
        lo, hi = post.interval()
        self.query_one("#bayes-numbers", Static).update(
            f"prior Beta({self.prior.alpha:g}, {self.prior.beta:g}) mean {self.prior.mean:.2f}   "
            f"data {self.successes} successes, {self.failures} failures\n"
            f"posterior Beta({post.alpha:g}, {post.beta:g}) mean {post.mean:.3f}, "
            f"90% in {lo:.2f}-{hi:.2f}   a/A b/B: prior")

    def _draw_normal(self) -> None:
        post = NORMAL_PRIOR.update(self.observations, NOISE_SD)
        xs, prior_y = curve(NORMAL_PRIOR.pdf, 0.3, 1.0)
        _, post_y = curve(post.pdf, 0.3, 1.0)
        series = [Series("prior", xs, prior_y, color="orange"), Series("posterior", xs, post_y, color="green")]
        if self.observations:
            series.append(Series("data", self.observations, [0.0] * len(self.observations),
                                 marker="x", scatter=True, color="red"))
        self.query_one(CurvePlot).show(series, title="Normal prior on a mean accuracy (noise sd 0.05)",
                                       xlabel="mean accuracy")
        lo, hi = post.interval()
        self.query_one("#bayes-numbers", Static).update(
            f"prior N({NORMAL_PRIOR.mean}, {NORMAL_PRIOR.sd}^2)   {len(self.observations)} observations "
            f"(o adds one)\nposterior mean {post.mean:.3f}, sd {post.sd:.3f}, 90% interval {lo:.2f}-{hi:.2f}")

    def action_observe(self, success: int) -> None:
        if self.model != "beta":
            self.action_observe_normal()
            return
        if success:
            self.successes += 1
        else:
            self.failures += 1
        self._redraw()

    def action_observe_normal(self) -> None:
        if self.model != "normal":
            self.notify("o adds an observation in the Normal model: press m first.")
            return
        self.observations.append(self._rng.gauss(TRUE_MEAN, NOISE_SD))
        self._redraw()

    def action_prior(self, which: str, delta: int) -> None:
        alpha = self.prior.alpha + (delta if which == "alpha" else 0)
        beta = self.prior.beta + (delta if which == "beta" else 0)
        if self.model != "beta" or min(alpha, beta) < 1 or max(alpha, beta) > 50:
            self.app.bell()  # keep the prior between Beta(1, 1) and Beta(50, 50)
            return
        self.prior = Beta(alpha, beta)
        self._redraw()

    def action_model(self) -> None:
        self.model = "normal" if self.model == "beta" else "beta"
        self._redraw()

    def action_reset(self) -> None:
        self._reset()
        self._redraw()
