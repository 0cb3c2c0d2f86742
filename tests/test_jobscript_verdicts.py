"""The form and `lint` judge a value against the site's limits the same way, from one place.

Each case goes through the form's validation (`validate_for`, what the script form and
`hptune-tui script` call) and through `lint_script` on a script holding the same directive; both
must call it an error, or both let it pass. The limits come from `site_limits(workspace)`, which
reads what `doctor` recorded.
"""

from __future__ import annotations

import pytest

from tui.cluster.discovery import ClusterInfo, Partition, save_cache
from tui.jobscript.limits import ClusterLimits, site_limits
from tui.jobscript.lint import lint_script
from tui.jobscript.spec import DIRECTIVE_FIELDS, JobSpec
from tui.jobscript.templates import template_info, validate_for

SITE = ClusterInfo(scheduler="slurm", accounts=["course"], max_array_size=1001, partitions=[
    Partition("debug", default=True, max_seconds=3600, gpu_types=["A40"]),
    Partition("short", max_seconds=300), Partition("long", max_seconds=None)])


@pytest.fixture
def limits(workspace) -> ClusterLimits:
    save_cache(workspace, SITE)
    return site_limits(workspace)


def test_site_limits_come_from_the_discovery_cache(workspace):
    assert site_limits(workspace) == ClusterLimits()  # doctor never ran: nothing known
    save_cache(workspace, SITE)
    limits = site_limits(workspace)
    assert limits.partitions == {"debug": 3600, "short": 300, "long": None}
    assert limits.max_array_size == 1001 and limits.accounts == ("course",) and limits.gpu_types == ("A40",)
    assert limits.default_partition == "debug"
    save_cache(workspace, ClusterInfo(scheduler="none"))  # a laptop without SLURM knows no limits
    assert site_limits(workspace) == ClusterLimits()
    assert site_limits(None) == ClusterLimits()


CASES = [  # (field=value pairs, the field judged, is it an error)
    (["partition=short", "time=6:00"], "time", True),  # over short's 5 minutes
    (["partition=short", "time=4:00"], "time", False),
    (["partition=long", "time=7-00:00:00"], "time", False),  # long has no limit
    (["time=2:00:00"], "time", True),  # no partition: the default one's hour applies
    (["time=0:59:00"], "time", False),
    (["time=soon"], "time", True),
    (["array=0-2000"], "array", True),  # MaxArraySize 1001, not Slurm's default
    (["array=0-1000%10"], "array", False),
    (["array=5-1"], "array", True),
    (["partition=gpu"], "partition", True),
    (["account=other"], "account", True),
    (["account=course"], "account", False),
    (["gpus_per_node=V100:1"], "gpus_per_node", True),
    (["gpus_per_node=A40:1"], "gpus_per_node", False),
    (["mem=4GB"], "mem", True),
    (["mem=4G"], "mem", False),
    (["cpus_per_task=0"], "cpus_per_task", True),
    (["nodes=3-1"], "nodes", True),
]


def _form_verdict(pairs: list[str], name: str, limits: ClusterLimits) -> bool:
    info = template_info("single")
    spec = JobSpec.from_pairs(pairs, base=info.default_spec(), extra_keys=tuple(info.extras))
    return name in validate_for(info, spec, limits)


def _lint_verdict(pairs: list[str], name: str, limits: ClusterLimits) -> bool:
    spec = JobSpec.from_pairs(pairs)
    lines = [f"#SBATCH --{option}={value}" for option, value in spec.directives()]
    text = "\n".join(["#!/bin/bash", *lines, "module load x", "python train.py"]) + "\n"
    option = DIRECTIVE_FIELDS[name]
    line = 2 + next(i for i, (opt, _) in enumerate(spec.directives()) if opt == option)
    return any(f.severity == "error" and f.line == line for f in lint_script(text, limits=limits).findings)


@pytest.mark.parametrize("pairs, name, error", CASES, ids=[" ".join(case[0]) for case in CASES])
def test_form_and_lint_give_the_same_verdict(limits, pairs, name, error):
    assert _form_verdict(pairs, name, limits) is error
    assert _lint_verdict(pairs, name, limits) is error


def test_without_limits_both_let_site_values_pass():
    for pairs, name in ((["array=0-2000"], "array"), (["partition=short", "time=6:00"], "time"),
                        (["account=other"], "account")):
        assert not _form_verdict(pairs, name, ClusterLimits())
        assert not _lint_verdict(pairs, name, ClusterLimits())


def test_where_the_form_is_stricter_than_lint():
    """The form writes scripts, so it also refuses what sbatch accepts but is likely a slip;
    lint reads someone's script and warns about the same values."""
    for pairs, name, finding in ((["time=0:75:00"], "time", "time-odd-field"),
                                 (["output=logs/%q.out"], "output", "unknown-pattern")):
        assert _form_verdict(pairs, name, ClusterLimits())
        text = "#!/bin/bash\n" + "".join(f"#SBATCH --{o}={v}\n" for o, v in JobSpec.from_pairs(pairs).directives())
        severities = {f.id: f.severity for f in lint_script(text + "true\n").findings}
        assert severities[finding] == "warning"
