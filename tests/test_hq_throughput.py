"""The sequence model and the measurement of one tiny task (torch on the CPU, and the toy engine)."""

from __future__ import annotations

import pytest

from tui.runtime import seqmodel
from tui.runtime.throughput import measure


def test_lengths_are_reproducible_mixed_and_in_range():
    a, b = seqmodel.sequence_lengths(200, 64, seed=1), seqmodel.sequence_lengths(200, 64, seed=1)
    assert a == b and min(a) >= 4 and max(a) <= 64
    assert sum(n < 20 for n in a) > 100  # mostly short: what makes packing pay
    assert seqmodel.sequence_lengths(200, 64, seed=2) != a


def test_packing_keeps_every_sequence_and_fills_rows():
    lengths = seqmodel.sequence_lengths(100, 64)
    rows = seqmodel.pack(lengths, 64)
    assert sorted(n for row in rows for n in row) == sorted(lengths)
    assert all(sum(row) <= 64 for row in rows)
    assert len(rows) < len(lengths) / 2
    with pytest.raises(ValueError, match="does not fit"):
        seqmodel.pack([65], 64)


def test_packed_mask_keeps_sequences_apart():
    cfg = seqmodel.ModelConfig(max_len=8, heads=2)
    tokens, kwargs = seqmodel.packed_batch([[3, 2]], cfg)
    mask = kwargs["mask"]
    assert tuple(tokens.shape) == (1, 8) and tuple(mask.shape) == (2, 8, 8)
    assert not mask[0, 0, 2] and mask[0, 0, 3]  # token 0 sees its own sequence, not the next one
    assert not mask[0, 7, 7]  # the unused tail may see itself (no all-blocked row: no NaN)


def test_padded_and_packed_give_the_same_outputs_for_a_sequence():
    import torch

    cfg = seqmodel.ModelConfig()
    model = seqmodel.build_encoder(cfg)
    tokens, kwargs = seqmodel.packed_batch([[5, 7]], cfg)
    with torch.inference_mode():
        packed = seqmodel.forward(model, tokens, kwargs)[0, 5:12]
        alone = seqmodel.forward(model, tokens[:, 5:12], {})[0]
    assert torch.allclose(packed, alone, atol=1e-4)


def test_measure_returns_throughput_and_memory():
    out = measure(batch_size=16, threads=1, packing=True, budget_s=0.02, warmup=1)
    assert out["seq_per_s"] > 0 and out["peak_mem_gb"] > 0 and out["timed_s"] >= 0.02
    assert out["sequences"] % 128 == 0 and out["engine"] == "torch"


def test_toy_engine_needs_no_torch_and_packing_helps_it():
    fast = measure(batch_size=16, packing=True, engine="toy", budget_s=0.02)
    slow = measure(batch_size=16, packing=False, engine="toy", budget_s=0.02)
    assert fast["engine"] == "toy" and fast["seq_per_s"] > 0 and slow["seq_per_s"] > 0


@pytest.mark.parametrize("kwargs, word", [
    ({"batch_size": 0}, "batch_size"), ({"batch_size": 2.5}, "batch_size"), ({"threads": 0}, "threads"),
    ({"packing": "yes"}, "packing"), ({"dtype": "int8"}, "dtype"), ({"device": "tpu"}, "device"),
    ({"engine": "jax"}, "engine"),
])
def test_bad_configurations_are_named(kwargs, word):
    with pytest.raises(ValueError, match=word):
        measure(**{"budget_s": 0.001, **kwargs})


def test_cuda_without_a_gpu_says_so():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ValueError, match="no GPU"):
        measure(device="cuda", budget_s=0.001)
