"""The output channel: messages, warnings, results and progress bars come from rank 0 (or a single process) only."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from train.console import progress, result, say, warn


@pytest.mark.parametrize(("rank", "shown"), [(None, True), ("0", True), ("1", False), ("3", False)])
def test_only_the_main_process_speaks(rank, shown, monkeypatch, capsys):
    if rank is None:
        monkeypatch.delenv("RANK", raising=False)
    else:
        monkeypatch.setenv("RANK", rank)
    say("loading [weights] 1/2")  # brackets are text, not rich markup
    warn("only 3 rows")
    result("run directory: runs/x")
    with progress(total=4, desc="steps", mininterval=0) as bar:
        bar.update(4)
        disabled = bar.disable
    out, err = capsys.readouterr()
    if shown:
        assert out == "run directory: runs/x\n"
        assert "loading [weights] 1/2\n" in err and "warning: only 3 rows\n" in err and "steps" in err
    else:
        assert out == "" and err == ""
    assert disabled is not shown


@pytest.mark.slow
def test_under_torchrun_two_ranks_speak_once(tmp_path):
    script = tmp_path / "speak.py"
    script.write_text(
        "import os\nfrom train.console import result, say\n"
        "say(f\"message from rank {os.environ['RANK']}\")\nresult(f\"result from rank {os.environ['RANK']}\")\n"
    )
    launcher = ("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")
    env = {k: v for k, v in os.environ.items() if k not in launcher} | {"OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", str(script)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["result from rank 0"]
    assert "message from rank 0" in done.stderr and "message from rank 1" not in done.stderr
