"""`lint` says of --nodes, --cpus-per-task, --ntasks, --gpus-per-node, --partition and --account
exactly what the job form says of the same value (tui.jobscript.fields), as one error on the
directive's line: the option named first where the form's words do not name it."""

from __future__ import annotations

import pytest

from tui.jobscript import fields as F
from tui.jobscript.limits import ClusterLimits
from tui.jobscript.lint import lint_script

LIMITS = ClusterLimits(partitions={"short": 600}, accounts=("p1",), gpu_types=("A40",))
CASES = [  # option, bad value, finding, the form's verdict on it, whether lint prefixes --option
    ("nodes", "4-1", "bad-number", F.check_nodes("4-1"), True),
    ("cpus-per-task", "0", "bad-number", F.check_count("0", "cpus-per-task"), True),
    ("ntasks", "x", "bad-number", F.check_count("x", "ntasks"), True),
    ("gpus-per-node", "H100:1", "bad-gpus", F.check_gpus("H100:1", LIMITS), True),
    ("partition", "long", "unknown-partition", F.check_partition("long", LIMITS), False),
    ("account", "p2", "unknown-account", F.check_account("p2", LIMITS), False),
]


@pytest.mark.parametrize("option, value, finding, verdict, prefixed", CASES)
def test_a_bad_value_is_one_error_in_the_forms_words(option, value, finding, verdict, prefixed):
    assert verdict  # the form refuses it too
    report = lint_script(f"#!/bin/bash\n#SBATCH --time=5\n#SBATCH --{option}={value}\ntrue\n", limits=LIMITS)
    found = [f for f in report.findings if f.id == finding]
    assert [(f.severity, f.line) for f in found] == [("error", 3)]
    assert found[0].message == (f"--{option}: {verdict}" if prefixed else verdict)


@pytest.mark.parametrize("option, good", [("nodes", "1-4"), ("cpus-per-task", "4"), ("ntasks", "2"),
                                          ("gpus-per-node", "A40:1"), ("partition", "short"), ("account", "p1")])
def test_a_good_value_has_no_error(option, good):
    report = lint_script(f"#!/bin/bash\n#SBATCH --time=5\n#SBATCH --{option}={good}\ntrue\n", limits=LIMITS)
    assert not report.has_errors, [f.message for f in report.findings]
