"""The filter language: parse a query line, then match and rank papers against it.

This package owns the query language shared by the filter bar and ``--filter``, and the index
that answers it. It does no I/O and imports neither Textual nor Rich.

The language
============
Terms are separated by whitespace and must all hold. Any term can be negated with ``-``.

* ``word``: fuzzy over title, authors, AI keywords and abstract (see Matching).
* ``"exact phrase"``: these words in this order, starting at the start of a word; no typos.
* ``title:``, ``author:``, ``kw:`` take a word or a ``"phrase"`` and look in that field only
  (``author:"Full Name"`` is a phrase inside one author's name).
* ``org:NAME`` the organisation's name contains NAME at the start of a word;
  ``tag:NAME`` one of the paper's bookmark tags is NAME (case-insensitive).
* ``is:unread``, ``is:read``, ``is:bookmarked``, ``has:code``, ``has:summary``.
* ``up:``, ``stars:``, ``comments:`` take ``>N``, ``>=N``, ``<N``, ``<=N``, ``=N``, ``N`` (equal)
  or a range ``A..B`` (either end may be left open). A paper without a star count never
  matches ``stars:``.
* ``age:<7d`` counts whole days from the feed day to today; units ``d``, ``w`` (7 days),
  ``m`` (30 days), ``y`` (365 days), days when omitted. Without an operator it means "at most"
  (``age:7d`` is the last week), since nobody wants papers exactly a week old.
* ``date:2026-08-01..2026-08-21`` (inclusive), ``date:2026-08-01..``, ``date:..2026-08-21``,
  ``date:2026-08-21`` (that day), ``date:2026-08`` (that month), ``date:2026`` (that year), and
  ``>``, ``>=``, ``<``, ``<=`` before a date. ``age:`` and ``date:`` use the feed day, or the
  arXiv day for a paper that was never on the feed.
* ``sort:hot`` (upvotes gained per day: measured from the feed history when the context has it,
  else upvotes over the days since the feed day), ``sort:upvotes``, ``sort:newest``,
  ``sort:rank`` (the list's own order, even for a ranked text query); not a filter, and the
  last one wins.

Field names and ``is:``/``has:`` values are case-insensitive; ``keyword:`` and ``upvotes:`` are
aliases. ``foo:bar`` with a field name we do not know is a plain word, so ``arXiv:2406.01234``
or ``16:9`` search as text. A word without a letter or digit (a lone ``-`` or ``&``) is ignored.
A malformed term (``up:>abc``, an unclosed quote, ``is:foo``, ``title:`` with no value, a
backwards range) is ignored and reported in `Query.errors` with its span; it never raises.

Matching
========
Text is folded (casefolded, compatibility-decomposed, accents dropped) and split into words
(runs of letters, digits and ``_``). A query word with punctuation inside (``gpt-4o``) is split
the same way and every part must match. A part matches a text word when it:

* is the word (exact) or begins it (prefix), except that in abstracts a word of 1-2 characters
  must be a whole word: nearly every abstract has a word starting with "a";
* of 4+ characters, occurs inside a word of a title, author or keyword (``llava``, ConvLLaVA);
* of 5+ letters, is within one edit of the start of a word, or of a whole shorter word (two
  edits from 9 letters; swapping two neighbours is one edit). Words with digits get no typo
  tolerance: 2024 is not 2025. Nor do exclusions and phrases.

An exclusion (``-word``) uses exact and prefix matches only, so ``-model`` keeps "modal".

Ranking
=======
Each matched word scores field weight (title 8, author 4, keyword 2, abstract 1) times match
quality (exact 10, prefix 9, inside 8, one typo 7, two typos 6), its best field counting; a
phrase scores as an exact match. The weights make any title match outrank any author match, and
so on down. Scores add up over words; ties keep the collection's order (the feed's rank). A query
with no text to rank (only ``is:``, ``has:``, numbers, dates, ``org:``, ``tag:`` or exclusions)
keeps the collection's order.

Modules
=======
The work is split by stage: `paperterm.query.parse` turns a line into terms,
`paperterm.query.index` answers them (and says how it is fast, helped by ``_vocab``, the sorted
vocabulary, and ``_bitset``, the posting sets), `paperterm.query.highlight` marks matches in
titles, `paperterm.query.results` holds what a search takes and gives; ``_text`` holds what
they share: how text folds and what a word is. Everything public
is importable from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from paperterm import exported_later

if TYPE_CHECKING:  # the names as the type checker sees them (`as`: exported)
    from paperterm.query.highlight import highlight_spans as highlight_spans
    from paperterm.query.index import PaperIndex as PaperIndex
    from paperterm.query.parse import Bounds as Bounds
    from paperterm.query.parse import Flag as Flag
    from paperterm.query.parse import Query as Query
    from paperterm.query.parse import QueryError as QueryError
    from paperterm.query.parse import RangeField as RangeField
    from paperterm.query.parse import RangeTerm as RangeTerm
    from paperterm.query.parse import Span as Span
    from paperterm.query.parse import StateTerm as StateTerm
    from paperterm.query.parse import Term as Term
    from paperterm.query.parse import TextField as TextField
    from paperterm.query.parse import TextTerm as TextTerm
    from paperterm.query.parse import parse_query as parse_query
    from paperterm.query.results import SearchContext as SearchContext
    from paperterm.query.results import SearchResult as SearchResult

# Each public name's module, imported when the name is first asked for: a filtered `list`
# that answers from the persistent index never loads the in-memory index or the highlighter.
_HOME = {
    "highlight_spans": "highlight",
    "PaperIndex": "index",
    "SearchContext": "results",
    "SearchResult": "results",
    **dict.fromkeys(
        ("Bounds", "Flag", "Query", "QueryError", "RangeField", "RangeTerm", "Span",
         "StateTerm", "Term", "TextField", "TextTerm", "parse_query"),
        "parse",
    ),
}  # fmt: skip
__all__ = sorted(_HOME)

__getattr__ = exported_later(__name__, _HOME)
