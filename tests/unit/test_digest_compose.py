"""How a brief becomes a story in the digest email: numbered citations, no S-numbers."""

from service.digest.compose import story_view
from service.types import Article, Brief, Disagreement, Exclusion, Sentence, Source, Usage


def source(number: int, outlet: str, url: str | None) -> Source:
    article = Article(title=f"Headline {number}", source=outlet, text="…", url=url)
    return Source(sid=f"S{number}", article=article, text="…", language="en")


def test_a_brief_becomes_numbered_sentences_disagreements_and_sources() -> None:
    disagreement = Disagreement(
        "Sources disagree: S1 (Courier) reports 2.4 million pounds (“…”), "
        "while S3 (Wire) reports 3.1 million pounds (“…”).",
        ("S1", "S3"),
    )
    brief = Brief(
        id="b",
        title="Footbridge closed",
        language="en",
        sentences=[Sentence("The footbridge closed on Thursday.", ("S3", "S1"))],
        disagreements=[disagreement],
        sources=[
            source(1, "Courier", "https://courier.example/a"),
            source(2, "Radio", None),
            source(3, "Wire", "https://wire.example/c"),
        ],
        summaries=[],
        excluded=[Exclusion("S2", "duplicate of S1")],
        model="m",
        prompt_version="v",
        usage=Usage(),
    )
    story = story_view(brief)
    assert [(s.text, s.numbers) for s in story.sentences] == [
        ("The footbridge closed on Thursday.", (1, 3))
    ]
    [line] = story.disagreements
    assert line.numbers == (1, 3)
    assert line.text.startswith("Sources disagree: Courier reports 2.4 million pounds")
    assert "while Wire reports 3.1 million" in line.text
    assert [(s.number, s.outlet, s.url, s.note) for s in story.sources] == [
        (1, "Courier", "https://courier.example/a", None),
        (2, "Radio", None, "duplicate of [1]"),
        (3, "Wire", "https://wire.example/c", None),
    ]
    assert story.urls == {1: "https://courier.example/a", 2: None, 3: "https://wire.example/c"}
