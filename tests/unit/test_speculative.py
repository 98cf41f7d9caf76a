"""The embedded server's speed settings: FUSEBRIEF_LOCAL_SPECULATIVE → xllamacpp's
CommonParams, the per-call acceptance llama.cpp reports (summed in a brief's usage), and the
prompts' fixed parts computed at start. No model is loaded."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import pytest
import xllamacpp as x
from pydantic import ValidationError

from service.config import Settings
from service.llm import draft_counts
from service.local_model import fixed_prompts, speculative_params, warm
from service.prompts import map_messages, title_messages
from service.tuning import MAX_FACTS_PER_CHUNK
from service.types import Usage

KINDS = x.common_speculative_type


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg,arg-type]


def test_off_sets_no_speculative_type() -> None:
    params = speculative_params(x.CommonParams(), _settings(local_speculative="off"))
    assert params.speculative.types == [KINDS.COMMON_SPECULATIVE_TYPE_NONE]


def test_ngram_is_llama_cpp_ngram_simple_with_the_configured_sizes() -> None:
    settings = _settings(local_speculative="ngram", local_ngram_size=3, local_draft_max=12)
    spec = speculative_params(x.CommonParams(), settings).speculative
    assert spec.types == [KINDS.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE]
    assert (spec.ngram_simple.size_n, spec.ngram_simple.size_m) == (3, 12)
    assert (spec.draft.n_max, spec.draft.n_min) == (12, 0)
    assert spec.draft.mparams.path == ""  # no draft model is loaded


def test_draft_loads_the_draft_weights_with_the_servers_threads() -> None:
    settings = _settings(local_speculative="draft", local_draft_max=6, local_threads=1)
    draft = Path("/models/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf")
    spec = speculative_params(x.CommonParams(), settings, draft).speculative
    assert spec.types == [KINDS.COMMON_SPECULATIVE_TYPE_DRAFT_SIMPLE]
    assert spec.draft.mparams.path == str(draft)
    assert spec.draft.n_max == 6
    assert spec.draft.cpuparams.n_threads == 1
    assert spec.draft.cpuparams_batch.n_threads == 1


def test_draft_without_weights_is_refused() -> None:
    with pytest.raises(ValueError, match="draft's weights"):
        speculative_params(x.CommonParams(), _settings(local_speculative="draft"))


def test_the_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUSEBRIEF_LOCAL_SPECULATIVE", "off")
    monkeypatch.setenv("FUSEBRIEF_LOCAL_DRAFT_MAX", "16")
    settings = _settings()
    assert (settings.local_speculative, settings.local_draft_max) == ("off", 16)


def test_the_05b_cannot_draft_for_itself() -> None:
    with pytest.raises(ValidationError, match=r"FUSEBRIEF_LOCAL_MODEL=1\.5b"):
        _settings(local_speculative="draft", local_model="0.5b")


def _response(timings: object) -> SimpleNamespace:
    return SimpleNamespace(timings=timings)


def test_draft_counts_come_from_llama_cpp_timings() -> None:
    timings = {"predicted_n": 120, "draft_n": 64, "draft_n_accepted": 41}
    assert draft_counts(_response(timings)) == (64, 41)


@pytest.mark.parametrize(
    "response",
    [
        SimpleNamespace(),  # a hosted model: no timings
        _response(None),
        _response({"predicted_n": 120}),  # llama.cpp without speculative decoding
        _response({"draft_n": "many"}),
    ],
)
def test_no_draft_counts_where_none_are_reported(response: object) -> None:
    assert draft_counts(response) is None


def test_accepted_never_exceeds_drafted() -> None:
    assert draft_counts(_response({"draft_n": 4, "draft_n_accepted": 9})) == (4, 4)


def test_usage_keeps_each_calls_acceptance_and_the_sums() -> None:
    usage = Usage()
    assert usage.acceptance is None
    usage.add(900, 180, (96, 60))
    usage.add(300, 25)  # a call with nothing reported
    usage.add(850, 170, (80, 20))
    assert (usage.llm_calls, usage.prompt_tokens, usage.completion_tokens) == (3, 2050, 375)
    assert usage.drafts == [(96, 60), (80, 20)]
    assert (usage.draft_tokens, usage.draft_accepted) == (176, 80)
    assert usage.acceptance == pytest.approx(80 / 176)


def test_the_fixed_prompts_are_what_every_call_begins_with() -> None:
    map_fixed, title_fixed = fixed_prompts()
    article = (
        '<article id="A1" outlet="x" part="1 of 1">\nPay deal\n\nDockers won a rise.\n</article>'
    )
    for fixed, real in (
        (map_fixed, map_messages("en", "", article, MAX_FACTS_PER_CHUNK)),
        (title_fixed, title_messages("en", "- Dockers won a rise.")),
    ):
        assert real[0] == fixed[0]  # the system message
        instructions = fixed[1]["content"].partition("<")[0]  # up to the data's tag
        assert len(instructions) > 50
        assert real[1]["content"].startswith(instructions)


class _Counting(BaseHTTPRequestHandler):
    requests: ClassVar[list[tuple[str, dict[str, object]]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append((self.path, body))
        status = 500 if len(type(self).requests) == 1 else 200  # the first one fails
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_warm_computes_each_prompt_once_copies_the_map_prompt_and_survives_a_failure() -> None:
    """Four slots: the title prompt, then the map prompt, in the first; the map prompt's state
    copied into the other three; the title request failing (500) costs only that step."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        done = warm(f"http://127.0.0.1:{server.server_address[1]}/v1", 4, "fixed.bin")
    finally:
        server.shutdown()
    map_fixed, title_fixed = fixed_prompts()
    paths = [path for path, _ in _Counting.requests]
    assert paths == [
        "/v1/chat/completions",
        "/v1/chat/completions",
        "/slots/0?action=save",
        "/slots/1?action=restore",
        "/slots/2?action=restore",
        "/slots/3?action=restore",
    ]
    (_, title), (_, first), *copies = _Counting.requests
    assert (title["messages"], title["id_slot"]) == (title_fixed, 0)
    assert (first["messages"], first["id_slot"]) == (map_fixed, 0)
    assert all(b["max_tokens"] == 1 and b["temperature"] == 0 for b in (title, first))
    assert all(body == {"filename": "fixed.bin"} for _, body in copies)
    assert done == 4  # the map prompt and its three copies; not the title
