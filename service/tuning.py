"""The brief's tuning knobs, in one place, each with what it trades. They are constants, not
settings: each was chosen on the benchmark bundles (bench/quality.py) and a change to one is a
change to the product that the benchmark must support.
"""

# --- The brief's default length (service.briefs.default_sentences) ----------------------------

# A bundle of up to SMALL_BUNDLE articles gets FUSEBRIEF_DEFAULT_MAX_SENTENCES sentences; every
# EXTRA_SENTENCE_ARTICLES articles beyond add one, and so does each of these spans (in days: a
# week, a month, a year) that the articles' publication dates reach. Higher gives a developing
# story room for each stage of it; lower keeps a large bundle's brief short.
SMALL_BUNDLE = 5
EXTRA_SENTENCE_ARTICLES = 3
SPAN_SENTENCE_DAYS = (7, 30, 365)

# --- Planning the brief (service.claims) -------------------------------------------------------

# Two facts of different sources state the same claim when the IDF-weighted share of the lighter
# fact's words and figures they have in common reaches this. Lower merges different claims (and
# invents disagreements between them); higher lets one claim be stated once per source.
SAME_CLAIM = 0.5
# ... and they share at least this many words or figures (one shared rare name is not a claim).
SAME_CLAIM_MIN_SHARED = 2
# ... and their meanings are at least this alike (sentence embeddings): sharing the story's
# words is not saying the same thing. Measured on the 1.5B's facts: merges of different claims
# ("the union represents the factory's workers" / "the group is closing the factory") 0.25-0.62;
# one claim in two wordings, or one quantity given two values, 0.58-0.86 (the 0.58: "closed for
# at least 14 weeks" / "would stay shut for 11 weeks", which the figures still pair).
SAME_CLAIM_MEANING = 0.65
# What they share must also be a part of the longer fact: its share of the longer fact's weight,
# times this, counts against SAME_CLAIM too (2: the shared part is at least a quarter of the
# longer fact for two facts to reach 0.5). Lower keeps a long fact that mentions a short one's
# words in passing out of its claim; higher merges them.
HEAVIER_SHARE_WEIGHT = 2.0
# A wording this much made of one earlier sentence's content words (stems), or holding this much
# of its, with no number the earlier lacks, is a part of one claim (a group's view stated once as
# its spokesman's words and again as the group's): it is skipped. On the development set's briefs
# the one pair at 0.7 or more was such a repeat.
ADDS_NOTHING_SHARE = 0.8
# A wording that states an earlier sentence's telling figure (7.5%, 46 ships: not a whole number
# up to this, which "two years" or "12 hours" may be by chance) and shares at least
# RESTATED_FIGURE_WORDS of its other words restates it, whatever else it adds: it is skipped.
COMMON_FIGURE_MAX = 12
RESTATED_FIGURE_WORDS = 2
# Share of the brief's room for what several sources agree on, before each source's own claims.
# Higher favours corroborated context; lower favours what each source alone reports.
SHARED_SHARE = 0.25
# The fewest sources whose facts give a name for it to be one of the story's names (the opening
# sentence names one of them).
STORY_NAME_SOURCES = 2
# An article's lead: its first sentences, where news writing states the news (a claim some
# source states there may open the brief before one no source leads with).
LEAD_SENTENCES = 2
# A sentence of the brief is at most this many words; a longer fact is not used as a sentence
# when its claim has a shorter wording (a long one is a paragraph copied whole).
MAX_SENTENCE_WORDS = 40
# The brief always has room for at least this many stated claims besides its disagreements.
MIN_STATED_CLAIMS = 3
# Share of a fact's content words found in its passage, for an article in another language,
# at which the fact copies the article instead of translating it (a translation shares names).
UNTRANSLATED_SHARE = 0.75

# --- Meaning (service.meaning: sentence embeddings, cosine similarity) -------------------------

