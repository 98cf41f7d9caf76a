"""The restatement check on sentence pairs: does the brief leave out a sentence that only makes
again the point of the one before it, and keep one that adds something?

    python bench/pairs.py                        # bench/pairs/dev.jsonl on the embedded 1.5B
    python bench/pairs.py --set blind --model local-0.5b

Each line of bench/pairs/<set>.jsonl is a pair of sentences (`a`, then `b`) in one language,
labelled `restates` (b tells a reader nothing a did not) or `adds`, with its kind (paraphrase,
part, attribution, position; same-topic, new-detail, other-figure, reaction). Both sets were
written by someone who never read the pipeline; `dev` is the one thresholds were read from,
`blind` is scored only when a change is finished. The pair goes through the writer's own checks
(service.write) and the model's yes-or-no question (service.restatements), as in a brief; the
table gives, per kind, how many pairs the brief would state as one sentence (b left out).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.quality import LOCAL_MODELS, log, upstream_for

ROOT = Path(__file__).resolve().parent


async def left_out(
    pairs: Sequence[dict[str, str]], api_base: str, label: str
) -> list[tuple[bool, bool]]:
    """For each pair, whether the brief leaves out `b` after `a` by the writer's checks, and
    whether by the model's answer."""
    from service.config import Settings
    from service.llm import LLMClient
    from service.restatements import without_restatements
    from service.types import Sentence
    from service.write import restates

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        llm_model="openai/local" if label in LOCAL_MODELS else label,
        llm_api_base=api_base,
        llm_api_key="bench",  # type: ignore[arg-type]
        cache="off",
    )
    model = LLMClient(settings).session()
    results = []
    for pair in pairs:
        sentences = [Sentence(pair["a"], ("S1",)), Sentence(pair["b"], ("S2",))]
        kept, _ = await without_restatements(sentences, model, pair["language"], room=2)
        results.append((restates(pair["b"], pair["a"], pair["language"]), len(kept) == 1))
    return results


def table(pairs: Sequence[dict[str, str]], dropped: Sequence[tuple[bool, bool]]) -> str:
    counts: dict[tuple[str, str], Counter[str]] = {}
    for pair, (by_writer, by_model) in zip(pairs, dropped, strict=True):
        for kind in (pair["kind"], "all"):
            count = counts.setdefault((pair["label"], kind), Counter())
            count.update(pairs=1, writer=by_writer, model=by_model, either=by_writer or by_model)
    lines = [
        "| label | kind | pairs | b left out: writer's checks | model's answer | either |",
        "|---|---|---|---|---|---|",
    ]
    order = sorted(counts, key=lambda key: (key[0] == "adds", key[1] == "all", key[1]))
    for label, kind in order:
        c = counts[label, kind]
        lines.append(
            f"| {label} | {kind} | {c['pairs']} | {c['writer']} | {c['model']} | {c['either']} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python bench/pairs.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--set", choices=("dev", "blind"), default="dev")
    parser.add_argument(
        "--model", default="local-1.5b", help="local-0.5b, local-1.5b or a litellm model"
    )
    args = parser.parse_args(argv)
    path = ROOT / "pairs" / f"{args.set}.jsonl"
    pairs = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    with upstream_for(args.model) as upstream:
        log(f"{args.model}: {len(pairs)} pairs of {path.name}")
        dropped = asyncio.run(left_out(pairs, upstream.api_base or "", args.model))
    print(f"\n{args.set}: {len(pairs)} pairs, {args.model}\n")
    print(table(pairs, dropped))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
