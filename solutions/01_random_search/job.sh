#!/bin/bash
#SBATCH --job-name=random-search
#SBATCH --array=0-31%8
#SBATCH --time=00:10:00
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --output=logs/%x-%A_%a.out

# Exercise 1, reference job script: one array task = one trial of the random search.
# Submit from this folder: hptune-tui submit job.sh (it creates logs/; with plain sbatch, mkdir -p logs first)
# Set up the training environment here if your cluster needs it, e.g.
#   module load PyTorch-bundle     or     source ~/venvs/hptune/bin/activate
set -euo pipefail

RUN_DIR="${HPTUNE_RUN_DIR:-runs/${SLURM_ARRAY_JOB_ID:-local}}"
python -m tui.runtime.random_search --run-dir "$RUN_DIR" --sampler sample.py \
    --task-id "$SLURM_ARRAY_TASK_ID" --seed 0 --epochs 20
