"""Data set loading (digits and .npz) and the MLP builder."""

from __future__ import annotations

import numpy as np
import pytest

from tui.runtime.data import load_data
from tui.runtime.model import build_mlp


def test_digits_split_is_fixed_and_standardised():
    data = load_data(None)
    assert data.name == "digits" and data.n_features == 64 and data.n_classes == 10
    assert len(data.x_train) + len(data.x_val) == 1797
    assert abs(len(data.x_val) / 1797 - 0.25) < 0.01
    assert np.allclose(data.x_train.mean(axis=0), 0, atol=1e-5)
    assert data.x_train.dtype == np.float32 and data.y_train.dtype == np.int64
    load_data.cache_clear()
    again = load_data(None)
    assert np.array_equal(again.y_val, data.y_val)


def test_npz_with_x_and_y_is_split_here(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "big.npz"
    np.savez(path, x=rng.normal(size=(200, 3, 4)), y=rng.integers(0, 3, 200))
    data = load_data(str(path))
    assert data.n_features == 12 and data.name == "big" and len(data.x_val) == 50


def test_npz_with_a_split_keeps_it(tmp_path):
    path = tmp_path / "split.npz"
    np.savez(path, x_train=np.ones((10, 2)), y_train=np.arange(10) % 2,
             x_val=np.zeros((4, 2)), y_val=np.array([0, 1, 0, 1]))
    data = load_data(str(path))
    assert len(data.x_train) == 10 and len(data.x_val) == 4


def test_bad_data_files_say_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_data(str(tmp_path / "missing.npz"))
    path = tmp_path / "wrong.npz"
    np.savez(path, images=np.ones(3))
    with pytest.raises(ValueError, match="must hold arrays x and y.*images"):
        load_data(str(path))


def test_mlp_has_depth_hidden_layers_and_checks_sizes():
    import torch.nn as nn

    model = build_mlp(64, 10, hidden=32, depth=3, dropout=0.2)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert [l.out_features for l in linears] == [32, 32, 32, 10]
    assert sum(isinstance(m, nn.Dropout) for m in model) == 3
    assert not any(isinstance(m, nn.Dropout) for m in build_mlp(64, 10, dropout=0.0))
    with pytest.raises(ValueError, match="dropout"):
        build_mlp(64, 10, dropout=1.0)
    with pytest.raises(ValueError, match="hidden"):
        build_mlp(64, 10, hidden=0)
