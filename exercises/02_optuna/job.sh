#!/bin/bash
#SBATCH --job-name=optuna-workers
#SBATCH --array=0-3
#SBATCH --time=00:15:00
#SBATCH --cpus-per-task=1
#SBATCH --mem=2G
#SBATCH --output=logs/%x-%A_%a.out

# Exercise 2, job script (the form in the app writes the same): every array task is one Optuna worker. All four open the
# same study in $RUN_DIR/study.journal and take trials from it until the study has 40 trials
# (the budget counts the whole study, not one worker) or until 10 minutes have passed; the
# time limit above leaves a margin for the last trial.
# Submit from this folder: hptune-tui submit job.sh (it creates logs/; with plain sbatch, mkdir -p logs first)
set -euo pipefail

RUN_DIR="${HPTUNE_RUN_DIR:-runs/${SLURM_ARRAY_JOB_ID:-local}}"
python -m tui.runtime.optuna_worker --run-dir "$RUN_DIR" --objective objective.py \
    --n-trials 40 --timeout 600 --pruner median --seed 0
