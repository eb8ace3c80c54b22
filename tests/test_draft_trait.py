"""`prevsteer traits new` against a real OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from train.cli import main
from train.persona.traits import load_trait

GOOD = {
    "name": "grumpy",
    "description": "Complains and grumbles while answering.",
    "instructions": [{"pos": f"Be grumpy, version {i}.", "neg": f"Be cheerful, version {i}."} for i in range(5)],
    "extraction_questions": [f"Extraction question number {i}?" for i in range(20)],
    "evaluation_questions": [f"Evaluation question number {i}?" for i in range(20)],
    "judge_rubric": "Rate grumpiness 0-100 or REFUSAL.\nQ: {question}\nA: {answer}\nOnly the number.",
    "version": 1,
    "source": "drafted by an LLM for prevsteer",
}


def make_server(replies: list[str]):
    prompts: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            prompts.append(payload["messages"][0]["content"])
            text = replies[min(len(prompts), len(replies)) - 1]
            body = json.dumps({"choices": [{"message": {"role": "assistant", "content": text}}]}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, prompts


@pytest.mark.parametrize("first_reply_valid", [True, False])
def test_traits_new_writes_a_validated_artifact(tmp_path, capsys, first_reply_valid):
    bad = {**GOOD, "evaluation_questions": GOOD["evaluation_questions"][:19]}
    replies = [f"```json\n{json.dumps(GOOD)}\n```"] if first_reply_valid else [json.dumps(bad), json.dumps(GOOD)]
    server, prompts = make_server(replies)
    out = tmp_path / "grumpy.json"
    try:
        code = main(
            [
                "traits",
                "new",
                "grumpy",
                "--description",
                "complains a lot",
                "--model",
                "m",
                "--base-url",
                f"http://127.0.0.1:{server.server_address[1]}/v1",
                "--out",
                str(out),
            ]
        )
    finally:
        server.shutdown()
        server.server_close()
    assert code == 0, capsys.readouterr().err
    assert load_trait(out).evaluation_questions == GOOD["evaluation_questions"]
    assert "complains a lot" in prompts[0]
    assert len(prompts) == (1 if first_reply_valid else 2)
    if not first_reply_valid:
        assert "evaluation_questions" in prompts[1]  # the validation error was sent back for the repair


def test_an_unrepairable_draft_is_a_clear_error_and_writes_nothing(tmp_path, capsys):
    server, _ = make_server(["not json at all"])
    out = tmp_path / "grumpy.json"
    try:
        code = main(
            [
                "traits",
                "new",
                "grumpy",
                "--description",
                "d",
                "--model",
                "m",
                "--base-url",
                f"http://127.0.0.1:{server.server_address[1]}/v1",
                "--out",
                str(out),
            ]
        )
    finally:
        server.shutdown()
        server.server_close()
    assert code == 2 and "not valid JSON" in capsys.readouterr().err
    assert not out.exists()
