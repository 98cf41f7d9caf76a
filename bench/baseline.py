"""The baseline: LangChain's `load_summarize_chain` (map_reduce, stuff) asked for [S#] citations.

The chain reads each article as the bundle gives it (no cleaning: what a plain LangChain
pipeline does), headed by its source ID, outlet and title. Its prompts ask for a source-ID
marker after every sentence; `parse_cited_text` turns the answer into sentences and cited IDs,
so the baseline is scored by the same metrics as fusebrief.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

BASELINE_PROMPT_VERSION = "baseline/v1"
MAP_MAX_TOKENS = 400  # 3-6 sentences; a small model that loops stops here
MAX_TOKENS = 900  # the brief: at most 12 sentences

MAP_TEMPLATE = """Summarise the following news article in 3 to 6 sentences. Keep the important \
numbers, names and places exactly as the article gives them. End every sentence with the \
article's source ID in square brackets, for example [S2].

{text}

SUMMARY (every sentence ends with the source ID):"""

COMBINE_TEMPLATE = """Below are texts from several news articles about one story. Each text is \
marked with the source ID it comes from, like [S1]. Write one neutral news brief of at most \
{max_sentences} sentences. End every sentence with the IDs of the sources it rests on in square \
brackets, for example [S1, S3]. Use only what the texts say. Where the sources disagree about a \
number, report both figures, each with its source ID.

{text}

BRIEF (every sentence ends with its source IDs):"""

_MARKER = re.compile(r"[\[(]\s*((?:S\d+\s*[,;/&]?\s*(?:and\s+)?)+)[\])]", re.IGNORECASE)
_SID = re.compile(r"S\d+", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[\[(]?[A-Z0-9\"“‘'(\[])")
_BULLET = re.compile(r"^\s*(?:[-*•]+|\d+[.)])\s+")
_LEADING_MARKERS = re.compile(r"^(?:\s*" + _MARKER.pattern + r")+", re.IGNORECASE)
_ABBREVIATION = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|Mx|St|No|Prof|Rev|Gen|Sr|Jr)\.$")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")


@dataclass(frozen=True)
class BaselineRun:
    brief: dict[str, Any]  # BriefOut-like: title, sentences, disagreements, sources
    output_text: str
    intermediate: list[str]


def article_document(sid: str, article: dict[str, Any]) -> str:
    return f"[{sid}] {article['source']}: {article['title']}\n\n{article['text']}"


def parse_cited_text(text: str) -> list[dict[str, Any]]:
    """Split a model's answer into sentences, each with the [S#] IDs written after it."""
    pieces: list[str] = []
    for line in text.splitlines():
        line = _BULLET.sub("", line).strip()
        if not line or (line.endswith(":") and not _MARKER.search(line)):
            continue  # blank lines and headings ("BRIEF:")
        for number, piece in enumerate(_SENTENCE_BREAK.split(line)):
            leading = _LEADING_MARKERS.match(piece)
            if leading and number:  # "… 2031. [S1] Next" -> the marker closes the sentence
                pieces[-1] += " " + leading.group(0).strip()
                piece = piece[leading.end() :]
            if pieces and _ABBREVIATION.search(pieces[-1]):
                pieces[-1] += " " + piece.strip()  # "Dr. Oyelaran" is one sentence
            elif piece.strip():
                pieces.append(piece.strip())
    sentences = []
    for piece in pieces:
        sids = [s.upper() for m in _MARKER.finditer(piece) for s in _SID.findall(m.group(1))]
        words = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(_MARKER.sub(" ", piece).split()))
        if any(ch.isalpha() for ch in words):
            sentences.append({"text": words, "sources": list(dict.fromkeys(sids))})
    return sentences


def _chat_model(api_base: str, max_tokens: int) -> Any:
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    return ChatOpenAI(
        model="bench",
        base_url=api_base,
        api_key=SecretStr("bench"),
        temperature=0,
        max_completion_tokens=max_tokens,
        timeout=900,
        max_retries=1,
        tiktoken_model_name="gpt-4",  # token counts offline (cl100k, as fusebrief's chunker)
    )


def fits_stuff(bundle: dict[str, Any], context_tokens: int) -> bool:
    """Whether all articles fit one prompt with room for the answer ("stuff" where it fits)."""
    from service.chunk import count_tokens

    text = "\n\n".join(article_document("S0", a) for a in bundle["articles"])
    return count_tokens(text) + 300 + MAX_TOKENS < context_tokens


async def run_baseline(bundle: dict[str, Any], chain_type: str, api_base: str) -> BaselineRun:
    """Run `load_summarize_chain(chain_type=...)` on the bundle through the model at api_base."""
    from langchain_classic.chains.summarize import load_summarize_chain
    from langchain_core.documents import Document
    from langchain_core.prompts import PromptTemplate

    articles = bundle["articles"]
    max_sentences = int(bundle.get("options", {}).get("max_sentences") or 10)
    sids = [f"S{i}" for i in range(1, len(articles) + 1)]
    docs = [
        Document(page_content=article_document(sid, a))
        for sid, a in zip(sids, articles, strict=True)
    ]
    combine = PromptTemplate.from_template(COMBINE_TEMPLATE).partial(
        max_sentences=str(max_sentences)
    )
    llm = _chat_model(api_base, MAX_TOKENS)
    if chain_type == "map_reduce":
        chain = load_summarize_chain(
            _chat_model(api_base, MAP_MAX_TOKENS),
            reduce_llm=llm,
            chain_type="map_reduce",
            map_prompt=PromptTemplate.from_template(MAP_TEMPLATE),
            combine_prompt=combine,
            return_intermediate_steps=True,
        )
    else:
        chain = load_summarize_chain(llm, chain_type="stuff", prompt=combine)
    result = await chain.ainvoke({"input_documents": docs})
    output = str(result["output_text"])
    brief = {
        "title": "",
        "sentences": parse_cited_text(output),
        "disagreements": [],
        "sources": [
            {"sid": sid, "id": a.get("id") or sid} for sid, a in zip(sids, articles, strict=True)
        ],
    }
    steps = [str(s) for s in result.get("intermediate_steps", [])]
    return BaselineRun(brief=brief, output_text=output, intermediate=steps)
