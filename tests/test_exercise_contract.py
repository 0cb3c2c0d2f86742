"""The exercise contract: the catalog names each exercise's checks module, the loader refuses an
exercise without one, and `load_checks` refuses a module that lacks part of ExerciseChecks."""

from __future__ import annotations

import sys
import types

import pytest

from tui.checks.contract import ChecksContractError, ExerciseChecks, contract_problems, load_checks
from tui.course.catalog import CatalogError, bundled_catalog, load_catalog


def catalog_with(tmp_path, checks_line: str):
    (tmp_path / "99_new").mkdir()
    (tmp_path / "99_new" / "README.md").write_text("# New\n\n## Step\n\nDo it.\n")
    path = tmp_path / "info.toml"
    path.write_text(f'[[exercises]]\nid = "99"\ntitle = "New"\ndir = "99_new"\n{checks_line}\n')
    return path


def test_an_exercise_without_checks_is_refused(tmp_path):
    with pytest.raises(CatalogError, match="exercise '99' names no checks module"):
        load_catalog(catalog_with(tmp_path, ""))


def test_an_exercise_whose_checks_module_is_missing_is_refused(tmp_path):
    with pytest.raises(CatalogError, match="its checks module tui.checks.ex99 does not exist"):
        load_catalog(catalog_with(tmp_path, 'checks = "tui.checks.ex99"'))
    other = tmp_path / "other"
    other.mkdir()
    with pytest.raises(CatalogError, match="does not exist"):  # a package that is not there either
        load_catalog(catalog_with(other, 'checks = "no_such_package.checks"'))


def test_an_exercise_with_checks_loads(tmp_path):
    item = load_catalog(catalog_with(tmp_path, 'checks = "tui.checks.ex01"')).exercise("99")
    assert item.checks == "tui.checks.ex01"


def test_every_bundled_exercise_keeps_the_contract():
    for item in bundled_catalog().exercises:
        module = load_checks(item.checks)
        assert isinstance(module, ExerciseChecks) and contract_problems(module) == []


def test_a_module_lacking_part_of_the_contract_is_named(monkeypatch):
    half = types.ModuleType("tui_fake_checks")
    half.CHECK_IDS = ("a.b",)
    half.run = lambda ctx: []
    half.REFERENCE_NEEDS = "pbs"
    monkeypatch.setitem(sys.modules, "tui_fake_checks", half)
    with pytest.raises(ChecksContractError) as caught:
        load_checks("tui_fake_checks")
    message = str(caught.value)
    assert "CODE_FILES must be a non-empty tuple" in message and "no function reference_run()" in message
    assert "REFERENCE_NEEDS must be one of" in message and "CHECK_IDS" not in message
    with pytest.raises(ChecksContractError, match="checks module tui.checks.ex99"):
        load_checks("tui.checks.ex99")
