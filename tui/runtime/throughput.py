"""Measure inference throughput (sequences per second) of the small encoder for one configuration.

`measure()` is one tiny task of exercise 3: build the model, warm up (the first passes pay for
memory allocation and kernel selection), then time a fixed amount of work and return
`seq_per_s` and `peak_mem_gb`. The timed part takes about `budget_s` (0.1 s by default).

`engine="toy"` is a stand-in written in plain Python (no torch import): the tests and the
overhead benchmark use it where the point is the cost *around* a task, not the task.
"""

from __future__ import annotations

import time
from typing import Any

DTYPES = ("float32", "float16", "bfloat16")
ENGINES = ("torch", "toy")
N_SEQUENCES = 128  # the fixed set of sequences every configuration runs through


def check_config(batch_size: int, threads: int, packing: bool, dtype: str, device: str) -> None:
    """Raise ValueError naming the first bad value of a configuration."""
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a whole number >= 1, got {batch_size!r}")
    if not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a whole number >= 1, got {threads!r}")
    if not isinstance(packing, bool):
        raise ValueError(f"packing must be true or false, got {packing!r}")
    if dtype not in DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    if device not in ("cpu", "cuda"):
        raise ValueError(f"device must be cpu or cuda, got {device!r}")


def measure(batch_size: int = 8, threads: int = 1, packing: bool = False, *, device: str = "cpu",
            dtype: str = "float32", compile: bool = False, budget_s: float = 0.1, warmup: int = 2,
            engine: str = "torch", seed: int = 0) -> dict[str, Any]:
    """Warm up, then time inference passes over a fixed set of sequences.

    Args:
        batch_size: sequences per forward pass.
        threads: CPU threads for torch (`torch.set_num_threads`).
        packing: pack sequences into full rows instead of padding each batch.
        device: "cpu" or "cuda".
        dtype: float32, float16 or bfloat16 (half precision is for GPUs).
        compile: run the model through `torch.compile` first (GPUs; slow to warm up).
        budget_s: keep timing whole passes until this many seconds have gone by.
        warmup: untimed passes over the first batches before timing.
        engine: "torch", or "toy" for the stdlib stand-in.
        seed: fixes the sequence lengths and tokens.

    Returns:
        {"seq_per_s", "peak_mem_gb", "timed_s", "setup_s", "sequences", "engine"}.
    """
    check_config(batch_size, threads, packing, dtype, device)
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    began = time.perf_counter()
    run = _toy_runner(batch_size, packing, seed) if engine == "toy" else \
        _torch_runner(batch_size, threads, packing, device, dtype, compile, seed)
    for _ in range(max(0, warmup)):
        run(warm=True)
    setup_s = time.perf_counter() - began
    sequences, start = 0, time.perf_counter()
    while True:
        sequences += run(warm=False)
        timed = time.perf_counter() - start
        if timed >= budget_s:
            break
    return {"seq_per_s": sequences / timed, "peak_mem_gb": peak_mem_gb(device, engine),
            "timed_s": timed, "setup_s": setup_s, "sequences": sequences, "engine": engine}


def _torch_runner(batch_size, threads, packing, device, dtype, compile, seed):
    """A callable that runs one pass over the sequences and returns how many it ran."""
    import torch

    from tui.runtime import seqmodel

    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device cuda was asked for, but torch sees no GPU here")
    torch.set_num_threads(threads)
    cfg = seqmodel.ModelConfig()
    model = seqmodel.build_encoder(cfg, seed).to(device=device, dtype=getattr(torch, dtype))
    if compile:
        model = torch.compile(model)
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    lengths = seqmodel.sequence_lengths(N_SEQUENCES, cfg.max_len, seed)
    batches = [(t.to(device), {k: v.to(device) for k, v in kw.items()}, n)
               for t, kw, n in seqmodel.make_batches(lengths, batch_size, packing, cfg, seed)]

    def run(warm: bool) -> int:
        with torch.inference_mode():
            for tokens, kwargs, _ in batches[:2] if warm else batches:
                seqmodel.forward(model, tokens, kwargs)
        if device == "cuda":
            torch.cuda.synchronize()  # GPU work is asynchronous: wait before reading the clock
        return 0 if warm else len(lengths)

    return run


def _toy_runner(batch_size, packing, seed):
    """The stdlib stand-in: work grows with the tokens computed, plus a fixed cost per batch."""
    from tui.runtime.seqmodel import pack, sequence_lengths

    lengths = sequence_lengths(N_SEQUENCES // 4, 64, seed)
    chunks = [lengths[i:i + batch_size] for i in range(0, len(lengths), batch_size)]
    if packing:
        tokens = [len(pack(c, 64)) * 64 for c in chunks]
    else:
        tokens = [max(c) * len(c) for c in chunks]

    def run(warm: bool) -> int:
        acc = 0
        for n in tokens[:1] if warm else tokens:
            acc += sum(range(200))  # the per-batch cost (a kernel launch, say)
            acc += sum(i * i for i in range(n))
        return 0 if warm else len(lengths)

    return run


def peak_mem_gb(device: str = "cpu", engine: str = "torch") -> float:
    """Peak memory: CUDA's allocator on a GPU, else the process's peak resident set size."""
    if device == "cuda" and engine == "torch":
        import torch

        return torch.cuda.max_memory_allocated() / 1e9
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9  # KiB on Linux
