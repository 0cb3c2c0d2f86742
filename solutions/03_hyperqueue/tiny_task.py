"""Exercise 3: one tiny task of the sweep: measure the inference throughput of one configuration.

    python tiny_task.py --run-dir runs/try --task 0      one task (as a SLURM array task would)
    python tiny_task.py --run-dir runs/loop --loop       every task, one after another, in one process

Under HyperQueue or in a SLURM array the task id comes from $HQ_TASK_ID or $SLURM_ARRAY_TASK_ID.
Each task writes runs/<run>/trials/<task>/result.json with seq_per_s, peak_mem_gb and its times.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # find sweep.py from any working directory
from sweep import configs  # noqa: E402


def measure(batch_size, threads=1, packing=False, device="cpu", dtype="float32", compile=False,
            budget_s=0.1, warmup=2):
    """Sequences per second of the small encoder for one configuration, after warm-up."""
    import torch

    from tui.runtime import seqmodel

    torch.set_num_threads(threads)
    cfg = seqmodel.ModelConfig()
    model = seqmodel.build_encoder(cfg).to(device=device, dtype=getattr(torch, dtype))
    if compile:
        model = torch.compile(model)
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
    lengths = seqmodel.sequence_lengths(128, cfg.max_len)
    batches = [(tokens.to(device), {k: v.to(device) for k, v in kwargs.items()})
               for tokens, kwargs, _ in seqmodel.make_batches(lengths, batch_size, packing, cfg)]

    def one_pass():
        with torch.inference_mode():
            for tokens, kwargs in batches:
                seqmodel.forward(model, tokens, kwargs)
        if device == "cuda":
            torch.cuda.synchronize()  # GPU work is asynchronous: wait for it before reading the clock

    for _ in range(warmup):  # the first passes allocate memory and pick kernels: not timed
        one_pass()
    sequences, start = 0, time.perf_counter()
    while time.perf_counter() - start < budget_s:
        one_pass()
        sequences += len(lengths)
    timed = time.perf_counter() - start
    return {"seq_per_s": sequences / timed, "peak_mem_gb": peak_mem_gb(device), "timed_s": timed}


def peak_mem_gb(device):
    """Peak memory: the GPU allocator's peak, or on a CPU the process's peak resident set."""
    if device == "cuda":
        import torch

        return torch.cuda.max_memory_allocated() / 1e9
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


if __name__ == "__main__":
    from tui.runtime.tiny_tasks import exit_fast, main

    exit_fast(main(measure=measure, configs=configs()))  # no interpreter teardown: the results are written
