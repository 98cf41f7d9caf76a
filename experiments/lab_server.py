"""The llama.cpp lab's own helpers (issue 15): a llama.cpp server with any setting under test,
the real map prompt for one article, and the map answer's schemas.

`LabServer` starts a server with a `ServerConfig`; the map prompts are the real ones
(`prompts/map/<version>.md`), filled as `service.summarize` fills them for one article a call (a
self-hosted model's default). Timings and the machine's load come from bench/llamacpp.py, which
bench/speed.py shares.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from bench.llamacpp import Timing
from service.config import Settings
from service.local_model import WEIGHTS, weights_path
from service.prompts import MAP_PROMPT, language_name, load_prompt
from service.types import Article

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
Message = dict[str, str]

# The compact, facts-only map answer the redesign aims at (issue 15).
COMPACT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "facts": {
            "type": "array",
            "items": {"type": "string", "maxLength": 200},
            "maxItems": 8,
        }
    },
    "required": ["facts"],
}


def total(timings: Sequence[Timing]) -> Timing:
    """Several completions as one (rates become token-weighted)."""
    return Timing(
        prompt_tokens=sum(t.prompt_tokens for t in timings),
        cached=sum(t.cached for t in timings),
        prefill_n=sum(t.prefill_n for t in timings),
        prefill_ms=sum(t.prefill_ms for t in timings),
        decode_n=sum(t.decode_n for t in timings),
        decode_ms=sum(t.decode_ms for t in timings),
        draft_n=sum(t.draft_n for t in timings),
        draft_accepted=sum(t.draft_accepted for t in timings),
        wall_s=sum(t.wall_s for t in timings),
    )


def machine() -> str:
    """One line on the machine's load now."""
    one, five, fifteen = os.getloadavg()
    return f"{os.cpu_count()} cores, loadavg {one:.2f} {five:.2f} {fifteen:.2f}"


# ---------------------------------------------------------------------------------------------
# A server with the settings under test


@dataclass(frozen=True)
class ServerConfig:
    """The llama.cpp settings an experiment varies; defaults are fusebrief's before issue 15."""

    model: str = "1.5b"
    slots: int = 1
    slot_context: int = 8192
    threads: int = 2
    threads_batch: int | None = None  # prefill threads (None: `threads`)
    n_batch: int = 2048
    n_ubatch: int = 512
    flash_attn: str = "auto"  # auto | on | off
    cache_type: str = "f16"  # KV cache type: f16 | q8_0 | q4_0
    cache_reuse: int = 0  # n_cache_reuse: shift reusable KV chunks of at least this many tokens
    speculative: str = "none"  # none | draft | ngram_simple | ngram_map_k | ngram_mod | ...
    draft_model: str = "0.5b"
    draft_max: int = 16
    draft_min: int = 0
    draft_p_min: float = 0.75
    ngram_n: int = 12  # ngram_simple / ngram_map_k: n-gram size to look up (size_n)
    ngram_m: int = 48  # tokens drafted at most (size_m)
    kv_unified: bool = False

    def label(self) -> str:
        return (
            ", ".join(
                f"{k}={v}" for k, v in self.__dict__.items() if v != getattr(ServerConfig(), k)
            )
            or "defaults"
        )

    def with_(self, **changes: Any) -> ServerConfig:
        return replace(self, **changes)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def common_params(config: ServerConfig, settings: Settings | None = None) -> Any:
    """xllamacpp.CommonParams for `config` (the weights must be pulled already)."""
    import xllamacpp as x

    settings = settings or Settings(_env_file=None)  # type: ignore[call-arg]
    params = x.CommonParams()
    params.model.path = str(weights_path(settings, WEIGHTS[config.model]))
    params.model_alias = {"local"}
    params.n_parallel = config.slots
    params.n_ctx = config.slots * config.slot_context
    params.cpuparams.n_threads = config.threads
    params.cpuparams_batch.n_threads = config.threads_batch or config.threads
    params.n_batch = config.n_batch
    params.n_ubatch = config.n_ubatch
    params.n_cache_reuse = config.cache_reuse
    params.kv_unified = config.kv_unified
    flash = {"auto": "AUTO", "on": "ENABLED", "off": "DISABLED"}[config.flash_attn]
    params.flash_attn_type = getattr(x.llama_flash_attn_type, f"LLAMA_FLASH_ATTN_TYPE_{flash}")
    kv = getattr(x.ggml_type, f"GGML_TYPE_{config.cache_type.upper()}")
    params.cache_type_k = kv
    params.cache_type_v = kv
    if config.speculative != "none":
        spec = params.speculative
        name = f"COMMON_SPECULATIVE_TYPE_{config.speculative.upper()}"
        spec.types = [getattr(x.common_speculative_type, name)]
        draft = spec.draft
        if config.speculative.startswith("draft"):
            draft.mparams.path = str(weights_path(settings, WEIGHTS[config.draft_model]))
            draft.cpuparams.n_threads = config.threads
            draft.cpuparams_batch.n_threads = config.threads_batch or config.threads
        draft.n_max = config.draft_max
        draft.n_min = config.draft_min
        draft.p_min = config.draft_p_min
        for ngram in (spec.ngram_simple, spec.ngram_map_k, spec.ngram_map_k4v):
            ngram.size_n = config.ngram_n
            ngram.size_m = config.ngram_m
    params.port = _free_port()
    params.verbosity = -1
    return params


