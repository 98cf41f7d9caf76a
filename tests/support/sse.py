"""Reading Server-Sent Events in tests, as the WHATWG EventSource algorithm does: fields per
line, `data` lines joined, an event dispatched at a blank line, comments (`:`) kept apart."""

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    type: str
    data: Any  # the JSON data, decoded
    id: str | None


def parse(text: str) -> tuple[list[Event], list[str]]:
    """The events of a whole stream, and its comment lines (keep-alives)."""
    events: list[Event] = []
    comments: list[str] = []
    kind, data, event_id = "message", [], None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line:
            if data:
                events.append(Event(kind, json.loads("\n".join(data)), event_id))
            kind, data, event_id = "message", [], None
            continue
        if line.startswith(":"):
            comments.append(line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            kind = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            event_id = value
    return events, comments
