"""The data set of the exercises: scikit-learn's bundled digits, or a larger `.npz` file.

Both give the same thing: a fixed, seeded train/validation split, standardised with the
training set's mean and standard deviation, as float32/int64 numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_VAL_FRACTION = 0.25
SPLIT_SEED = 1234  # fixed: every trial of every learner validates on the same images


@dataclass(frozen=True)
class Dataset:
    """A train/validation split of a classification data set."""

    x_train: "object"
    y_train: "object"
    x_val: "object"
    y_val: "object"
    name: str

    @property
    def n_features(self) -> int:
        return int(self.x_train.shape[1])

    @property
    def n_classes(self) -> int:
        return int(max(self.y_train.max(), self.y_val.max()) + 1)


def _split(x, y, val_fraction: float, seed: int):
    import numpy as np

    order = np.random.default_rng(seed).permutation(len(x))
    n_val = int(round(len(x) * val_fraction))
    val, train = order[:n_val], order[n_val:]
    return x[train], y[train], x[val], y[val]


def _standardise(x_train, x_val):
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0  # digits has pixels that are always blank
    return (x_train - mean) / std, (x_val - mean) / std


def _read_npz(path: Path):
    """Read `x`/`y` (split here) or `x_train`/`y_train`/`x_val`/`y_val` (split kept) from an .npz."""
    import numpy as np

    if not path.is_file():
        raise FileNotFoundError(f"data set {path} does not exist")
    with np.load(path) as data:
        keys = set(data.files)
        if {"x_train", "y_train", "x_val", "y_val"} <= keys:
            return tuple(data[k] for k in ("x_train", "y_train", "x_val", "y_val"))
        if {"x", "y"} <= keys:
            return data["x"], data["y"]
    raise ValueError(f"{path} must hold arrays x and y, or x_train, y_train, x_val and y_val; "
                     f"it holds {', '.join(sorted(keys)) or 'nothing'}")


@lru_cache(maxsize=4)
def load_data(path: str | None = None, val_fraction: float = DEFAULT_VAL_FRACTION) -> Dataset:
    """Load the data set once per process.

    Args:
        path: an `.npz` file; None (or "digits") for scikit-learn's bundled digits (no download).
        val_fraction: share of the samples kept for validation when the file is not split yet.
    """
    import numpy as np

    if path in (None, "", "digits"):
        from sklearn.datasets import load_digits

        bunch = load_digits()
        parts = _split(bunch.data, bunch.target, val_fraction, SPLIT_SEED)
        name = "digits"
    else:
        raw = _read_npz(Path(path))
        parts = raw if len(raw) == 4 else _split(raw[0], raw[1], val_fraction, SPLIT_SEED)
        name = Path(path).stem
    x_train, y_train, x_val, y_val = parts
    x_train = np.asarray(x_train, dtype=np.float32).reshape(len(x_train), -1)
    x_val = np.asarray(x_val, dtype=np.float32).reshape(len(x_val), -1)
    x_train, x_val = _standardise(x_train, x_val)
    return Dataset(x_train.astype(np.float32), np.asarray(y_train, dtype=np.int64),
                   x_val.astype(np.float32), np.asarray(y_val, dtype=np.int64), name)
