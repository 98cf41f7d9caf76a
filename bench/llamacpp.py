"""Measuring the embedded llama.cpp server by its own clock: what `bench/speed.py --embedded`
uses.

llama.cpp's OpenAI-compatible server answers every completion with a `timings` object (verified
on xllamacpp 2026.10: `cache_n`, `prompt_n`, `prompt_ms`, `predicted_n`, `predicted_ms`, the
per-token and per-second figures, and `draft_n` / `draft_n_accepted` when speculative decoding
ran). `Timing` reads it; `CpuMeter` says how busy the rest of the machine was while something ran
(the machine is shared); `compact` is the no-whitespace grammar of `--compact-json`. The
llama.cpp settings experiments of issue 15 (their own servers, prompts and schemas) are in
experiments/.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.types import Article

# llguidance (the grammar engine this llama.cpp build uses for json_schema) reads these options
# from the schema's root: no whitespace between tokens, and these exact separators.
NO_WHITESPACE: dict[str, Any] = {
    "whitespace_flexible": False,
    "item_separator": ",",
    "key_separator": ":",
}


def strict(schema: Any) -> Any:
    """`schema` with `additionalProperties: false` on every object that does not say: llguidance
    follows JSON Schema, where unlisted keys are allowed (pydantic's schemas do not forbid them,
    and a small model then invents "A2", "A3", … after "A1")."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: strict(value) for key, value in schema.items()}
    if out.get("type") == "object" and "properties" in out:
        out.setdefault("additionalProperties", False)
    return out


def compact(schema: dict[str, Any], **guidance: Any) -> dict[str, Any]:
    """`schema`, strict, with llguidance told to allow no whitespace (`x-guidance`)."""
    return {**strict(schema), "x-guidance": {**NO_WHITESPACE, **guidance}}


# ---------------------------------------------------------------------------------------------
# llama.cpp's timings


@dataclass(frozen=True)
class Timing:
    """One completion by llama.cpp's own clock, plus the wall time seen by the client."""

    prompt_tokens: int  # the whole prompt (usage.prompt_tokens)
    cached: int  # prompt tokens reused from the slot's KV cache (timings.cache_n)
    prefill_n: int  # prompt tokens actually computed (timings.prompt_n)
    prefill_ms: float
    decode_n: int  # timings.predicted_n
    decode_ms: float
    draft_n: int = 0
    draft_accepted: int = 0
    wall_s: float = 0.0
    started: float = 0.0  # time.monotonic() when the request was sent
    content: str = ""

    @classmethod
    def of(cls, response: dict[str, Any], wall_s: float = 0.0, started: float = 0.0) -> Timing:
        t = response.get("timings") or {}
        usage = response.get("usage") or {}
        choices = response.get("choices") or [{}]
        content = str((choices[0].get("message") or {}).get("content") or "")
        prefill_n = int(t.get("prompt_n") or 0)
        cached = int(t.get("cache_n") or 0)
        return cls(
            prompt_tokens=int(usage.get("prompt_tokens") or prefill_n + cached),
            cached=cached,
            prefill_n=prefill_n,
            prefill_ms=float(t.get("prompt_ms") or 0.0),
            decode_n=int(t.get("predicted_n") or 0),
            decode_ms=float(t.get("predicted_ms") or 0.0),
            draft_n=int(t.get("draft_n") or 0),
            draft_accepted=int(t.get("draft_n_accepted") or 0),
            wall_s=wall_s,
            started=started,
            content=content,
        )

    @property
    def prefill_tps(self) -> float:
        return rate(self.prefill_n, self.prefill_ms)

    @property
    def decode_tps(self) -> float:
        return rate(self.decode_n, self.decode_ms)

    @property
    def acceptance(self) -> float | None:
        return self.draft_accepted / self.draft_n if self.draft_n else None


def rate(tokens: int, ms: float) -> float:
    return tokens / ms * 1000 if ms > 0 else 0.0


# ---------------------------------------------------------------------------------------------
# How busy the machine was


def _proc_stat() -> tuple[float, float, float]:
    """(busy, steal, total) jiffies of all CPUs, from /proc/stat."""
    fields = [float(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0.0] * 8)[:8]
    return user + nice + system + irq + softirq, steal, sum(fields[:8])


@dataclass
class CpuMeter:
    """CPU used by other processes (and stolen by the hypervisor) while a block runs, in cores:
    `with CpuMeter() as cpu: ...` then `cpu.others`, `cpu.steal`, `cpu.load` (1-min loadavg
    before the block)."""

    load: float = 0.0
    others: float = 0.0  # cores busy with other processes' work
    steal: float = 0.0  # cores stolen by the hypervisor
    ours: float = 0.0  # cores used by this process
    _start: tuple[float, float, float, float, float] = field(default=(0, 0, 0, 0, 0))

    def __enter__(self) -> CpuMeter:
        self.load = os.getloadavg()[0]
        busy, steal, _ = _proc_stat()
        times = os.times()
        self._start = (busy, steal, times.user + times.system, time.monotonic(), 0.0)
        return self

    def __exit__(self, *exc: object) -> None:
        busy, steal, _ = _proc_stat()
        times = os.times()
        busy0, steal0, ours0, t0, _ = self._start
        wall = max(1e-6, time.monotonic() - t0)
        tick = os.sysconf("SC_CLK_TCK")
        self.ours = (times.user + times.system - ours0) / wall
        self.others = max(0.0, (busy - busy0) / tick / wall - self.ours)
        self.steal = (steal - steal0) / tick / wall

    def describe(self) -> str:
        return (
            f"load {self.load:.2f} before; during: others {self.others:.2f} cores, "
            f"steal {self.steal:.2f}, ours {self.ours:.2f}"
        )


# ---------------------------------------------------------------------------------------------
# Bundles


def load_bundle(path: Path) -> dict[str, Any]:
    """A request body {"articles": [...]} from a bundle JSON file or a folder of articles."""
    if path.is_file() and path.suffix == ".json":
        body: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return body
    from service.briefs import BriefRequest
    from service.loaders import load_articles
    from service.types import BriefOptions

    options = BriefOptions(max_sentences=10)
    return BriefRequest(tuple(load_articles([path])), options).to_json()


def articles_of(body: dict[str, Any]) -> list[Article]:
    from service.briefs import BriefRequest

    return list(BriefRequest.from_json(body).articles)
