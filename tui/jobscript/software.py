"""Does the script set up its software before it runs `python`?

A job runs with the PATH it is given. Jobs submitted from this app (the local runner, sbatch on
this host) get the app's own Python, with torch, first on PATH (`cluster.jobenv`), so a bare
`python` works there. On a cluster reached over ssh the compute nodes have the cluster's
software: a script that runs `python` without loading a module, activating an environment or
entering a container there gets whatever `python` the node has, usually one without torch.
"""

from __future__ import annotations

import re

from tui.jobscript.parser import ParsedScript

# A bare python: the word itself, not part of a path (venv/bin/python) or a variable ($PYTHON).
_PYTHON = re.compile(r"(?<![\w/.$:{=-])python(?:3(?:\.\d+)?)?(?![\w.-])")
# What sets software up: modules, a venv or conda environment, a container, or a PATH of one's own.
_SETUP = re.compile(
    r"\b(?:module\s+(?:load|add|restore)\b|ml\s+\S|spack\s+load\b|(?:conda|mamba|micromamba)\s+activate\b"
    r"|(?:uv|pixi|poetry)\s+run\b|apptainer\b|singularity\b)"
    r"|(?:^|[\s;&|])(?:source|\.)\s+\S*activate\b"
    r"|\bPATH="
)
MESSAGE = ("python runs here with no software set-up before it (module load, source .../activate, conda activate, "
           "apptainer): jobs submitted from this app get its Python (with torch) first on PATH; "
           "on a cluster over ssh, set the software up here")


def software_finding(parsed: ParsedScript, remote: bool = False) -> tuple[str, int, str] | None:
    """(severity, line, message) when the script runs `python` before any set-up, else None.

    Args:
        parsed: the script as `parser.parse_script` read it (its body is checked).
        remote: the job goes to a cluster over ssh: a warning then, else a fact worth knowing.
    """
    if not parsed.body_line:
        return None
    for number, line in enumerate(parsed.body.split("\n"), start=parsed.body_line):
        code = line.strip()
        if not code or code.startswith("#"):
            continue
        if _SETUP.search(code):
            return None
        if _PYTHON.search(code):
            return ("warning" if remote else "info"), number, MESSAGE
    return None
