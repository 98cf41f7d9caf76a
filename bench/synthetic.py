"""Seeded synthetic bundles for the speed and load benchmarks: one invented story, N articles.

Every article reports the same story (a flood in the invented town of Carrowby): a few shared
facts, each in one of several wordings, with the same figures everywhere, plus details of its own
(residents, streets, counts, quotes) drawn at random. So the articles are on-topic for each other,
are not rewrites of each other, and do not disagree about the shared figures: `identify` keeps
them all and the map step sees every one. Lengths are realistic, about 300 to 600 tokens.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

OUTLETS = [
    "Carrowby Courier",
    "Vale Gazette",
    "The Northern Ledger",
    "Riverside Post",
    "Eastmarch Times",
    "The County Herald",
    "Weir Valley News",
    "Morning Standard",
    "The Bridge Chronicle",
    "Fenland Observer",
    "Harrowgate Daily",
    "Upland Echo",
]
FIRST = [
    "Aisha",
    "Bram",
    "Carys",
    "Dmitri",
    "Elin",
    "Farid",
    "Greta",
    "Hollis",
    "Ines",
    "Joren",
    "Kamala",
    "Lorcan",
    "Maren",
    "Niall",
    "Odile",
    "Priya",
    "Quentin",
    "Rosalind",
    "Soren",
    "Tamsin",
]
LAST = [
    "Abernethy",
    "Blackwood",
    "Castellan",
    "Dunmore",
    "Everly",
    "Fairbairn",
    "Galloway",
    "Hartigan",
    "Iverson",
    "Jessop",
    "Kilbride",
    "Lindqvist",
    "Marchetti",
    "Northam",
    "Okonkwo",
    "Pemberton",
    "Quarrie",
    "Rathbone",
    "Sefton",
    "Thackeray",
]
STREETS = [
    "Mill Lane",
    "Tanner Row",
    "Quay Street",
    "Orchard Close",
    "Bridge End",
    "Weaver Walk",
    "Ferry Road",
    "Chapel Yard",
    "Malt Street",
    "Lock Terrace",
    "Willow Bank",
    "Kiln Hill",
]
ROLES = [
    "a retired teacher",
    "a café owner",
    "a parish councillor",
    "a nurse at the cottage hospital",
    "a volunteer with the lifeboat crew",
    "a plumber",
    "the landlord of the Ferry Inn",
    "a farmer from the upper valley",
    "a bus driver",
    "a primary school head",
]
# The shared story: each fact in three wordings, the same figures in every article.
CORE = [
    [
        "The River Carrow burst its banks at Carrowby late on Tuesday night after 96 millimetres "
        "of rain fell in 18 hours.",
        "After 96 millimetres of rain in 18 hours, the Carrow overtopped its banks in Carrowby "
        "shortly before midnight on Tuesday.",
        "Carrowby flooded late on Tuesday when the river rose over its banks following 96 "
        "millimetres of rainfall in 18 hours.",
    ],
    [
        "About 340 homes were flooded, most of them in the low-lying streets near the old quay.",
        "Water entered roughly 340 properties, the worst-hit streets lying close to the quay.",
        "Some 340 households saw water come into their homes, chiefly around the old quay.",
    ],
    [
        "Fire crews rescued 41 people from upstairs windows using boats.",
        "Firefighters in boats lifted 41 residents from first-floor windows overnight.",
        "Boat teams from the fire service brought 41 people out through upstairs windows.",
    ],
    [
        "The Environment Agency said the river peaked at 4.7 metres on the Carrowby gauge, a "
        "record for the town.",
        "A record 4.7 metres was measured on the Carrowby river gauge, according to the "
        "Environment Agency.",
        "River levels at Carrowby reached 4.7 metres, the highest the Environment Agency has "
        "recorded there.",
    ],
    [
        "Carrowby Council opened a rest centre at the Market Hall, where 120 people spent the "
        "night.",
        "The Market Hall became an emergency rest centre, and 120 people slept there on Tuesday.",
        "Some 120 residents stayed overnight at a rest centre the council set up in the Market "
        "Hall.",
    ],
    [
        "Council leader Miriam Oduya said a recovery fund of 2 million pounds would be opened on "
        "Thursday.",
        "A 2 million pound recovery fund will open on Thursday, council leader Miriam Oduya "
        "announced.",
        "Miriam Oduya, who leads the council, promised a recovery fund of 2 million pounds from "
        "Thursday.",
    ],
    [
        "The flood defence scheme for the town, costed at 14 million pounds, has been delayed "
        "since 2023.",
        "Plans for 14 million pounds of flood defences in Carrowby have stalled since 2023.",
        "A 14 million pound defence scheme meant to protect the town has been on hold since 2023.",
    ],
    [
        "The A617 between Carrowby and Wexham remained closed on Wednesday.",
        "Police kept the A617 to Wexham shut throughout Wednesday.",
        "The main road to Wexham, the A617, was still closed on Wednesday.",
    ],
]
DETAILS = [
    "{name}, {role} who has lived on {street} for {years} years, said the water rose faster than "
    "anyone on the street had seen before.",
    "On {street}, {name} spent the morning carrying {items} ruined chairs and a sodden carpet out "
    "to a skip.",
    "{name}, {role}, said neighbours had knocked on doors along {street} to wake older residents "
    "before the water arrived.",
    "Volunteers handed out {items} hot meals from a church hall near {street} on Wednesday "
    "afternoon.",
    "Insurers had sent {crews} loss adjusters to the town by Wednesday evening, {name} of the "
    "residents' association said.",
    "A pumping team worked through the night at the bottom of {street}, where the water stood "
    "{depth} centimetres deep at dawn.",
    "{name} said her family moved furniture upstairs when the warning came, but the ground floor "
    "of their home on {street} was still lost.",
    "Shops on {street} stayed shut, and {name}, {role}, estimated that cleaning up would take at "
    "least {weeks} weeks.",
    "The local school closed for the day and {name}, {role}, said {items} pupils were affected.",
    "Engineers checked {crews} bridges along the valley for damage before any traffic was allowed "
    "back.",
    "Residents of {street} said sandbags had arrived too late, {name} told reporters outside "
    "the rest centre.",
    "Electricity was cut to about {items} homes near {street} as a precaution, the network "
    "operator said.",
    "{name}, {role}, said the smell of mud and diesel hung over {street} all morning.",
    "A minibus took {crews} elderly residents from {street} to stay with relatives in Wexham.",
    "Church bells rang at dawn, and {name} said people on {street} gathered to share flasks of "
    "tea and news.",
    "{name}, {role}, counted {items} sandbags stacked against doors along {street}.",
    "A delivery van was left stranded on {street} with water up to its wheel arches, {name} "
    "recalled.",
    "The vet on {street} moved {crews} animals to higher ground, {name} said.",
    "{name} watched from an upstairs window on {street} as {crews} cars floated past.",
    "Council workers cleared {items} tonnes of debris from drains near {street}, {name} said.",
    "A local bakery gave away {items} loaves, and {name}, {role}, helped load them into cars.",
    "For {weeks} weeks the {street} allotments will be unusable, {name} of the allotment society "
    "warned.",
    "The doctor's surgery on {street} moved its appointments to the library for {weeks} weeks.",
    "{name}, {role}, said {crews} neighbours had turned up with buckets and brooms by nine.",
    "Children from {street} were taken to school in Wexham by a coach hired for {weeks} weeks.",
]
OPENERS = [
    "",
    "",
    "By mid-morning on Wednesday, ",
    "Just after dawn, ",
    "Later in the day, ",
    "As the rain eased, ",
    "Around lunchtime, ",
    "In the early hours, ",
    "Within a few hours, ",
    "Before the water receded, ",
    "Once the warning sirens had sounded, ",
    "By nightfall, ",
]
HEADLINES = [
    "Carrowby floods as river bursts its banks",
    "Hundreds of homes under water in Carrowby",
    "Boats rescue residents as Carrow floods town",
    "Record river level swamps Carrowby streets",
    "Carrowby counts the cost of overnight flood",
    "Flood-hit Carrowby waits for promised defences",
]
PUBLISHED = datetime(2026, 2, 11, 7, 0, tzinfo=UTC)


def _detail(rng: random.Random) -> str:
    template = rng.choice(DETAILS)
    opener = rng.choice(OPENERS)
    text = (
        template if not opener or template.startswith("{") else template[0].lower() + template[1:]
    )
    # Counts are the story's, the same in every article that mentions them (seeded by the
    # template): different figures for one thing would be disagreements the pipeline reports.
    story = random.Random(template)
    return (opener + text).format(
        name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        role=rng.choice(ROLES),
        street=rng.choice(STREETS),
        years=rng.randint(3, 60),  # a resident's own figure: the names differ, no disagreement
        items=story.randint(5, 400),
        crews=story.randint(2, 30),
        depth=story.randint(20, 140),
        weeks=story.randint(2, 16),
    )


def article(index: int, rng: random.Random, tag: str = "") -> dict[str, Any]:
    """One article: shared facts in its own wording, interleaved with details of its own."""
    core = [rng.choice(variants) for variants in rng.sample(CORE, rng.randint(4, 7))]
    details = [_detail(rng) for _ in range(rng.randint(8, 17))]
    if tag:  # a reference the load benchmark finds again in every prompt of this job
        core[0] = f"{core[0][:-1]}, the bulletin numbered {tag} said."
    sentences = core[:2] + details
    for fact in core[2:]:
        sentences.insert(rng.randint(2, len(sentences)), fact)
    paragraphs, i = [], 0
    while i < len(sentences):
        size = rng.randint(2, 4)
        paragraphs.append(" ".join(sentences[i : i + size]))
        i += size
    outlet = OUTLETS[index % len(OUTLETS)]
    return {
        "id": f"syn-{index + 1}",
        "title": rng.choice(HEADLINES),
        "source": outlet if index < len(OUTLETS) else f"{outlet} ({index // len(OUTLETS) + 1})",
        "url": f"https://news{index + 1}.example/carrowby-flood",
        "published_at": (PUBLISHED + timedelta(minutes=37 * index)).isoformat(),
        "language": "en",
        "text": "\n\n".join(paragraphs),
    }


def bundle(n: int, seed: int = 6, max_sentences: int = 10, tag: str = "") -> dict[str, Any]:
    """A `POST /v1/briefs` body with n articles, the same for the same (n, seed, tag)."""
    rng = random.Random(f"{seed}/{n}/{tag}")
    return {
        "articles": [article(i, rng, tag) for i in range(n)],
        "options": {"max_sentences": max_sentences},
    }
