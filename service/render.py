"""Render a finished brief as Markdown: sentences with [S1, S3] markers, each disagreement once
under its own heading, then the source list.

Every text from the articles is escaped and kept on one line (service.escape); only http(s)
URLs become links.
"""

from collections.abc import Sequence

from service.escape import markdown_link
from service.escape import markdown_text as md
from service.types import Brief


def markers(sids: Sequence[str]) -> str:
    """A sentence's citation, e.g. "[S1, S3]"."""
    return f"[{', '.join(sids)}]"


def usage_line(brief: Brief) -> str:
    """Which model and prompts wrote the brief, and what it cost."""
    usage = brief.usage
    return (
        f"{brief.model} · prompts {brief.prompt_version} · {usage.llm_calls} LLM calls · "
        f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens · "
        f"{usage.cache_hits} cached"
    )


def to_markdown(brief: Brief) -> str:
    lines = [f"# {md(brief.title)}", ""]
    lines += [f"{md(s.text)} {markers(s.sources)}" for s in brief.sentences]
    if brief.disagreements:
        lines += ["", "## Where the sources disagree", ""]
        lines += [f"- {md(d.text)} {markers(d.sources)}" for d in brief.disagreements]
    lines += ["", "## Sources", ""]
    reasons = {e.sid: e.reason for e in brief.excluded}
    for source in brief.sources:
        article = source.article
        title = markdown_link(article.title, article.url)
        note = f" — *{md(reasons[source.sid])}*" if source.sid in reasons else ""
        lines.append(f"- **{source.sid}** {md(article.source)}: {title}{note}")
    if brief.warnings:
        lines += ["", "## Warnings", ""] + [f"- {md(w)}" for w in brief.warnings]
    lines += ["", f"*{md(usage_line(brief))}*"]
    return "\n".join(lines) + "\n"
