#!/bin/bash
#SBATCH --job-name=tiny-loop
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=00:15:00
#SBATCH --output=logs/%x-%j.out
# Way 2: one job runs every task of the sweep in one Python process: the imports and the
# scheduler's wait are paid once. The price: the tasks run one after another, and a crash
# in one task's code could end them all (tiny_tasks records a failed task and goes on).
# 2 CPUs: the sweep has tasks with 2 threads. Arguments after the script name go to the loop:
# `sbatch worker_loop.sh --first 32` runs tasks 0-31 only (a shorter sweep). `hptune-tui submit`
# passes no arguments: `FIRST=32 hptune-tui submit worker_loop.sh` does the same (the job inherits FIRST).
# Submit from this folder: hptune-tui submit worker_loop.sh (it creates logs/; with plain sbatch, mkdir -p logs first)
# Set up the environment here if your cluster needs it (module load ..., source venv/bin/activate).
set -euo pipefail
python tiny_task.py --run-dir runs/loop --loop ${FIRST:+--first "$FIRST"} "$@"
