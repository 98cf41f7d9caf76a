"""Article cleaning: turn scraped article text or HTML into boilerplate-free prose for the LLM.

Scraped news text carries site furniture: advertisement markers, "Also read:" teasers,
share bars, newsletter and app pitches, cookie banners, comment forms and "More Stories"
link lists. None of it may reach a prompt, so every article passes through :func:`clean_text`
(one article) or :func:`remove_shared_lines` (a bundle, adding a cross-article signal).

An HTML page's article comes from :mod:`service.html_page` as blocks that know their structure;
the :data:`STRUCTURE` signals remove the page's own title (a separate field), short link teasers
and the teaser cards after the article's last paragraph. Then every line, from HTML or plain
text, meets the line rules.

Every line rule lives in :data:`RULES`, one table of named, documented regexes. Each rule has an
:class:`Action`: KEEP rules protect a line from all removal, DROP rules remove a line, CUT rules
remove a junk section heading together with the link list under it, LINK rules say which
lines count as items of such a list, and TAIL rules trim a run of headline-like lines left
dangling at the end of a plain text. Rules prefer general signals (a label followed by a colon,
a call to action aimed at the reader, a line with no words) over the literal junk seen on any
one site; ``plain_only`` rules stand in for structure and are not applied to HTML. Each rule is
a hypothesis checked on ``bench/extraction.py``: a rule that costs recall there is narrowed or
goes.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from service.html_page import Block, Extraction, article_blocks
from service.textutil import names_outlet

__all__ = [
    "RULES",
    "STRUCTURE",
    "Action",
    "CleanedText",
    "Removal",
    "Rule",
    "clean_extraction",
    "clean_html",
    "clean_text",
    "looks_like_html",
    "normalise_quotes",
    "remove_shared_lines",
]


@dataclass(frozen=True)
class Removal:
    """One removed line and the name of the rule or signal that removed it."""

    line: str
    rule: str


@dataclass(frozen=True)
class CleanedText:
    """One cleaned article: the text and the lines removed from it as boilerplate."""

    text: str
    removed: tuple[str, ...]
    injections: tuple[str, ...] = ()  # removed lines that addressed an AI model (a subset)
    removals: tuple[Removal, ...] = ()  # every removed line with its rule, for explanations


INJECTION_RULE = "injected_instruction"
CONTROL_BAR_RULE = "control_bar"  # kept over or under a row of a table (_verdicts)


class Action(Enum):
    """What a matching :class:`Rule` does to a line."""

    KEEP = "keep"  # protect the line from every removal rule (and from shared-line removal)
    DROP = "drop"  # remove the line
    CUT = "cut"  # remove the line and the LINK lines (a headline list) directly after it
    LINK = "link"  # a line that is an item of the link list under a CUT heading
    TAIL = "tail"  # remove the line when it is in the trailing run at the end of the article


# A line "ends a sentence" when its last character, ignoring closing quotes and brackets, is one
# of these; headlines, link lists and buttons usually do not.
_SENTENCE_END = re.compile(r"[.!?…][\"'”\u2019»)\]]*$")


@dataclass(frozen=True)
class Rule:
    """A named line predicate: a regex, optionally limited to short and/or unpunctuated lines."""

    name: str
    action: Action
    pattern: re.Pattern[str]
    reason: str
    max_words: int = 0  # 0: any length; otherwise only lines of at most this many words
    bare_only: bool = False  # only lines that do not end in sentence punctuation
    spare_headline: bool = False  # never applied to the first line (the headline)
    plain_only: bool = False  # only for plain text; an HTML page's structure decides there

    def matches(self, line: str) -> bool:
        """Return True when ``line`` (one stripped line) is caught by this rule."""
        if self.max_words and len(line.split()) > self.max_words:
            return False
        if self.bare_only and _SENTENCE_END.search(line):
            return False
        return self.pattern.search(line) is not None


def _rule(
    name: str,
    action: Action,
    pattern: str,
    reason: str,
    *,
    max_words: int = 0,
    bare_only: bool = False,
    spare_headline: bool = False,
    plain_only: bool = False,
) -> Rule:
    compiled = re.compile(pattern, re.IGNORECASE)
    return Rule(name, action, compiled, reason, max_words, bare_only, spare_headline, plain_only)


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?!\w))"
# Words that turn an imperative into a call to action aimed at the reader ("Follow us", "Read the
# full story", "Download the app"); without one, "Follow the money" stays a subheading.
# Who an injected instruction addresses: "AI systems", "automated summarisers", "language models".
_AUTOMATED_READER = (
    r"(?:ai|a\.i\.|llms?|(?:large )?language models?|chatbots?|bots?|crawlers?|assistants?"
    r"|automated (?:\w+ )?(?:systems?|tools?|readers?|summari[sz]ers?|agents?)|summari[sz]ers?"
    r"|ai (?:systems?|models?|tools?|agents?|assistants?|summari[sz]ers?))\b"
)
# Advertisement labels in the languages fusebrief meets most ("Anzeige", "Publicidad", ...).
_AD_LABEL = (
    r"advertisements?|advertising|advert|ads?|ad feedback|sponsored(?: content| post| links?"
    r"| stories)?|paid (?:content|post|partnership)|promoted(?: content| stories)?"
    r"|partner content|anzeige|werbung|publicidad|publicit[ée]|pubblicit[àa]|reklame"
    r"|advertentie|annonce|patrocinado|contenido patrocinado|gesponsert"
)
_CTA_TARGET = (
    r"us|our|here|now|today|free|link|below|above|more|full|story|article|video|podcast|inbox"
    r"|updates|alerts|notifications|apps?|channel|newsletter|page|account|button|trial|latest"
    r"|live|episode|offer|subscription|membership|stories|headlines|coverage|me|my|your"
    r"|e-?mail|address|password|events|only|replies|results|player"
)
_SOCIAL = (
    r"share|shares|sharing|this|article|story|post|on|via|tweet|pin|it|e-?mail|print|copy|link"
    r"|copied|save|whatsapp|facebook|twitter|x|linkedin|telegram|reddit|pinterest|flipboard"
    r"|messenger|threads|bluesky|mastodon|tumblr|sms|click|tap|to|opens|in|a|new|window|tab"
)
_UTILITY_NAV = (
    r"home|menu|search|close|open|log ?in|log ?out|sign ?in|sign ?up|register|subscribe|account"
    r"|my account|profile|privacy( policy)?|cookie policy|cookies|terms( of (use|service))?"
    r"|terms (and|&) conditions|contact( us)?|about( us)?|advertise( with us)?|careers|sitemap"
    r"|site map|accessibility|help|faq|rss|e-?paper|live tv|podcasts|newsletters|follow us"
)
_JUNK_HEADING = (
    r"more stories|more (?:news|from|on|in|like this|to read)\b.*|related(?: (?:stories|articles?"
    r"|news|posts|content|coverage|reading|topics|links))?|most (?:read|popular|viewed|shared"
    r"|commented|watched)|trending(?: now| stories| news| topics)?|you (?:may|might) (?:also )?"
    r"(?:like|enjoy|be interested in)|recommended(?: for you| stories| reading| articles)?"
    r"|(?:top|latest|other|popular|more top) (?:stories|news|headlines)|read next|up next"
    r"|what to read next|don'?t miss|editor'?s picks?|further reading|in other news|comments"
    r"|\d+ comments?|tags"
)

#: The rule table: every boilerplate signal the cleaner knows, in evaluation order.
RULES: tuple[Rule, ...] = (
    # -- DROP before anything else: text addressed to a model is never news ----------------
    _rule(
        INJECTION_RULE,
        Action.DROP,
        r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:previous|prior|above|earlier|all"
        r"|your|these)\b.{0,30}\b(?:instructions?|prompts?|rules|directions)\b"
        r"|\b(?:reveal|print|show|repeat|output|leak)\b.{0,30}\b(?:system|hidden|initial) prompt\b"
        r"|\b(?:as|you are) an? (?:ai|language model|llm|ai assistant|chatbot)\b"
        rf"|\b(?:notes?|messages?|instructions?|attention|reminder)\b.{{0,20}}\b(?:for|to)\b"
        rf".{{0,15}}\b{_AUTOMATED_READER}"
        rf"|\b(?:if|when|while) you(?:'re| are)? (?:an? )?(?:summari[sz]|process|read)\w*\b"
        rf".{{0,40}}\b(?:tell|state|say|write|report|recommend|include|mention)\b",
        "instructions addressed to an AI model are an injection attempt, not news",
    ),
    # -- KEEP: content that looks like furniture (short, unpunctuated) but is not -----------------
    _rule(
        "quoted_line",
        Action.KEEP,
        r"^[\"“\u2018'«„].*[\"”\u2019'»][.!?,…]?$",
        "a line that is one quotation is content, however short",
    ),
    _rule(
        "attribution",
        Action.KEEP,
        r"\b(?:based on (?:an? )?(?:report|story|article|reporting|dispatch)s? (?:by|from|in)"
        r"|with inputs? from|(?:additional )?reporting by|writing by|editing by"
        r"|(?:originally|first) (?:published|appeared) (?:in|on|by))\b",
        "a source attribution tells the reader where the facts came from",
        max_words=25,
    ),
    _rule(
        "source_line",
        Action.KEEP,
        r"^\W*(?:sources?|quellen?|fuentes?|fontes?|fonti|bron(?:nen)?|autor(?:in|en|es)?"
        r"|authors?|auteurs?|autore|byline|by|von|par|por|text|texto|texte|reporting"
        r"|redacci[oó]n|redaktion|mitarbeit|contributors?|contributing)\s*[:：]",
        "a 'Source: …' / 'Quelle: …' / 'Autor: …' line says where the facts came from",
        max_words=30,
    ),
    _rule(
        "dateline",
        Action.KEEP,
        rf"^(?-i:[A-Z][A-Z.'\u2019 -]{{2,}}),?\s+(?:[a-z]+,\s+)?(?:\([^)]{{1,25}}\)|{_DATE})",
        "a dateline (PLACE, date / PLACE (Agency)) places the story",
    ),
    _rule(
        "date_line",
        Action.KEEP,
        rf"^(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?{_DATE}(?:,?\s+\d{{4}})?"
        r"(?:[\s,|•·\u2013-]+\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s+[a-z]{2,4})?)?$",
        "a bare date line dates the story; bundles share it, so guard it from shared-line removal",
    ),
    # -- DROP: exact-ish junk phrases ------------------------------------------------------------
    _rule(
        "ad_marker",
        Action.DROP,
        rf"^\W*(?:(?:{_AD_LABEL}|(?:story|article) continues (?:below|after)"
        r"(?: (?:this )?advert\w*)?|continue reading below|scroll (?:down )?to continue"
        r"(?: with content)?)\W*)+$",
        "advertisement slot markers carry no text of their own",
    ),
    _rule(
        "ad_label",
        Action.DROP,
        rf"^\W*(?:{_AD_LABEL})\s*[:|]",
        "'Sponsored: ...' lines are advertisements",
        max_words=30,
    ),
    _rule(
        "widget_label",
        Action.DROP,
        r"^\W*(?:(?:promotion|newsletter|podcast|quiz|crossword|puzzles?)\s*[:|]"
        r"|(?:weather|forecast)\s*[:|].*\d\s*°)",
        "an unpunctuated 'Newsletter: ...' / 'Podcast: ...' line, or a weather reading"
        " ('Weather: 9°C ...'), is a page widget; 'Markets:' or 'Poll:' can head a fact",
        max_words=20,
        bare_only=True,
    ),
    _rule(
        "feedback_widget",
        Action.DROP,
        r"^\W*(?:was this (?:article|story|page|information|content) (?:helpful|useful)"
        r"|did you (?:find|like|enjoy) this (?:article|story|page)|rate this (?:article|story)"
        r"|how (?:useful|helpful) (?:was|is) this|(?:gift|save|print|bookmark|listen to|report)"
        r" this (?:article|story|page)|give this article)\b",
        "'Was this article helpful?' / 'Gift this article' are page widgets, not the story",
        max_words=12,
    ),
    _rule(
        "teaser_label",
        Action.DROP,
        r"^(?!.*\.[\"'”’»)\]]*$)\W*(?:also read|read also|read more|more|read next|see also"
        r"|also see|related"
        r"|related (?:story|stories|articles?|news|coverage|reading|reports?|content)"
        r"|recommended|suggested|most (?:read|popular|viewed|shared)"
        r"|must read|don'?t miss|trending|up next|(?:also )?check out"
        r"|(?:also|more) (?:in|on|from) [\w'\u2019 &-]{1,40}|live"
        r"|te puede interesar|lee también|ver también|lesen sie auch|mehr zum thema|lire aussi"
        r"|à lire aussi|leggi anche)"
        r"(?:\s*[:|»\u203a>]|\s+[\u2013—-]\s)",
        "'Also read: <headline>' teasers link to other articles; a full stop makes it a sentence",
        max_words=30,
    ),
    _rule(
        "contact_pitch",
        Action.DROP,
        r"^(?!.*\.[\"'”’»)\]]*$).*[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
        "'Got a story? Email newsdesk@…' / 'Join the debate: letters@…' ask the reader to write"
        " in; a full stop makes it a sentence",
        max_words=15,
    ),
    _rule(
        "editors_note",
        Action.DROP,
        r"^\W*(?:editors?|editor'?s note|note to editors)\s*:\s*(?:this|the)"
        r" (?:story|article|report|version)\b",
        "'Editors: this story has been updated…' is a wire service's note to its clients",
        max_words=30,
    ),
    _rule(
        "media_label",
        Action.DROP,
        r"^\W*(?:watch(?: now)?|listen(?: now)?|video|audio|photos?|photograph|images?|pictures?"
        r"|gallery|graphic|illustration|file photo|caption|credits?|photo credits?"
        r"|image (?:credits?|source))\s*[:|]",
        "'Watch:' / 'Photo:' lines are player captions and image credits, not prose",
        max_words=30,
    ),
    _rule(
        "media_credit",
        Action.DROP,
        r"\b(?:getty images|shutterstock|istock|ap photo|afp photo|reuters photo|file photo"
        r"|staff photographer|photo(?:graph)? by|image by|image courtesy|courtesy of"
        r"|via getty)\b",
        "picture credits name the photographer or agency, not news",
        max_words=15,
        bare_only=True,
    ),
    _rule(
        "media_duration",
        Action.DROP,
        r"\(\d{1,2}:\d{2}(?::\d{2})?\)|^\W*\d{1,2}:\d{2}(?::\d{2})?\W*$",
        "a '(2:14)' running time marks a video or audio player",
        max_words=15,
    ),
    _rule(
        "share_bar",
        Action.DROP,
        rf"^\W*(?:(?:{_SOCIAL})\b\W*)+$",
        "a line made only of share/social-network words is a share bar",
    ),
    _rule(
        "new_window",
        Action.DROP,
        r"\(?\bopens in (?:a )?new (?:window|tab)\b",
        "'(Opens in new window)' is link-icon text from share buttons",
        max_words=20,
    ),
    _rule(
        "utility_nav",
        Action.DROP,
        rf"^\W*(?:(?:{_UTILITY_NAV})\b\W*)+$",
        "a line made only of site-utility links (Home, Log in, Privacy policy...) is navigation",
    ),
    _rule(
        CONTROL_BAR_RULE,
        Action.DROP,
        r"^\W*[^\W\d_]+(?:[ '\u2019-][^\W\d_]+){0,2}"
        r"(?:\s*[|•·]\s*[^\W\d_]+(?:[ '\u2019-][^\W\d_]+){0,2}){2,}\W*$",
        "three or more items of one to three words joined by | or • ('Print | Email | Save for"
        " later', 'Home | News | Sport') are page controls or menu links; a table row has figures",
        max_words=15,
        plain_only=True,
    ),
    _rule(
        "breadcrumb",
        Action.DROP,
        r"^\W*[\w&'\u2019 -]{1,30}(?:(?:\s[/>]\s|\s*[»\u203a]\s*)[\w&'\u2019 -]{1,30}){2,}\W*$",
        "three or more short segments joined by » / › / > are breadcrumbs ('|' joins table cells)",
    ),
    _rule(
        "reader_promo",
        Action.DROP,
        r"\b(?:follow us|subscribe (?:to (?:our|the)|for|now|today|here)|download (?:our|the) app"
        r"|get the (?:\w+ ){0,3}app|join (?:our|us on)|(?:whatsapp|telegram|google news)"
        r" (?:channel|updates)|turn on (?:push )?notifications|enable notifications"
        r"|add us (?:to|on|as)|(?:download|get it) on (?:the )?(?:app store|google play)"
        r"|(?:to|in) your inbox|our newsletters?|newsletter sign[ -]?up|thanks? (?:you )?for"
        r" (?:subscribing|signing up)|become a (?:supporter|member"
        r"|subscriber|patron)|support (?:our|independent|quality) journalism|enjoying our"
        r"|newsletter abonnieren|suscr[ií]bete|abonnez-vous|iscriviti|assine (?:a|nossa)"
        r"|(?:is|are|stays?|remains?) free to read|support (?:local|our|independent|quality)"
        r" (?:news|journalism|reporting)|from [£$€]\d+(?:[.,]\d\d)? (?:a|per) (?:month|week|year)"
        r"|read the (?:rest|whole|full) (?:of (?:the|this|our) \w+ )?(?:here|now|online)"
        r"|(?:this|the) (?:article|story|piece|report|feature) is part of (?:our|an?|the)\b)",
        "follow, newsletter, app and donation pitches, and series notes, address the reader,"
        " not the story",
        max_words=30,
    ),
    _rule(
        "reader_callout",
        Action.DROP,
        r"\b(?:have you (?:got|seen|taken|filmed)|do you have|did you (?:see|witness|take|film)"
        r"|were you (?:there|affected|caught|involved)|are you affected|got an? (?:story|tip"
        r"|photo|video|picture))\b[^?]{0,100}\?\s*(?:please )?(?:send|share|email|e-mail|tell"
        r"|contact|get in touch|let us know|message|whatsapp|upload|call)\b",
        "'Have you got a photo of …? Send it to us' asks the reader for material; it is not news",
        max_words=40,
    ),
    _rule(
        "promo_product",
        Action.DROP,
        r"\b(?:our|your|free|daily|weekly) (?:\w+ ){0,2}(?:newsletters?|briefings?|digest"
        r"|podcasts?|apps?|channels?|alerts|notifications|inbox)\b",
        "an unpunctuated line offering 'our free daily briefing' / 'your alerts' is a pitch",
        max_words=14,
        bare_only=True,
        spare_headline=True,
    ),
    _rule(
        "paywall",
        Action.DROP,
        r"\b(?:subscribers? only|for subscribers|premium (?:content|article|story)"
        r"|already a subscriber|(?:to )?continue reading|keep reading|unlock (?:this|the full|full)"
        r"|reached your (?:free )?(?:article )?limit|free articles? (?:left|remaining)"
        r"|(?:is |are )?(?:only )?available (?:only )?to (?:subscribers|members)"
        r"|start (?:your|a) free trial|unlimited access)\b",
        "paywall prompts gate the article instead of telling it",
        max_words=20,
    ),
    _rule(
        "comment_form",
        Action.DROP,
        r"\b(?:leave a (?:reply|comment)|post a comment|add a comment|join the (?:conversation"
        r"|discussion)|your email address will not be published|required fields are marked"
        r"|comments are closed|be the first to comment|view (?:all )?comments|show comments"
        r"|cancel reply|log in to (?:comment|reply)|you must be logged in|have your say"
        r"|save my name)\b|^\W*(?:\d+\s+(?:comments?|replies|responses)|post comment"
        r"|(?:comments?|replies|responses)\s*\(\d+\))\W*$",
        "comment boxes and their form labels follow the article",
        max_words=25,
    ),
    _rule(
        "form_field",
        Action.DROP,
        r"^[\w' -]{1,30}\s*\*$",
        "a one-to-three word label ending in the required-field asterisk is a web form field",
        max_words=3,
    ),
    _rule(
        "page_chrome",
        Action.DROP,
        r"^\W*(?:back to top|scroll to top|go to top|return to top|top of page|skip to"
        r" (?:main )?(?:content|navigation|search)|jump to (?:content|navigation))\b",
        "skip links and 'Back to top' buttons belong to the page, not the text",
        max_words=6,
    ),
    _rule(
        "cookie_banner",
        Action.DROP,
        r"\b(?:we use cookies|(?:this|our) (?:web)?site uses cookies"
        r"|cookie (?:policy|settings|preferences|consent|notice)|accept (?:all )?cookies"
        r"|manage (?:cookies|consent|preferences)|privacy preferences)\b",
        "cookie consent banners are about the website, not the news",
        max_words=60,
    ),
    _rule(
        "consent_button",
        Action.DROP,
        r"^\W*(?:accept(?: all)?|reject(?: all)?|decline|i agree|agree|ok(?:ay)?|got it"
        r"|allow(?: all)?|dismiss|manage (?:options|settings)|more options|customi[sz]e)\W*$",
        "bare button labels from consent and pop-up dialogs",
    ),
    _rule(
        "copyright",
        Action.DROP,
        r"^\W*(?:©|copyright\b|\(c\)).*\b(?:19|20)\d\d\b|\ball rights reserved\b",
        "copyright notices (with a year) and rights notices are page footer ('© Reuters' credits)",
        max_words=25,
        plain_only=True,
    ),
    _rule(
        "meta_label",
        Action.DROP,
        r"^\W*(?:tags?|topics?|filed under|categories|keywords|schlagw(?:ö|oe)rter|themen"
        r"|etiquetas|mots-cl[ée]s|temas)\s*[:|]\s*[^,;|.!?]{1,40}(?:\s*[,;|]\s*[^,;|.!?]{1,40})+"
        r"\W*$",
        "a label over a list of short tags indexes the article ('Topics: the budget...' is text)",
        max_words=30,
    ),
    # -- DROP: structural --------------------------------------------------------------------
    _rule(
        "no_words",
        Action.DROP,
        r"^[\W_]+$",
        "a line of only punctuation, bullets or rules has nothing to say",
    ),
    _rule(
        "bare_link",
        Action.DROP,
        r"^\W*(?:[#@]\w+\s*)+\W*$",
        "a line of only hashtags or handles is a link, not prose (a bare URL may be a source)",
    ),
    _rule(
        "relative_time",
        Action.DROP,
        r"^\W*(?:(?:updated|posted|published)\s+)?(?:\d+\s*(?:seconds?|minutes?|mins?|hours?|hrs?"
        r"|days?|weeks?|months?)\s+ago"
        r"|\d+\s*min(?:ute)?s?\s+read|reading time\b.*)\W*$",
        "'3 hours ago' / '5 min read' stamps label teaser cards",
    ),
    _rule(
        "timestamp",
        Action.DROP,
        r"^\W*(?:last\s+)?(?:updated|posted|published|modified|aktualisiert|veröffentlicht"
        r"|actualizado|publicado|mis à jour|publié)\s*(?:on|at|am|le|el|:)?\s*"
        rf"(?:{_DATE}|\d{{1,4}}[./-]\d{{1,2}}[./-]\d{{1,4}})(?:,?\s*\d{{4}})?"
        r"(?:,?\s*(?:at\s+|um\s+|à\s+)?\d{1,2}[:.h]\d{2}(?:\s*(?:am|pm))?(?:\s*[a-z]{2,4})?)?\W*$",
        "an 'Updated 10 March 2026, 15:12' stamp dates the page, it says nothing of the story",
    ),
    _rule(
        "call_to_action",
        Action.DROP,
        r"^\W*(?:please\s+)?(?:share|subscribe|follow|click|tap|press|swipe|sign up|sign in"
        r"|log ?in|register|download|install|watch|listen|join|get|grab|read|see|view|check out"
        r"|like|comment|donate|support|become|upgrade|try|start|learn|find out|discover|explore"
        r"|visit|send|tell|email|write to|scan|stay|bookmark|save|never miss|don'?t miss|enter"
        r"|sign|refresh|reload|show|hide|load|expand|collapse|remind|skip|play|unmute|submit"
        r"|continue|keep|manage|choose|select)\b"
        rf"(?=.*\b(?:{_CTA_TARGET})\b)",
        "a short imperative aimed at the reader ('Watch the video now', 'Enter your email"
        " address', 'Show key events only') is a call to action or a page control",
        max_words=12,
        bare_only=True,
        spare_headline=True,
        plain_only=True,
    ),
    # -- CUT: a junk heading ends the body; the headline list under it goes too ---------------
    _rule(
        "junk_heading",
        Action.CUT,
        rf"^\W*(?:{_JUNK_HEADING})\W*$",
        "'More Stories' / 'Related' / 'Trending' headings introduce lists of other articles",
        max_words=8,
    ),
    _rule(
        "link_list_item",
        Action.LINK,
        r"^(?-i:[A-Z0-9À-Þ\"“\u2018']).*(?<![.…])$",
        "under a junk heading, short capitalised lines not ending in a full stop are headlines",
        max_words=16,
    ),
    # -- TAIL: headline-like lines with nothing after them are a link list ----------------------
    _rule(
        "trailing_link_list",
        Action.TAIL,
        r"^(?-i:[A-ZÀ-Þ])[^:|\d]*\w\W*$",
        "a run of two or more capitalised, unpunctuated lines with no colon and no figure ending"
        " a plain text are teaser links (results, ranked lists and 'Quelle:' lines have them)",
        max_words=12,
        bare_only=True,
        plain_only=True,
    ),
)

_KEEP = tuple(rule for rule in RULES if rule.action is Action.KEEP)
_REMOVE = tuple(rule for rule in RULES if rule.action in (Action.DROP, Action.CUT))
_LINK = tuple(rule for rule in RULES if rule.action is Action.LINK)
_TAIL = tuple(rule for rule in RULES if rule.action is Action.TAIL)

#: Shared-line removal only considers lines of at most this many words.
SHARED_LINE_MAX_WORDS = 12
#: A first line with at least this many words is taken to be the headline and kept.
HEADLINE_MIN_WORDS = 4
#: A plain-text line of at least this many words ending mid-sentence was hard-wrapped.
WRAPPED_LINE_MIN_WORDS = 8
_ENDS_MID_SENTENCE = re.compile(r"\s[a-z][\w'\u2019-]*[,;]?$")  # last word is lower-case
_STARTS_WITH_WORD = re.compile(r"^[^\W_]")

# --------------------------------------------------------------------------------------------
# Whitespace and quotes
# --------------------------------------------------------------------------------------------

_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_ODD_SPACES = re.compile(r"[\t\v\f\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLES = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad\x00-\x08\x0e-\x1f\x7f]")
_SPACE_RUNS = re.compile(r" {2,}")
_BLANK_RUNS = re.compile(r"\n{3,}")
_OPEN_CONTEXT = frozenset("([{<—\u2013-/“\u2018")
_CLOSE_CONTEXT = frozenset(".,;:!?)]}>—\u2013-…”\u2019")


def normalise_quotes(text: str) -> str:
    """Curl straight double quotes and normalise whitespace.

    Each ``"`` becomes “ or ” by position (after a space or opening bracket: opening; before a
    space or punctuation: closing; ambiguous cases alternate), so JSON-constrained model output
    never has to reproduce a raw ``"``. Windows and Unicode line breaks become ``\\n``, exotic
    spaces become plain spaces, zero-width characters, soft hyphens and control characters are
    dropped, space runs collapse, lines are stripped and runs of blank lines collapse to one.
    """
    text = _LINE_BREAKS.sub("\n", text)
    text = _ODD_SPACES.sub(" ", text)
    text = _INVISIBLES.sub("", text)
    out: list[str] = []
    is_open = False
    for i, char in enumerate(text):
        if char != '"':
            out.append(char)
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        after_gap = before.isspace() or before in _OPEN_CONTEXT
        before_gap = after.isspace() or after in _CLOSE_CONTEXT
        opening = (not is_open) if after_gap == before_gap else after_gap
        out.append("“" if opening else "”")
        is_open = opening
    lines = (_SPACE_RUNS.sub(" ", line).strip() for line in "".join(out).split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_HTML_DOCUMENT = re.compile(r"<!doctype\s+html|<(?:html|head|body)\b", re.IGNORECASE)
_HTML_TAG = re.compile(
    r"</?(?:p|div|span|a|br|h[1-6]|ul|ol|li|article|section|main|header|footer|nav|aside"
    r"|table|tr|td|img|figure|figcaption|blockquote|strong|em|b|i|script|style|meta|link"
    r"|button|form|input|noscript|template|iframe|object|svg)\b[^<>]*>",
    re.IGNORECASE,
)
#: Plain text with fewer recognised tags than this is treated as text with stray markup.
HTML_MIN_TAGS = 3
_BREAK_TAG = re.compile(r"<\s*(?:br|/?p|/?div|/?li|/?h[1-6])\b[^<>]*>", re.IGNORECASE)
# Elements whose content is code or styling, never text: cut with what they hold (an unclosed
# one runs to the end of the text).
_HIDDEN_ELEMENT = re.compile(
    r"<(script|style|noscript|template|iframe|object|svg)\b[^>]*>.*?(?:</\1\s*>|$)",
    re.IGNORECASE | re.DOTALL,
)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)


def looks_like_html(raw: str) -> bool:
    """Return True when ``raw`` is an HTML page or fragment rather than text with a stray tag."""
    if _HTML_DOCUMENT.search(raw):
        return True
    return len(_HTML_TAG.findall(raw)) >= HTML_MIN_TAGS


def _plain_to_text(raw: str) -> str:
    """Plain text with stray ``<br>``/``<p>`` made line breaks, scripts, styles and other tags
    cut, entities decoded."""
    raw = _HIDDEN_ELEMENT.sub("\n", _HTML_COMMENT.sub("", raw))
    return html.unescape(_HTML_TAG.sub("", _BREAK_TAG.sub("\n", raw)))


#: The structural signals applied to an HTML page's blocks before the line rules, by name.
STRUCTURE: dict[str, str] = {
    "page_title": "the page's own title (or a part of it) standing over the article: the title is"
    " a separate field of the article",
    "link_teaser": "a short block that is mostly the text of one link of several words and no"
    " sentence is a teaser for another page",
    "teaser_cards": "after the article's last paragraph, a run of blocks that each open with a"
    " link of several words (a headline, maybe a line under it) are cards for other pages",
    "outside_article": "page text outside the article body (navigation, sidebars, footers,"
    " teasers): the extractor left it out",
}
#: A link teaser: at least this share of its characters is link text...
LINK_TEASER_MIN_SHARE = 0.7
#: ...it has at most this many words...
LINK_TEASER_MAX_WORDS = 20
#: ...and one link of at least this many words (a bare URL or "Reuters" is a source, not a teaser).
LINK_TEASER_MIN_LINK_WORDS = 3
#: Teaser cards: a run of at least this many blocks after the last paragraph...
TEASER_CARDS_MIN_RUN = 2
#: ...each of at most this many words, opening with a link of at least LINK_TEASER_MIN_LINK_WORDS.
TEASER_CARDS_MAX_WORDS = 40
#: A paragraph: at least this many words, ends a sentence, at most this share of link text.
PARAGRAPH_MIN_WORDS = 20
PARAGRAPH_MAX_LINK_SHARE = 0.3
#: The page title is looked for among the first blocks, before the first long paragraph.
TITLE_SEARCH_BLOCKS = 3
_FULL_STOP = re.compile(r"\.[\"'”’»)\]]*$")


def _words_key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _is_link_teaser(block: Block) -> bool:
    return (
        block.link_share >= LINK_TEASER_MIN_SHARE
        and block.words <= LINK_TEASER_MAX_WORDS
        and block.longest_link_words >= LINK_TEASER_MIN_LINK_WORDS
        and not _FULL_STOP.search(block.text)
    )


def _block_verdicts(extraction: Extraction) -> list[str | None]:
    """For each block of an HTML extraction, the structural signal that removes it, or None."""
    blocks = extraction.blocks
    verdict: list[str | None] = [None] * len(blocks)
    title = _words_key(extraction.meta.title)
    for i, block in enumerate(blocks[:TITLE_SEARCH_BLOCKS]):
        if block.words > LINK_TEASER_MAX_WORDS * 2:
            break  # the article has started
        key = _words_key(block.text)
        if title and key and (key == title or (len(key) >= 15 and key in title)):
            verdict[i] = "page_title"
    for i, block in enumerate(blocks):
        if verdict[i] is None and _is_link_teaser(block):
            after = blocks[i + 1] if i + 1 < len(blocks) else None
            # a linked heading over its own paragraph (a product, a section) is a heading
            heads_text = after is not None and after.kind != "head" and not _is_link_teaser(after)
            if not (block.kind == "head" and heads_text):
                verdict[i] = "link_teaser"
    prose = [i for i, block in enumerate(blocks) if verdict[i] is None and _is_paragraph(block)]
    i = prose[-1] + 1 if prose else len(blocks)  # a page without paragraphs: no cards
    while i < len(blocks):
        end = i
        while end < len(blocks) and _is_card(blocks[end]):
            end += 1
        if end - i >= TEASER_CARDS_MIN_RUN:
            verdict[i:end] = [name or "teaser_cards" for name in verdict[i:end]]
        i = max(end, i + 1)
    return verdict


def _is_paragraph(block: Block) -> bool:
    return (
        block.words >= PARAGRAPH_MIN_WORDS
        and block.link_share <= PARAGRAPH_MAX_LINK_SHARE
        and _SENTENCE_END.search(block.text) is not None
    )


def _is_card(block: Block) -> bool:
    return (
        block.lead_link_words >= LINK_TEASER_MIN_LINK_WORDS
        and block.words <= TEASER_CARDS_MAX_WORDS
    )


# --------------------------------------------------------------------------------------------
# Line rules
# --------------------------------------------------------------------------------------------

#: A trailing run of headline-like lines must be at least this long to be a teaser list.
TAIL_MIN_LINES = 2
_INJECTION = next(rule for rule in RULES if rule.name == INJECTION_RULE)


def addresses_a_model(text: str) -> bool:
    """Whether the text holds an instruction addressed to an AI model (the injection rule)."""
    return _INJECTION.matches(text)


def _first_match(
    rules: Sequence[Rule], line: str, *, headline: bool = False, plain: bool = True
) -> Rule | None:
    return next(
        (
            rule
            for rule in rules
            if not (headline and rule.spare_headline)
            and (plain or not rule.plain_only)
            and rule.matches(line)
        ),
        None,
    )


def _verdicts(lines: Sequence[str], protected: Sequence[bool], *, plain: bool) -> list[str | None]:
    """For each line, the name of the rule that removes it, or None when it is kept."""
    verdict: list[str | None] = [None] * len(lines)
    i = 0
    while i < len(lines):
        line = lines[i]
        if _INJECTION.matches(line):  # no KEEP rule protects an instruction to the model
            verdict[i] = _INJECTION.name
            i += 1
            continue
        rule = None if protected[i] else _first_match(_REMOVE, line, headline=i == 0, plain=plain)
        if rule is None:
            i += 1
            continue
        if rule.action is not Action.CUT:
            verdict[i] = rule.name
            i += 1
            continue
        # a junk heading goes with the headline list under it; over a paragraph it is a heading
        end = i + 1
        items: list[str] = []
        while end < len(lines) and not protected[end]:
            item = _first_match(_LINK, lines[end]) or _first_match(_REMOVE, lines[end], plain=plain)
            if item is None:
                break
            items.append(item.name)
            end += 1
        if items or end == len(lines):
            verdict[i:end] = [rule.name, *items]
        i = max(end, i + 1)
    for i, name in enumerate(verdict):  # a table's header row is no control bar
        if name == CONTROL_BAR_RULE and any(
            verdict[j] != CONTROL_BAR_RULE and lines[j].count("|") >= 2
            for j in (i - 1, i + 1)
            if 0 <= j < len(lines)
        ):
            verdict[i] = None
    if plain:
        run: list[int] = []
        for i in reversed(range(1, len(lines))):
            if verdict[i] is not None:
                continue
            if protected[i] or _first_match(_TAIL, lines[i]) is None:
                break
            run.append(i)
        if len(run) >= TAIL_MIN_LINES:
            for i in run:
                verdict[i] = _TAIL[0].name
    return verdict


def _is_protected(line: str) -> bool:
    return _first_match(_KEEP, line) is not None


def _clean_lines(text: str, *, plain: bool, prior: Sequence[Removal] = ()) -> CleanedText:
    """Apply :data:`RULES` to normalised text; blank lines separate blocks.

    ``plain``: the text is plain text, not an HTML page's blocks: hard-wrapped lines are
    re-joined and the rules that stand in for structure (``plain_only``, TAIL) apply.
    """
    lines: list[str] = []
    blocks: list[int] = []
    block = 0
    for line in text.split("\n"):
        if line:
            lines.append(line)
            blocks.append(block)
        else:
            block += 1
    verdict = _verdicts(lines, [_is_protected(line) for line in lines], plain=plain)
    paragraphs: list[str] = []
    last_kept = -1
    for i, line in enumerate(lines):
        if verdict[i] is not None:
            continue
        if (
            plain
            and last_kept > 0
            and blocks[last_kept] == blocks[i]
            and len(lines[last_kept].split()) >= WRAPPED_LINE_MIN_WORDS
            and _ENDS_MID_SENTENCE.search(lines[last_kept])
            and _STARTS_WITH_WORD.search(line)
        ):
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        elif last_kept >= 0 and blocks[last_kept] == blocks[i] and not plain:
            paragraphs[-1] = f"{paragraphs[-1]}\n{line}"  # an HTML block's <br> lines
        else:
            paragraphs.append(line)
        last_kept = i
    removals = (
        *prior,
        *(Removal(line, name) for line, name in zip(lines, verdict, strict=True) if name),
    )
    return CleanedText(
        "\n\n".join(paragraphs),
        tuple(removal.line for removal in removals),
        tuple(removal.line for removal in removals if removal.rule == INJECTION_RULE),
        removals,
    )


def clean_html(raw: str, url: str | None = None) -> tuple[CleanedText, Extraction]:
    """Clean one HTML page: its article blocks (:func:`service.html_page.article_blocks`), less
    the blocks the :data:`STRUCTURE` signals remove, through the line rules of :data:`RULES`.
    Also returns the extraction (the page's metadata and blocks)."""
    extraction = article_blocks(raw, url)
    return clean_extraction(extraction), extraction


def clean_extraction(extraction: Extraction) -> CleanedText:
    """The text of an HTML extraction's blocks, less those the :data:`STRUCTURE` signals remove,
    through the line rules of :data:`RULES`."""
    verdict = _block_verdicts(extraction)
    prior = tuple(
        Removal(line, name)
        for block, name in zip(extraction.blocks, verdict, strict=True)
        if name
        for line in normalise_quotes(block.text).split("\n")
    )
    kept = "\n\n".join(
        block.text for block, name in zip(extraction.blocks, verdict, strict=True) if not name
    )
    return _clean_lines(normalise_quotes(kept), plain=False, prior=prior)


def clean_text(raw: str, *, url: str | None = None) -> CleanedText:
    """Clean one scraped article (plain text or HTML, auto-detected).

    HTML goes through :func:`clean_html`: the article's blocks as trafilatura (with readability
    filling gaps) finds them, less the page's title and link teasers. Plain text has its stray
    tags cut (scripts and styles with their content). Both then get :func:`normalise_quotes`
    and the line rules of :data:`RULES`; plain-text lines that were hard-wrapped mid-sentence are
    re-joined. The result has one paragraph per block, separated by blank lines; ``removals``
    lists each dropped line with the rule that dropped it (text that the HTML extractor left
    out of the article is not listed).
    """
    if looks_like_html(raw):
        return clean_html(raw, url)[0]
    return _clean_lines(normalise_quotes(_plain_to_text(raw)), plain=True)


def _line_key(line: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", line.casefold()).split())


def _shareable(line: str, index: int) -> bool:
    """Whether ``line`` (paragraph ``index`` of its article) may count as site furniture."""
    words = len(line.split())
    if index == 0 and words >= HEADLINE_MIN_WORDS:
        return False
    return (
        words <= SHARED_LINE_MAX_WORDS
        and not _SENTENCE_END.search(line)
        and not _is_protected(line)
        and bool(_line_key(line))
    )


SHARED_LINE_RULE = "shared_line"
OWN_OUTLET_RULE = "own_outlet"


def _bundle_rule(line: str, index: int, shared: set[str], outlet: str) -> str | None:
    """The bundle-level rule that removes paragraph ``index``, if one does."""
    if not _shareable(line, index):
        return None
    if _line_key(line) in shared:
        return SHARED_LINE_RULE
    if outlet and names_outlet(line, outlet):
        return OWN_OUTLET_RULE
    return None


def remove_shared_lines(
    texts: Sequence[str], outlets: Sequence[str] | None = None
) -> list[CleanedText]:
    """Clean every article of a bundle, then drop site furniture shared across articles, and
    each article's lines about its own outlet.

    Each text goes through :func:`clean_text` first. A short line (at most
    :data:`SHARED_LINE_MAX_WORDS` words, no final sentence punctuation, not protected by a KEEP
    rule, not the headline) that appears in two or more different articles is boilerplate and
    is removed from all of them. Shared real sentences, as in a syndicated
    rewrite, stay. Such a short line that names the article's own outlet ("Kingsholm Advertiser
    - your town, your news", "Subscribe to Rail Review for full access") is the outlet's
    masthead or promotion, and goes too.
    """
    cleaned = [clean_text(text) for text in texts]
    articles = [item.text.split("\n\n") if item.text else [] for item in cleaned]
    seen_in = Counter(
        key
        for paragraphs in articles
        for key in {_line_key(p) for i, p in enumerate(paragraphs) if _shareable(p, i)}
    )
    shared = {key for key, count in seen_in.items() if count >= 2}
    results: list[CleanedText] = []
    for n, (item, paragraphs) in enumerate(zip(cleaned, articles, strict=True)):
        outlet = outlets[n] if outlets else ""
        rules = [_bundle_rule(p, i, shared, outlet) for i, p in enumerate(paragraphs)]
        kept = [p for p, rule in zip(paragraphs, rules, strict=True) if rule is None]
        gone = tuple(
            Removal(p, rule) for p, rule in zip(paragraphs, rules, strict=True) if rule is not None
        )
        results.append(
            CleanedText(
                "\n\n".join(kept),
                item.removed + tuple(removal.line for removal in gone),
                item.injections,
                item.removals + gone,
            )
        )
    return results
