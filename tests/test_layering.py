"""The core never imports textual; the job runtime stays light; the home screen loads no heavy library."""

import subprocess
import sys
import textwrap

import pytest

CORE = ["tui.course", "tui.course.catalog", "tui.course.workspace", "tui.course.progress", "tui.jobscript",
        "tui.cluster", "tui.results", "tui.checks", "tui.sim", "tui.runtime", "tui.settings", "tui.services",
        "tui.workflows"]
HEAVY = ["torch", "sklearn", "optuna", "pandas"]


def _run(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("module", CORE)
def test_core_module_does_not_import_textual(module):
    out = _run(f"""
        import importlib, sys, pkgutil
        mod = importlib.import_module({module!r})
        for info in pkgutil.walk_packages(getattr(mod, "__path__", []), prefix=mod.__name__ + "."):
            if not info.name.endswith("__main__"):
                importlib.import_module(info.name)
        print(sorted(m for m in sys.modules if m.split(".")[0] == "textual"))
    """)
    assert out.strip() == "[]"


def test_runtime_does_not_import_paramiko_or_cluster():
    out = _run("""
        import sys, tui.runtime
        print([m for m in sys.modules if m.startswith(("paramiko", "tui.cluster", "textual"))])
    """)
    assert out.strip() == "[]"


def test_home_screen_imports_no_heavy_library(tmp_path):
    out = _run(f"""
        import asyncio, sys
        from pathlib import Path
        from tui.settings import load_settings
        from tui.app import make_app

        async def main():
            settings = load_settings(env={{"HPTUNE_WORKSPACE": {str(tmp_path)!r}}}, user_config=Path("/nonexistent"))
            app = make_app(settings, resume=False)
            async with app.run_test() as pilot:
                await pilot.pause()
                assert type(app.screen).__name__ == "HomeScreen", app.screen
        asyncio.run(main())
        print([m for m in {HEAVY!r} if m in sys.modules])
    """)
    assert out.strip() == "[]"
