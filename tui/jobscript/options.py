"""The options sbatch knows (Slurm 22-24), how it matches them, and one line on what each does.

sbatch hands all `#SBATCH` words to getopt_long, so long options may be shortened to any
unambiguous prefix (`--part` is `--partition`) and short ones may carry their value attached
(`-t10`) or in the next word (`-t 10`).
"""

from __future__ import annotations

from dataclasses import dataclass

# name, short letter (or .), argument (= required, ? optional, - none), explanation.
_TABLE = """
account A = the project (allocation) whose hours the job uses
acctg-freq . = how often accounting samples are taken
array a = run the script as a job array with these task ids; %N caps how many run at once
batch . = node features the batch step needs
bb . = burst buffer request
bbf . = burst buffer file
begin b = do not start before this time
chdir D = the folder the job starts in
cluster-constraint . = features a federated cluster must have
clusters M = which cluster(s) to submit to
comment . = a free comment stored with the job
constraint C = node features the job needs (e.g. a GPU model)
container . = OCI container bundle
container-id . = OCI container id
contiguous . - the nodes must be contiguous
core-spec S = cores reserved for system use
cores-per-socket . = cores per socket the nodes must have
cpu-freq . = CPU frequency request
cpus-per-gpu . = CPU cores per allocated GPU
cpus-per-task c = CPU cores for each task
deadline . = remove the job if it cannot end before this time
delay-boot . = delay before rebooting nodes
dependency d = start only after other jobs (e.g. afterok:123)
distribution m = how tasks are laid out over nodes
error e = file for stderr (%x name, %A array job, %a task, %j job id)
exclude x = nodes not to use
exclusive . ? the nodes are not shared with other jobs
export . = which environment variables the job gets
export-file . = file of environment variables
extra . = arbitrary extra string
extra-node-info B = sockets:cores:threads the nodes must have
get-user-env . ? load the login environment of the user
gid . = group to run as
gpu-bind . = how tasks bind to GPUs
gpu-freq . = GPU frequency request
gpus G = GPUs for the whole job (TYPE:N or N)
gpus-per-node . = GPUs on each node (TYPE:N or N, e.g. A40:1)
gpus-per-socket . = GPUs per socket
gpus-per-task . = GPUs per task
gres . = generic resources per node (e.g. gpu:A40:1)
gres-flags . = how generic resources are allocated
help h - print help and exit
hint . = task binding hint
hold H - submit held; it starts only after scontrol release
ignore-pbs . - ignore #PBS lines
input i = file for stdin
job-name J = the name squeue shows, and %x in file names
kill-on-invalid-dep . = cancel when a dependency can never be met
licenses L = licenses the job needs
mail-type . = which events send mail (BEGIN, END, FAIL, ALL)
mail-user . = where the mail goes
mcs-label . = MCS label
mem . = memory per node (e.g. 4G; a bare number means megabytes)
mem-bind . = memory binding
mem-per-cpu . = memory per CPU core
mem-per-gpu . = memory per GPU
mincpus . = at least this many CPUs per node
network . = network settings
nice . ? lower the job's priority
no-kill k ? keep running if a node fails
no-requeue . - never requeue the job
nodefile F = file listing the nodes
nodelist w = nodes to use
nodes N = how many machines (N or MIN-MAX)
ntasks n = how many tasks (processes) to launch with srun
ntasks-per-core . = tasks per core
ntasks-per-gpu . = tasks per GPU
ntasks-per-node . = tasks per node
ntasks-per-socket . = tasks per socket
oom-kill-step . ? kill the whole step when one task runs out of memory
open-mode . = append or truncate the output files
output o = file for stdout (%x name, %A array job, %a task, %j job id)
overcommit O - allow more tasks than CPUs
oversubscribe s - share nodes with other jobs
parsable . - print only the job id
partition p = which group of nodes to run on
power . = power management options
prefer . = preferred node features
priority . = job priority (administrators)
profile . = profiling data to collect
propagate . ? which resource limits to pass on
qos q = quality of service (priority and limits class)
quiet Q - print less
reboot . - reboot the nodes before the job
requeue . - allow the job to be requeued
reservation . = run in this reservation
segment . = segment size for topology
signal . = send a signal this long before the time limit
sockets-per-node . = sockets the nodes must have
spread-job . - spread the job over as many nodes as possible
stepmgr . - enable the step manager
switches . = maximum number of network switches
test-only . - check the script and estimate the start, submit nothing
thread-spec . = threads reserved for system use
threads-per-core . = threads per core
time t = the time limit; the job is stopped when it is reached
time-min . = a shorter acceptable time limit
tmp . = minimum local disk space
tres-bind . = task binding to trackable resources
tres-per-task . = trackable resources per task
uid . = user to run as
usage u - print a short usage and exit
use-min-nodes . - prefer the smaller node count of a range
verbose v - print more
version V - print the version and exit
wait W - wait until the job ends before sbatch returns
wait-all-nodes . = start only when all nodes are ready
wckey . = workload characterisation key
wrap . = wrap a command string in a shell script
"""


@dataclass(frozen=True)
class Option:
    name: str  # long name, e.g. "job-name"
    short: str  # "J", or "" when there is none
    arg: str  # "=" required, "?" optional, "-" none
    help: str


def _load() -> dict[str, Option]:
    table = {}
    for line in _TABLE.strip().splitlines():
        name, short, arg, text = line.split(" ", 3)
        table[name] = Option(name, "" if short == "." else short, arg, text)
    return table


OPTIONS: dict[str, Option] = _load()
SHORT: dict[str, Option] = {opt.short: opt for opt in OPTIONS.values() if opt.short}


class OptionError(ValueError):
    """An option sbatch would refuse: unknown or ambiguous."""


def lookup_long(word: str) -> Option:
    """Find the option `--word` names, by exact name or unambiguous prefix, as getopt_long does."""
    if word in OPTIONS:
        return OPTIONS[word]
    matches = [opt for name, opt in OPTIONS.items() if name.startswith(word)] if word else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        names = ", ".join("--" + m.name for m in matches[:6])
        raise OptionError(f"--{word} is ambiguous: it could be {names}")
    raise OptionError(f"--{word} is not an sbatch option")


def explain(option: str) -> str:
    """One line on what the long option `option` does ("" if unknown)."""
    found = OPTIONS.get(option)
    return found.help if found else ""
