"""A small transformer encoder with random weights and a fixed set of sequences to run through it.

Exercise 3 tunes how fast inference runs, not what it predicts, so the weights stay random.
The sequences have mixed lengths (many short, a few long), as real text does: that is what
makes sequence packing worth trying. Two ways to batch them:

    padded  every batch is padded to its longest sequence (the padding is wasted work)
    packed  sequences are packed end to end into rows of `max_len` tokens; a block-diagonal
            attention mask keeps each sequence attending to itself only

torch is imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class ModelConfig:
    """The encoder's size. Small on purpose: one task must take well under a second."""

    vocab: int = 1000
    d_model: int = 64
    heads: int = 4
    layers: int = 2
    ff: int = 128
    max_len: int = 64


def build_encoder(cfg: ModelConfig = ModelConfig(), seed: int = 0):
    """An embedding plus a `cfg.layers`-layer TransformerEncoder, random weights, in eval mode."""
    import torch
    import torch.nn as nn

    torch.manual_seed(seed)
    layer = nn.TransformerEncoderLayer(cfg.d_model, cfg.heads, cfg.ff, dropout=0.0, batch_first=True)
    # enable_nested_tensor=False: the nested fast path would hide the cost of padding we measure.
    encoder = nn.TransformerEncoder(layer, cfg.layers, enable_nested_tensor=False)
    model = nn.ModuleDict({"embed": nn.Embedding(cfg.vocab, cfg.d_model), "encoder": encoder})
    return model.eval()


def sequence_lengths(n: int, max_len: int = 64, seed: int = 0) -> list[int]:
    """`n` lengths in [4, max_len], mostly short (a long tail), the same for the same seed."""
    if n < 1 or max_len < 4:
        raise ValueError(f"need n >= 1 and max_len >= 4, got n={n}, max_len={max_len}")
    rng = random.Random(seed)
    return [min(max_len, 4 + int(rng.expovariate(1.0 / (max_len / 5)))) for _ in range(n)]


def pack(lengths: list[int], max_len: int) -> list[list[int]]:
    """First-fit packing of sequence lengths into rows of at most `max_len` tokens."""
    rows: list[list[int]] = []
    room: list[int] = []
    for length in lengths:
        if length > max_len:
            raise ValueError(f"a sequence of {length} tokens does not fit a row of {max_len}")
        slot = next((i for i, free in enumerate(room) if free >= length), None)
        if slot is None:
            rows.append([])
            room.append(max_len)
            slot = len(rows) - 1
        rows[slot].append(length)
        room[slot] -= length
    return rows


def padded_batch(lengths: list[int], cfg: ModelConfig, gen=None):
    """Tokens (B, longest) and the key padding mask (True = padding) for one padded batch."""
    import torch

    longest = max(lengths)
    tokens = torch.randint(1, cfg.vocab, (len(lengths), longest), generator=gen)
    pad = torch.arange(longest)[None, :] >= torch.tensor(lengths)[:, None]
    return tokens.masked_fill(pad, 0), {"src_key_padding_mask": pad}


def packed_batch(rows: list[list[int]], cfg: ModelConfig, gen=None):
    """Tokens (R, max_len) and a block-diagonal attention mask (R*heads, L, L) for packed rows."""
    import torch

    n, width = len(rows), cfg.max_len
    tokens = torch.randint(1, cfg.vocab, (n, width), generator=gen)
    segment = torch.full((n, width), -1, dtype=torch.long)  # -1: the unused tail of a row
    for r, row in enumerate(rows):
        start = 0
        for s, length in enumerate(row):
            segment[r, start:start + length] = s
            start += length
    blocked = segment[:, :, None] != segment[:, None, :]
    eye = torch.eye(width, dtype=torch.bool)[None]
    blocked &= ~eye  # every token may see itself, so no row of the mask is all blocked (NaN)
    return tokens, {"mask": blocked.repeat_interleave(cfg.heads, dim=0)}


def make_batches(lengths: list[int], batch_size: int, packing: bool, cfg: ModelConfig, seed: int = 0):
    """The batches of `batch_size` sequences each: [(tokens, mask kwargs, n_sequences), ...]."""
    import torch

    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    gen = torch.Generator().manual_seed(seed)
    batches = []
    for i in range(0, len(lengths), batch_size):
        chunk = lengths[i:i + batch_size]
        if packing:
            tokens, kwargs = packed_batch(pack(chunk, cfg.max_len), cfg, gen)
        else:
            tokens, kwargs = padded_batch(chunk, cfg, gen)
        batches.append((tokens, kwargs, len(chunk)))
    return batches


def forward(model, tokens, kwargs):
    """One inference pass (no gradients): embeddings through the encoder."""
    return model["encoder"](model["embed"](tokens), **kwargs)
