#!/bin/bash
#SBATCH --job-name=tiny-per-task
#SBATCH --array=0-15
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=00:05:00
#SBATCH --output=logs/%x-%A_%a.out
# Way 1: one SLURM array task per tiny task. Every task waits for the scheduler, starts
# Python, imports torch and warms up, all for 0.1 s of measuring. Every task of an array
# gets the same request: the sweep runs up to 2 threads, so every task asks for 2 CPUs
# (a 2-thread task on 1 CPU shares a core with its neighbour and measures the sharing).
# Submit from this folder: hptune-tui submit per_task.sh (it creates logs/; with plain sbatch, mkdir -p logs first)
# Set up the environment here if your cluster needs it (module load ..., source venv/bin/activate).
set -euo pipefail
python tiny_task.py --run-dir runs/per-task --task "$SLURM_ARRAY_TASK_ID"
