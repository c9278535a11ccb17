"""The search index's tables, as the feed cache's migrations 5 to 7 make them
(`paperterm.feed.searchindex` says what each holds)."""

from __future__ import annotations

# The schema is these migrations in order, for a new cache and for `reset` alike.
MIGRATION_5 = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5("
    "title, author, kw, abstract, content='', detail=column, "
    "tokenize=\"ascii tokenchars '_'\")",
    "CREATE TABLE IF NOT EXISTS search_docs (doc INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, "
    "up INTEGER, comments INTEGER, stars INTEGER, day INTEGER, code INTEGER NOT NULL, "
    "summary INTEGER NOT NULL, org TEXT)",
    # (Until migration 6, every word with whether a title, author or keyword held it.)
    "CREATE TABLE IF NOT EXISTS search_words (word TEXT PRIMARY KEY, inside INTEGER NOT NULL) "
    "WITHOUT ROWID",
    # Every word in one row, as of a generation: what a new process reads (one row, not
    # 60,000); written by the first search after a change.
    "CREATE TABLE IF NOT EXISTS search_vocabulary (generation INTEGER NOT NULL, "
    "words TEXT NOT NULL, inside TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS search_state (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    # A new cache is ready at once; one migrated with papers in it is filled in by a rebuild.
    "INSERT OR REPLACE INTO search_state (key, value) "
    "VALUES ('ready', (SELECT count(*) = 0 FROM papers)), ('generation', 0)",
)
MIGRATION_6 = (
    # The words of each store since the one-row vocabulary, newline-separated: all of them,
    # and those a title, author or keyword held (the "inside" look-up's).
    "CREATE TABLE IF NOT EXISTS search_word_log (generation INTEGER NOT NULL, "
    "words TEXT NOT NULL, inside TEXT NOT NULL)",
    "INSERT INTO search_word_log (generation, words, inside) SELECT "
    "(SELECT value FROM search_state WHERE key = 'generation'), "
    "coalesce((SELECT group_concat(word, char(10)) FROM search_words), ''), "
    "coalesce((SELECT group_concat(word, char(10)) FROM search_words WHERE inside), '') "
    "WHERE EXISTS (SELECT 1 FROM search_words)",
    "DROP TABLE search_words",
    "DELETE FROM search_vocabulary",
)
MIGRATION_7 = (
    # The vocabulary by word length (`paperterm.feed.searchterms`); the one-row vocabulary of
    # migrations 5 and 6 goes back into the log, and the first search makes the rows from it.
    "CREATE TABLE IF NOT EXISTS search_terms (kind TEXT NOT NULL, length INTEGER NOT NULL, "
    "words TEXT NOT NULL, PRIMARY KEY (kind, length)) WITHOUT ROWID",
    "INSERT INTO search_word_log (generation, words, inside) "
    "SELECT generation, words, inside FROM search_vocabulary",
    "DROP TABLE search_vocabulary",
    "INSERT OR REPLACE INTO search_state (key, value) VALUES ('terms', -1)",
)
DROP = (
    "DROP TABLE IF EXISTS search_terms",
    "DROP TABLE IF EXISTS search_text",
    "DROP TABLE IF EXISTS search_docs",
    "DROP TABLE IF EXISTS search_words",
    "DROP TABLE IF EXISTS search_vocabulary",
    "DROP TABLE IF EXISTS search_word_log",
    "DROP TABLE IF EXISTS search_state",
)
