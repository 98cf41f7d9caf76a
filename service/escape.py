"""Article text, printed as text: the helpers every renderer (Markdown, Slack, email) shares.

Titles, sentences, outlet names and URLs come from articles, that is from whoever wrote the
page a link points to. A renderer prints them on one line where one line is meant (a newline
in a title must not start a heading), escapes what its format would read as markup, and makes
a link only of an http(s) URL; any other URL is printed as text.
"""

import re
from urllib.parse import quote, urlsplit

_CONTROLS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")  # line breaks, tabs, controls
_SPACES = re.compile(r" {2,}")
_NOT_IN_A_LINK = re.compile(r"[\s<>\"'`\\]")  # whitespace, or what ends a link in some format
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>|~])")  # emphasis, code, links, HTML, tables
_MARKDOWN_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")  # "&amp;" would print as "&"
_MARKDOWN_BLOCK = re.compile(r"([#>+\-=]|\d+(?=[.)]))")  # heading, quote, list, rule, setext
_URL_SAFE = "/:?#[]@!$&'*+,;=%~-._"  # kept as is in a link target; "(", ")", "<"… are escaped


def one_line(text: str) -> str:
    """`text` with its line breaks, tabs and control characters turned into single spaces."""
    return _SPACES.sub(" ", _CONTROLS.sub(" ", text)).strip()


def web_url(url: str | None) -> str | None:
    """`url` if a link may point to it (http or https, a host, no spaces or quotes), else None."""
    if not url or _NOT_IN_A_LINK.search(url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed "[" in the host
        return None
    return url if parts.scheme.lower() in ("http", "https") and host else None


def markdown_text(text: str) -> str:
    """`text` as one line of Markdown that shows exactly `text`: no emphasis, code, link,
    HTML, table cell, heading, quote or list can come of it."""
    text = _MARKDOWN_ENTITY.sub(r"\\&", _MARKDOWN_INLINE.sub(r"\\\1", one_line(text)))
    block = _MARKDOWN_BLOCK.match(text)
    if block is None:
        return text
    if block.group().isdigit():  # "1." starts a list, "1\." does not
        return text[: block.end()] + "\\" + text[block.end() :]
    return "\\" + text


def markdown_link(label: str, url: str | None) -> str:
    """`[label](url)` for an http(s) URL; otherwise the label, then the URL as text."""
    target = web_url(url)
    if target is not None:
        return f"[{markdown_text(label)}]({quote(target, safe=_URL_SAFE)})"
    if url:
        return f"{markdown_text(label)} ({markdown_text(url)})"
    return markdown_text(label)