# Two of the brief's sentences at least this alike in meaning (unless both state figures and
# the later one a figure of its own) are put to the model as a yes-or-no question: is the
# later one's main point already made (service.restatements)? Lower asks about more pairs (a
# call each); higher misses restatements that share few words. Measured on
# bench/pairs/dev.jsonl (written by someone who never read the pipeline): restatements
# 0.43-0.86; in a brief of the seeds, the two restated claims 0.63 and 0.68, the other pairs
# of sentences up to 0.59.
SAME_POINT_MEANING = 0.5
# … and the later sentence is left out when the model's "yes" has at least this share of its
# "yes" and "no" (the embedded 1.5B's first-token probabilities; a model that answers without
# probabilities counts as 1 or 0). Measured with the 1.5B on bench/pairs/dev.jsonl: 0.43-0.87
# for restatements, 0.37-0.59 for a different point about the same people (number-free pairs).
SAME_POINT = 0.6
# The writer states this many claims beyond the brief's room, so that the sentences left out
# as restatements leave no gap.
SPARE_SENTENCES = 3
# A source's own claim at least this close in meaning to its headline is its lead, ranked before
# its other claims whether or not it names anything no other source does (service.claims).
# Lower lets a headline that says nothing ("Live updates", a label) choose; higher keeps the map
# step's order more often. Measured on the real-news topics: the nearest claim scores 0.38-1.0
# against its headline (0.45: "Existing plans in Beijing say that private cars may only drive
# on alternate days" under "Forget driving to the Olympics, says Beijing"); a bare label, 0.07.
HEADLINE_LEAD = 0.3
# … unless that claim restates the bundle's news (its most central claim, which opens the brief)
# this closely in meaning: it then adds nothing at a lead's rank and takes its turn with the
# source's other claims. Measured on the three development sets' 1.5B facts: of the source
# leads 0.60 or more alike to the opening claim, 4 of 25 state a planted fact (the rest restate
# the news: "Lymbridge voted yes to a wind farm" beside "won the support of 61 per cent"); under
# 0.60, 21 of 73. Only a source reporting the news's moment (timeline.concurrent) can restate
# it: on a story told over weeks, "IOC President Jacques Rogge declared the Games closed" is
# 0.72 alike to "The 2008 Olympic Games officially opened", and is the later article's news.
RESTATES_NEWS = 0.6
# Two sources' figures of one kind (a count of things, a measure in one unit, a date), close in
# value, give one quantity when the facts stating them are this alike in meaning and each is the
# other's most alike among the two sources' figures of that kind (service.conflicts): "cut 450
# jobs" / "lay off about 400 workers". Measured on the development sets' 1.5B facts: planted
# disagreements 0.40-0.83 ("valued at about $295 million once debts are counted" / "agreed to
# buy for $310 million in cash" 0.40); at 0.41 two spans of days that measure two things, so a
# span of time or a share must come SAME_SPAN_MEANING close (spans are everywhere in news).
SAME_MEASURE_MEANING = 0.4
# A sentence naming one side of a who/when disagreement states that side as fact when it is this
# alike in meaning to a rival side's fact: "Mayor Kerr shut the Corn Exchange" / "Deputy mayor
# Hebden signed an order closing the Corn Exchange" 0.63; "Mayor Kerr said the traders would be
# paid" 0.36, "Mayor Kerr said the hall would reopen when safe" 0.29.
DISPUTED_ACTION_MEANING = 0.55
SAME_SPAN_MEANING = 0.5
# … or, when each source gives one figure only in that unit (one depth, one distance), this
# close: a short fact that leaves out what it measures ("came down 140 metres from its target"
# / "settled within 90 metres of its planned site": 0.35). At 0.15 a company's workforce today
# paired with a columnist's memory of the mill's (0.20).
LONE_MEASURE_MEANING = 0.3

# --- The map step (service.summarize) ------------------------------------------------------

# a fact costs ~25 generated tokens: the map step's time is its facts
MAX_FACTS_PER_CHUNK = 8
