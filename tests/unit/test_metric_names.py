"""Prometheus metric names follow the naming conventions: the fusebrief_ prefix, base units as
suffixes (seconds), `_total` on counters and on nothing else."""

import inspect
import re

from prometheus_client import REGISTRY

from service import metrics


def test_counters_are_named_with_total_and_nothing_else_is() -> None:
    source = inspect.getsource(metrics)
    declared = re.findall(r'(Counter|Gauge|Histogram|Summary)\(\s*"([a-z_]+)"', source)
    assert declared, "no metrics found in service/metrics.py"
    for kind, name in declared:
        assert name.startswith("fusebrief_"), name
        assert name.endswith("_total") == (kind == "Counter"), name


def test_durations_are_histograms_in_seconds() -> None:
    ours = [m for m in REGISTRY.collect() if m.name.startswith("fusebrief_")]
    assert any(m.type == "histogram" for m in ours)
    for metric in ours:
        if metric.type == "histogram":
            assert metric.name.endswith("_duration_seconds"), metric.name
        assert not metric.name.endswith(("_ms", "_milliseconds", "_s", "_secs")), metric.name
