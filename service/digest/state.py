"""What a digest run remembers: a lock so runs never overlap, and which days were already sent.

Both live under FUSEBRIEF_DATA_DIR/digest/, named after the digest (its config's `name`).
"""

import fcntl
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from service.errors import DigestBusy

log = logging.getLogger("fusebrief.digest")
KEEP_DAYS = 60  # the state file remembers this many sent days


def digest_dir(data_dir: Path) -> Path:
    return data_dir / "digest"


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive flock on `path` for the block, or raise DigestBusy at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise DigestBusy(
                f"another digest run holds {path}; wait for it to finish (no email was sent)"
            ) from error
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Sent:
    """One day's digest as it went out."""

    sent_at: str  # ISO 8601
    message_id: str
    stories: int
    recipients: list[str]


class SentDays:
    """A small JSON file: day → Sent, newest KEEP_DAYS kept."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, dict[str, object]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.warning("%s is unreadable (%s); treating it as empty", self.path, error)
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, day: date) -> Sent | None:
        entry = self._read().get(day.isoformat())
        try:
            return Sent(**entry) if isinstance(entry, dict) else None  # type: ignore[arg-type]
        except TypeError:
            return None

    def record(self, day: date, sent: Sent) -> None:
        data = self._read() | {day.isoformat(): asdict(sent)}
        data = dict(sorted(data.items())[-KEEP_DAYS:])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".sent.", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
        os.replace(tmp, self.path)
