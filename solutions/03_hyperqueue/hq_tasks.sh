#!/bin/bash
#SBATCH --array=0-127
#SBATCH --cpus-per-task=2
# Way 3: one tiny task under HyperQueue (not for sbatch); its id is in $HQ_TASK_ID.
# Best: the job file, where every task asks for the CPUs its threads use:
#   python sweep.py --hq-job hq_job.toml
#   hptune-tui submit hq_job.toml --backend hyperqueue     (or: hq job submit-file hq_job.toml)
# Or as one array, every task asking for the two lines above (2 CPUs, even with 1 thread):
#   hptune-tui submit hq_tasks.sh --backend hyperqueue     (or: hq submit --array 0-127 --cpus 2 ...)
# Set up the environment here if your cluster needs it (module load ..., source venv/bin/activate).
set -euo pipefail
cd "$(dirname "$0")"  # HyperQueue may start the task elsewhere: run from this folder
python tiny_task.py --run-dir runs/hq --task "${HQ_TASK_ID:?run this script through HyperQueue, not sbatch}"
