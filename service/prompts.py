"""Versioned prompt files under prompts/: loading, filling, and the version a brief carries."""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from string import Template
from typing import Any

_PACKAGED = Path(__file__).parent / "_prompts"  # where a built wheel puts prompts/
_CHECKOUT = Path(__file__).parent.parent / "prompts"  # a source checkout / editable install
PROMPTS_DIR = _PACKAGED if _PACKAGED.is_dir() else _CHECKOUT

MAP_PROMPT = ("map", "v5")
TITLE_PROMPT = ("title", "v1")
TRANSLATE_PROMPT = ("translate", "v1")
SAME_POINT_PROMPT = ("same", "v1")
PHRASES_FILE = "phrases.json"  # the sentences code writes: disagreements, attributed opinions

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "pl": "Polish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "ar": "Arabic",
    "zh-cn": "Chinese",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "tr": "Turkish",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "fi": "Finnish",
}


@dataclass(frozen=True)
class Prompt:
    """A system and a user template, and optional named parts, from one versioned file."""

    name: str
    version: str
    system: Template
    user: Template
    parts: dict[str, Template]

    def messages(self, **values: Any) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": self.system.substitute(values).strip()},
            {"role": "user", "content": self.user.substitute(values).strip()},
        ]

    def part(self, name: str, **values: Any) -> str:
        return self.parts[name].substitute(values).strip()


@cache
def load_prompt(name: str, version: str) -> Prompt:
    """Read prompts/<name>/<version>.md: a comment, then '## system', '## user', '## <part>'…"""
    text = (PROMPTS_DIR / name / f"{version}.md").read_text(encoding="utf-8")
    sections = dict(
        (title.strip(), body)
        for title, body in re.findall(r"^## (\w+)\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    )
    system, user = sections.pop("system", ""), sections.pop("user", "")
    if not system or not user:
        raise ValueError(f"prompt {name}/{version} needs '## system' and '## user' sections")
    parts = {title: Template(body) for title, body in sections.items()}
    return Prompt(name, version, Template(system), Template(user), parts)


@cache
def _phrases() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PROMPTS_DIR / PHRASES_FILE).read_text("utf-8"))
    return data


def phrases(language: str) -> dict[str, str]:
    """The sentence templates for a brief in `language` (English where it has none)."""
    templates: dict[str, dict[str, str]] = _phrases()["templates"]
    return templates.get(language, templates["en"])


def reply_version() -> str:
    """The prompts' versions in every reply-cache key (a batched map request stores each
    article's reply under a description of the part, not under the prompt's text). A yes-or-no
    question's reply is stored under its whole prompt, so its version is not needed here."""
    return "+".join(
        [f"{n}/{v}" for n, v in (MAP_PROMPT, TRANSLATE_PROMPT, TITLE_PROMPT)]
        + [f"phrases/{_phrases()['version']}"]
    )


def prompt_version() -> str:
    """The version string that travels with every brief: every prompt that made it."""
    name, version = SAME_POINT_PROMPT
    return f"{reply_version()}+{name}/{version}"


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code.lower(), code)


def map_messages(
    language: str, translation: str, articles: str, max_facts: int
) -> list[dict[str, str]]:
    """A map call's prompt: its instructions, then the articles (each in its <article> tag);
    with no articles, its fixed part (what the embedded server computes once at start)."""
    return load_prompt(*MAP_PROMPT).messages(
        language_name=language_name(language),
        translation=translation,
        max_facts=max_facts,
        articles=articles,
    )


def same_point_messages(earlier: str, later: str) -> list[dict[str, str]]:
    """The yes-or-no question whether `later` makes no point `earlier` has not made."""
    return load_prompt(*SAME_POINT_PROMPT).messages(earlier=earlier, later=later)


def title_messages(language: str, lines: str) -> list[dict[str, str]]:
    """The title call's prompt over the brief's first sentences (`lines`, one "- …" each); with
    no lines, its fixed part (what the embedded server computes once at start)."""
    return load_prompt(*TITLE_PROMPT).messages(
        language_name=language_name(language), sentences=lines
    )
