"""The export, import and digest formats by name, with the export file extensions.

Apart from `export` and `import_text` so the command line can offer the names without loading
the exporters or the importers.
"""

from __future__ import annotations

from typing import Literal

ExportFormat = Literal["bibtex", "ris", "csl-json", "markdown", "json", "csv"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("bibtex", "ris", "csl-json", "markdown", "json", "csv")
FILE_EXTENSIONS: dict[ExportFormat, str] = {
    "bibtex": ".bib",
    "ris": ".ris",
    "csl-json": ".json",
    "markdown": ".md",
    "json": ".json",
    "csv": ".csv",
}

ImportFormat = Literal["bibtex", "ris", "csl-json", "json"]
IMPORT_FORMATS: tuple[ImportFormat, ...] = ("bibtex", "ris", "csl-json", "json")

DigestFormat = Literal["text", "markdown", "html", "json"]
DIGEST_FORMATS: tuple[DigestFormat, ...] = ("text", "markdown", "html", "json")
