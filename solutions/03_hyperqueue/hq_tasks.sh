#!/bin/bash
#SBATCH --array=0-127
# Way 3: the task array for HyperQueue (not for sbatch). HyperQueue runs this script once per
# id of the --array line above, each with its id in $HQ_TASK_ID, on workers that hold one
# allocation for all tasks. Without an hq binary, run it on this machine:
#   python -m tui.cluster.hq_embedded --job-dir runs/hq/hq-job --ids 0-127 -- bash hq_tasks.sh
# On a cluster: render the hq_server and hq_workers templates in the app (see the README).
# Set up the environment here if your cluster needs it (module load ..., source venv/bin/activate).
set -euo pipefail
python tiny_task.py --run-dir runs/hq --task "${HQ_TASK_ID:?run this script through HyperQueue, not sbatch}"
