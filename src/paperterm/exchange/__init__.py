"""Bookmarks in and out of paperterm: export formats, citation keys, importers and the merge.

Pure functions over text: nothing here reads or writes a file (`paperterm.files` does, for
the service). Public face:

* `export(bookmarks, fmt)` — BibTeX, RIS, CSL-JSON, Markdown, JSON backup, CSV
  (`paperterm.exchange.writers`); the format names and file extensions (`.formats`).
* `keys_to_pin`, `citation_key` — arXiv-style citation keys, pinned once (`.keys`).
* `import_text` — a JSON backup, BibTeX, RIS or CSL-JSON file to bookmarks (`.importer`).
* `merge_bookmarks` — imported bookmarks merged into the state's (`.merge`); `enrich_paper`
  — a looked-up paper with what its bookmark already said kept.

Each citation format is one module both ways (`.bibtex`, `.ris`, `.csl`), sharing the names
(`.names`: given / particle / family / suffix, parsed once), LaTeX (`.latex`), what a record
becomes (`.records`) and the cleaning of every imported field (`.fields`).

Only the format names load with the package (the command line offers them at start); the
rest loads when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from paperterm.exchange.formats import (
    EXPORT_FORMATS,
    FILE_EXTENSIONS,
    IMPORT_FORMATS,
    ExportFormat,
    ImportFormat,
)

if TYPE_CHECKING:
    from paperterm.exchange.importer import ImportFormatError, ImportResult, import_text
    from paperterm.exchange.keys import citation_key, is_valid_cite_key, keys_to_pin
    from paperterm.exchange.merge import MergeResult, enrich_paper, merge_bookmarks
    from paperterm.exchange.writers import export

__all__ = [
    "EXPORT_FORMATS",
    "FILE_EXTENSIONS",
    "IMPORT_FORMATS",
    "ExportFormat",
    "ImportFormat",
    "ImportFormatError",
    "ImportResult",
    "MergeResult",
    "citation_key",
    "enrich_paper",
    "export",
    "import_text",
    "is_valid_cite_key",
    "keys_to_pin",
    "merge_bookmarks",
]

_LAZY = {
    "export": "writers",
    "ImportFormatError": "importer",
    "ImportResult": "importer",
    "import_text": "importer",
    "citation_key": "keys",
    "is_valid_cite_key": "keys",
    "keys_to_pin": "keys",
    "MergeResult": "merge",
    "enrich_paper": "merge",
    "merge_bookmarks": "merge",
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
