#!/bin/bash
#SBATCH --job-name=random-search
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
# TODO: a job array of 32 tasks, at most 8 running at once
# TODO: a time limit of 10 minutes per task
# TODO: one log file per task, in logs/ (use %x, %A and %a)

# Exercise 1: one array task = one trial of the random search.
# Build this script in the app's form and save it here as job.sh, or complete the TODOs.
# Submit from this folder: hptune-tui submit job.sh (it creates logs/; with plain sbatch, mkdir -p logs first)
# Set up the training environment here if your cluster needs it, e.g.
#   module load PyTorch-bundle     or     source ~/venvs/hptune/bin/activate
set -euo pipefail

RUN_DIR="${HPTUNE_RUN_DIR:-runs/${SLURM_ARRAY_JOB_ID:-local}}"
python -m tui.runtime.random_search --run-dir "$RUN_DIR" --sampler sample.py \
    --task-id "$SLURM_ARRAY_TASK_ID" --seed 0 --epochs 20
