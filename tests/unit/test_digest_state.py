"""The digest's lock and its record of sent days."""

from datetime import date, timedelta
from pathlib import Path

import pytest

from service.digest.state import KEEP_DAYS, Sent, SentDays, run_lock
from service.errors import DigestBusy

SENT = Sent("2026-11-20T06:30:00+00:00", "<1@example.org>", 2, ["desk@example.org"])


def test_a_recorded_day_reads_back_and_other_days_are_unsent(tmp_path: Path) -> None:
    days = SentDays(tmp_path / "digest" / "morning.sent.json")
    assert days.get(date(2026, 11, 20)) is None
    days.record(date(2026, 11, 20), SENT)
    assert SentDays(days.path).get(date(2026, 11, 20)) == SENT
    assert days.get(date(2026, 11, 21)) is None


def test_only_the_newest_days_are_kept(tmp_path: Path) -> None:
    days = SentDays(tmp_path / "sent.json")
    first = date(2026, 1, 1)
    for n in range(KEEP_DAYS + 5):
        days.record(first + timedelta(days=n), SENT)
    assert days.get(first + timedelta(days=4)) is None
    assert days.get(first + timedelta(days=5)) == SENT


def test_an_unreadable_record_counts_as_nothing_sent(tmp_path: Path) -> None:
    path = tmp_path / "sent.json"
    path.write_text("{not json", encoding="utf-8")
    days = SentDays(path)
    assert days.get(date(2026, 11, 20)) is None
    days.record(date(2026, 11, 20), SENT)  # and is replaced by a good one
    assert days.get(date(2026, 11, 20)) == SENT


def test_the_lock_admits_one_holder_at_a_time(tmp_path: Path) -> None:
    lock = tmp_path / "digest" / "morning.lock"
    with (
        run_lock(lock),
        pytest.raises(DigestBusy, match="another digest run holds"),
        run_lock(lock),
    ):
        pass
    with run_lock(lock):  # released when the first run ended
        pass
