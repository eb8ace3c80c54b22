"""The output channel: messages, warnings, results and progress bars come from rank 0 (or a single process) only."""

from __future__ import annotations

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
