"""The export formats by name, with their file extensions.

Apart from `export` so the command line can offer the names without loading the exporters.
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
