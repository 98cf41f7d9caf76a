"""The cleaner's heuristic thresholds, read from ``service/data/clean_thresholds.json``.

Each module reads its own section once, at import, into its named constants, so a threshold is
changed (and reviewed) as data, beside what it was measured on, not inside the code.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

__all__ = ["thresholds"]


@lru_cache(maxsize=1)
def _all() -> dict[str, dict[str, float]]:
    text = resources.files("service").joinpath("data/clean_thresholds.json").read_text("utf-8")
    data: dict[str, dict[str, float]] = {
        section: values for section, values in json.loads(text).items() if section != "about"
    }
    return data


def thresholds(section: str) -> dict[str, float]:
    """The thresholds of one module (``"clean"``, ``"junk_signals"``) by constant name."""
    return _all()[section]
