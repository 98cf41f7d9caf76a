"""The size limits on an article: its raw HTML in bytes, before it is parsed
(FUSEBRIEF_MAX_HTML_BYTES), and its text after cleaning in characters
(FUSEBRIEF_MAX_ARTICLE_CHARS). A real page's HTML is many times its article text, so the text
limit applies to what the model will read, not to the markup around it."""

from service.clean import looks_like_html
from service.errors import BundleTooLarge


def check_raw_size(raw: str, max_html_bytes: int, where: str) -> None:
    """Refuse raw HTML over `max_html_bytes` (UTF-8), before it is parsed; plain text is
    limited after cleaning instead (`check_text_size`)."""
    if not looks_like_html(raw):
        return
    size = len(raw.encode("utf-8", errors="replace"))
    if size > max_html_bytes:
        raise BundleTooLarge(
            f"{where} is {size} bytes of HTML; the limit is {max_html_bytes} "
            "(FUSEBRIEF_MAX_HTML_BYTES)"
        )


def check_text_size(text: str, max_chars: int, where: str) -> None:
    """Refuse an article whose text after cleaning is over `max_chars` characters."""
    if len(text) > max_chars:
        raise BundleTooLarge(
            f"{where} has {len(text)} characters of article text after cleaning; the limit is "
            f"{max_chars} (FUSEBRIEF_MAX_ARTICLE_CHARS): send a shorter article"
        )
