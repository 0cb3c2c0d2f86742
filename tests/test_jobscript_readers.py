"""One #SBATCH reader: the checks, the local runner and HyperQueue read scripts through the parser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import tui
from tui.checks.directives import read_directives as checks_read
from tui.cluster.hyperqueue import script_array, script_cpus
from tui.cluster.local_spec import expand_pattern, load_spec
from tui.cluster.local_spec import read_directives as local_read
from tui.jobscript.parser import parse_script

# A script whose last #SBATCH lines come after the first command: sbatch ignores them.
LATE = "#!/bin/bash\n#SBATCH --arr=0-7%2 -c2\necho start\n#SBATCH --array=0-99\n#SBATCH --cpus-per-task=8\n"


def test_hyperqueue_reads_directives_as_sbatch_does():
    assert script_array(LATE) == "0-7"  # --arr: getopt's abbreviation; the later line is a comment
    assert script_cpus(LATE) == 2
    assert script_array("#!/bin/bash\n#SBATCH -a0-3\ntrue\n") == "0-3"
    assert script_cpus("#!/bin/bash\n#SBATCH -c 4 # four\ntrue\n") == 4
    assert script_array("#!/bin/bash\ntrue\n") == "0" and script_cpus("#!/bin/bash\ntrue\n") == 1


def test_checks_and_local_runner_agree_with_the_parser():
    parsed = parse_script(LATE)
    assert checks_read(LATE).get("array") == local_read(LATE)["array"] == parsed.value("array") == "0-7%2"
    assert [n for n, _ in checks_read(LATE).ignored] == [n for n, _ in parsed.ignored] == [4, 5]


def test_local_runner_takes_array_ids_from_the_array_parser():
    spec = load_spec("#!/bin/bash\n#SBATCH --array=0-15:5,3%2\ntrue\n")
    assert spec.indices == [0, 3, 5, 10, 15] and spec.limit == 2
    from tui.cluster.backend import BackendError

    with pytest.raises(BackendError, match="runs backwards"):
        load_spec("#!/bin/bash\n#SBATCH --array=5-1\ntrue\n")


def test_local_runner_keeps_a_pattern_letter_it_has_no_value_for():
    values = {"x": "job", "A": "12", "a": "3", "j": "15"}
    assert expand_pattern("%x-%A_%a-%b-%J.out", values) == "job-12_3-%b-%J.out"


# A regex or a prefix test on "#SBATCH", or a map of sbatch's short options ("a": "array").
_READS_SBATCH = re.compile(r"(re\.(compile|match|search|findall)|startswith)\(.*#SBATCH|\"a\": \"array\"")


def test_no_module_but_the_parser_reads_sbatch_lines():
    root = Path(tui.__file__).parent
    readers = sorted(str(path.relative_to(root)) for path in root.rglob("*.py")
                     if _READS_SBATCH.search(path.read_text(encoding="utf-8")))
    assert readers == ["jobscript/parser.py"], readers
