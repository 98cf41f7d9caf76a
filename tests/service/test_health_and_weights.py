"""Small operational promises: HEAD /healthz answers like GET, and `fusebrief model info
--verify` fails (exit 1) when the selected weights are missing or corrupt."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli import app
from service.config import get_settings
from service.local_model import WEIGHTS, weights_path

runner = CliRunner()


def test_a_head_request_to_healthz_is_answered(client: TestClient) -> None:
    response = client.head("/healthz")
    assert response.status_code == 200
    assert response.content == b""


def _model_info_verify(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> tuple[int, str]:
    monkeypatch.setenv("FUSEBRIEF_DATA_DIR", str(data_dir))
    monkeypatch.setenv("FUSEBRIEF_LOCAL_MODEL", "0.5b")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["model", "info", "--verify"])
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.output


def test_model_info_verify_fails_when_the_selected_weights_are_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, output = _model_info_verify(monkeypatch, tmp_path)
    assert code == 1, output
    assert "fusebrief model pull" in output


def test_model_info_verify_fails_when_the_selected_weights_are_corrupt(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FUSEBRIEF_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    path = weights_path(get_settings(), WEIGHTS["0.5b"])
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a gguf file")
    code, output = _model_info_verify(monkeypatch, tmp_path)
    assert code == 1, output
    assert "MISMATCH" in output
