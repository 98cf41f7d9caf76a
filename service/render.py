"""Render a finished brief as Markdown: sentences with [S1, S3] markers, then the source list.

Every text from the articles is escaped and kept on one line (service.escape); only http(s)
URLs become links.
"""

from service.escape import markdown_link
from service.escape import markdown_text as md
from service.schemas import BriefOut


def markers(sids: list[str]) -> str:
    """A sentence's citation, e.g. "[S1, S3]"."""
    return f"[{', '.join(sids)}]"


def usage_line(brief: BriefOut) -> str:
    """Which model and prompts wrote the brief, and what it cost."""
    usage = brief.usage
    return (
        f"{brief.model} · prompts {brief.prompt_version} · {usage.llm_calls} LLM calls · "
        f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens · "
        f"{usage.cache_hits} cached"
    )


def to_markdown(brief: BriefOut) -> str:
    lines = [f"# {md(brief.title)}", ""]
    lines += [f"{md(s.text)} {markers(s.sources)}" for s in brief.sentences]
    if brief.disagreements:
        lines += ["", "## Where the sources disagree", ""]
        lines += [f"- {md(d.text)} {markers(d.sources)}" for d in brief.disagreements]
    lines += ["", "## Sources", ""]
    reasons = {e.sid: e.reason for e in brief.excluded}
    for source in brief.sources:
        title = markdown_link(source.title, source.url)
        note = f" — *{md(reasons[source.sid])}*" if source.sid in reasons else ""
        lines.append(f"- **{source.sid}** {md(source.source)}: {title}{note}")
    if brief.warnings:
        lines += ["", "## Warnings", ""] + [f"- {md(w)}" for w in brief.warnings]
    lines += ["", f"*{md(usage_line(brief))}*"]
    return "\n".join(lines) + "\n"
