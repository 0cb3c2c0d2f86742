"""The model of the exercises: a multi-layer perceptron sized by the hyperparameters."""

from __future__ import annotations


def build_mlp(n_in: int, n_out: int, hidden: int = 128, depth: int = 2, dropout: float = 0.0):
    """Build an MLP: `depth` hidden layers of `hidden` units, ReLU and dropout after each.

    Args:
        n_in: input features.
        n_out: classes (logits out).
        hidden: units per hidden layer (at least 1).
        depth: number of hidden layers (0 gives logistic regression).
        dropout: dropout probability in [0, 1).

    Raises:
        ValueError: for a size or probability out of range.
    """
    import torch.nn as nn

    if int(hidden) < 1 or int(depth) < 0:
        raise ValueError(f"hidden must be >= 1 and depth >= 0, got hidden={hidden}, depth={depth}")
    if not 0.0 <= float(dropout) < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    layers: list = []
    width = n_in
    for _ in range(int(depth)):
        layers += [nn.Linear(width, int(hidden)), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout(float(dropout)))
        width = int(hidden)
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)
