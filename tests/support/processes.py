"""Real `fusebrief` child processes for crash tests, and polling until something holds."""

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
FUSEBRIEF = str(Path(sys.executable).with_name("fusebrief"))


def poll(until: Callable[[], T], timeout: float = 60) -> T:
    """Call `until` every 0.1 s until it returns something true; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not (result := until()):
        assert time.monotonic() < deadline, f"timed out after {timeout} s"
        time.sleep(0.1)
    return result


class Child:
    """`fusebrief <args>` with its own environment; killed with a signal of the test's choice."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [FUSEBRIEF, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def stop(self, signal: int) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal)
        self.process.wait(timeout=30)
