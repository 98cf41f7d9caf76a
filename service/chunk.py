"""Token-aware chunking: split an article so each piece fits the model's context budget."""

from functools import cache

import tiktoken
from langchain_text_splitters import RecursiveCharacterTextSplitter

ENCODING = "cl100k_base"  # a stand-in tokenizer for whatever model runs
TOKENIZER_MARGIN = 0.8  # so token budgets keep a margin for the model's own tokenizer


@cache
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


def split_to_budget(text: str, budget_tokens: int) -> list[str]:
    """Split on paragraph, then sentence, then word boundaries into pieces of ≤ budget tokens."""
    if count_tokens(text) <= budget_tokens:
        return [text]
    splitter = RecursiveCharacterTextSplitter.from_tiktoken_encoder(
        encoding_name=ENCODING,
        chunk_size=budget_tokens,
        chunk_overlap=min(64, budget_tokens // 10),
        separators=["\n\n", "\n", ". ", " ", ""],
    )
    return [piece for piece in splitter.split_text(text) if piece.strip()]