class LabServer:
    """A llama.cpp server with `config`, on loopback, for raw HTTP requests."""

    def __init__(self, config: ServerConfig) -> None:
        import xllamacpp as x

        self.config = config
        params = common_params(config)
        started = time.monotonic()
        self._server: Any = x.Server(params)
        self.load_s = time.monotonic() - started
        self.url = f"http://127.0.0.1:{params.port}"
        self._http = httpx.Client(timeout=1800)

    def close(self) -> None:
        self._http.close()
        self._server = None

    def chat(self, body: dict[str, Any]) -> Timing:
        started = time.monotonic()
        url = f"{self.url}/v1/chat/completions"
        response = self._http.post(url, json={"model": "local", **body})
        response.raise_for_status()
        return Timing.of(response.json(), time.monotonic() - started, started)

    def chat_all(
        self, bodies: Sequence[dict[str, Any]], parallel: int
    ) -> tuple[list[Timing], float]:
        """Every body, `parallel` at a time; (timings in order, wall seconds for all)."""
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            timings = list(pool.map(self.chat, bodies))
        return timings, time.monotonic() - started

    def tokens(self, text: str) -> list[str]:
        """The model's tokens of `text`, as strings."""
        response = self._http.post(
            f"{self.url}/tokenize", json={"content": text, "with_pieces": True}
        )
        response.raise_for_status()
        return [str(t["piece"]) for t in response.json()["tokens"]]

    def erase_slots(self) -> None:
        """Forget every slot's KV cache (so the next prompt is computed in full)."""
        for slot in range(self.config.slots):
            self._http.post(f"{self.url}/slots/{slot}?action=erase")


@contextmanager
def lab_server(config: ServerConfig) -> Iterator[LabServer]:
    server = LabServer(config)
    try:
        yield server
    finally:
        server.close()


# ---------------------------------------------------------------------------------------------
# The real map prompt


def map_messages(article: Article, language: str = "en") -> list[Message]:
    """The map prompt for one article alone, as `service.summarize` fills it."""
    prompt = load_prompt(*MAP_PROMPT)
    translation = ""
    article_language = article.language or language
    if article_language != language:
        translation = prompt.part(
            "translate",
            article_language_name=language_name(article_language),
            language_name=language_name(language),
        )
    text = prompt.part(
        "article",
        id="A1",
        outlet=article.source,
        part="1 of 1",
        title=article.title,
        text=article.text,
    )
    from service.summarize import MAX_FACTS_PER_CHUNK

    return prompt.messages(
        language_name=language_name(language),
        translation=translation,
        max_facts=MAX_FACTS_PER_CHUNK,
        articles=text,
    )


def current_map_schema() -> dict[str, Any]:
    """The map answer's schema today: facts, quotes and angle under A1."""
    from service.summarize import _call_output

    return _call_output(1).model_json_schema()


def json_schema_format(schema: dict[str, Any], name: str = "MapCall") -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}
