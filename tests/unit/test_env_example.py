"""The documented configuration (.env.example) and the Dockerfile agree with `Settings`."""

import json
import os
import re
import shlex
from pathlib import Path

import pytest
from pydantic import SecretStr

from service.api.routes import router
from service.config import Settings

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
PREFIX = "FUSEBRIEF_"

# A setting line: "FUSEBRIEF_X=value" (set) or "# FUSEBRIEF_X=value" (the default, commented
# out). Worked examples are indented inside comments ("#   FUSEBRIEF_X=...") and are not settings.
SETTING = re.compile(r"^(?P<commented># )?(?P<name>FUSEBRIEF_[A-Z0-9_]+)=(?P<value>.*)$")


def field_env_names() -> set[str]:
    return {PREFIX + name.upper() for name in Settings.model_fields}


def setting_lines() -> list[re.Match[str]]:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    return [m for m in map(SETTING.match, lines) if m]


def plain(value: object) -> object:
    return value.get_secret_value() if isinstance(value, SecretStr) else value


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No FUSEBRIEF_* from the caller, and no stray .env in the working directory."""
    for name in list(os.environ):
        if name.startswith(PREFIX):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_every_setting_is_documented_once() -> None:
    names = [m["name"] for m in setting_lines()]
    assert sorted(set(names)) == sorted(field_env_names())
    assert len(names) == len(set(names)), "a setting is listed twice"


def test_every_name_mentioned_is_a_real_setting() -> None:
    mentioned = set(re.findall(r"FUSEBRIEF_[A-Z0-9_]+", ENV_EXAMPLE.read_text(encoding="utf-8")))
    assert mentioned - field_env_names() == set()


def test_every_setting_has_a_comment_above_it() -> None:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if SETTING.match(line):
            above = lines[number - 1]
            assert above.startswith("# ") and not SETTING.match(above), line


@pytest.mark.usefixtures("clean_env")
def test_shown_values_are_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = Settings(_env_file=None)
    for match in setting_lines():
        if not match["value"]:
            continue  # an unset default (None, empty list, or computed) described in words
        field = match["name"].removeprefix(PREFIX).lower()
        monkeypatch.setenv(match["name"], match["value"])
        shown = Settings(_env_file=None)
        monkeypatch.delenv(match["name"])
        assert plain(getattr(shown, field)) == plain(getattr(defaults, field)), match["name"]


@pytest.mark.usefixtures("clean_env")
def test_loading_the_example_gives_the_defaults() -> None:
    assigned = {m["name"] for m in setting_lines() if not m["commented"]}
    assert assigned, ".env.example should set the settings people change first"
    loaded = Settings(_env_file=ENV_EXAMPLE)
    defaults = Settings(_env_file=None)
    assert loaded.model_dump() == defaults.model_dump()
    assert loaded.llm_model == "local"
    assert loaded.uses_local_model
    assert loaded.local_model == "1.5b"
    assert loaded.api_keys == []
    assert loaded.port == 8000
    assert loaded.bind_host == "127.0.0.1"


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction: comments dropped, continuations joined."""
    instructions, current = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#") or not line:
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        keyword, _, rest = (current + line).partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        current = ""
    return instructions


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, rest in dockerfile_instructions():
        if keyword == "ENV":
            for token in shlex.split(rest):
                name, _, value = token.partition("=")
                env[name] = value
    return env


def last(keyword: str) -> str:
    found = [rest for kw, rest in dockerfile_instructions() if kw == keyword]
    assert found, f"the Dockerfile has no {keyword}"
    return found[-1]


def test_dockerfile_env_names_are_real_settings() -> None:
    names = {name for name in dockerfile_env() if name.startswith(PREFIX)}
    assert names, "the Dockerfile sets no FUSEBRIEF_* variable"
    assert names - field_env_names() == set()


@pytest.mark.usefixtures("clean_env")
def test_dockerfile_env_values_are_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    env = dockerfile_env()
    for name, value in env.items():
        if name.startswith(PREFIX):
            monkeypatch.setenv(name, value)
    settings = Settings(_env_file=None)
    assert str(settings.data_dir) == env["FUSEBRIEF_DATA_DIR"]
    assert last("VOLUME").strip('[]" ') == env["FUSEBRIEF_DATA_DIR"]
    assert last("EXPOSE").split("/")[0] == str(settings.port)


def test_dockerfile_runs_the_service_as_a_non_root_user_with_a_healthcheck() -> None:
    user = last("USER").split(":")[0]
    assert user not in ("root", "0")
    assert json.loads(last("CMD")) == ["fusebrief", "serve"]
    healthcheck = last("HEALTHCHECK")
    assert "CMD" in healthcheck and healthcheck.upper() != "NONE"
    paths = {getattr(route, "path", None) for route in router.routes}
    assert "/healthz" in paths and "/healthz" in healthcheck
    assert last("FROM").startswith("python:3.11-slim")
