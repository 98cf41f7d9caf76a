"""A brief's progress as people and clients see it: each stage's label, the typed live events
(`stage`, `warning`, `brief`, `error`) that the SSE streams, the MCP tool and the web page carry,
and where a brief's time went (`fusebrief brief --verbose`).

The pipeline reports `ProgressEvent(stage, done, total, detail)`; stage names are open strings
(a stage without a label here is shown by its name), so a new stage never breaks a client.
"""

import time
from dataclasses import dataclass, field
from typing import Any

from service.types import ProgressEvent

STAGE_LABELS = {  # the pipeline's progress stages, as the terminal and the web page show them
    "clean": "cleaning the articles",
    "identify": "identifying sources",
    "map": "extracting facts",
    "translate": "translating facts",
    "check": "writing and checking the brief",
    "title": "writing the title",
}

# The event types of a live brief (README, "Live progress"): in this order, then the stream ends.
STAGE = "stage"
WARNING = "warning"
BRIEF = "brief"
ERROR = "error"


def stage_label(stage: str) -> str:
    """How a stage is shown: its label, or its own name for a stage this release does not know."""
    return STAGE_LABELS.get(stage, stage.replace("_", " "))


def stage_data(event: ProgressEvent, elapsed_s: float) -> dict[str, Any]:
    """The data of a `stage` event: the pipeline's event, its label and the seconds since the
    brief started."""
    return {
        "stage": event.stage,
        "label": stage_label(event.stage),
        "done": event.done,
        "total": event.total,
        "detail": event.detail,
        "elapsed_s": round(elapsed_s, 3),
    }


def describe(data: dict[str, Any]) -> str:
    """One line for a `stage` event's data, e.g. "extracting facts 2/5 · S3"."""
    line = f"{data['label']} {data['done']}/{data['total']}"
    return f"{line} · {data['detail']}" if data.get("detail") else line


@dataclass
class StageClock:
    """Turns progress events into `stage` data with the elapsed time, and keeps how long each
    stage took: from the end of the stage before it to its own last event."""

    started: float = field(default_factory=time.perf_counter)
    _order: list[str] = field(default_factory=list)
    _last: dict[str, float] = field(default_factory=dict)

    def stage(self, event: ProgressEvent) -> dict[str, Any]:
        elapsed = time.perf_counter() - self.started
        if event.stage not in self._last:
            self._order.append(event.stage)
        self._last[event.stage] = elapsed
        return stage_data(event, elapsed)

    def durations(self) -> list[tuple[str, float]]:
        """(stage, seconds) in the order the stages began."""
        spans, before = [], 0.0
        for stage in self._order:
            end = self._last[stage]
            spans.append((stage, max(0.0, end - before)))
            before = max(before, end)
        return spans
