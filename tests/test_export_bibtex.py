"""The BibTeX reader on its own: name lists and names."""

from __future__ import annotations

from paperterm.exchange.bibtex import name_to_text, parse_bibtex, split_names


def test_names_split_on_a_bare_and_only() -> None:
    raw = "Lee, Ann and {Barnes and Noble} AND Hal Daum{\\'e} III and others"
    assert split_names(raw) == ["Lee, Ann", "{Barnes and Noble}", "Hal Daum{\\'e} III"]
    assert split_names("  ") == []


def test_names_come_out_given_name_first() -> None:
    def name(raw: str) -> str:
        return " ".join(name_to_text(raw).split())

    assert name("Lee, Ann") == "Ann Lee"
    assert name("Daum{\\'e}, III, Hal") == "Hal Daumé III"
    assert name("{Barnes and Noble}") == "Barnes and Noble"
    assert name("{Lee, Jr.}, Ann") == "Ann Lee, Jr."


def test_string_macros_and_months_expand_inside_entries() -> None:
    entries, errors = parse_bibtex(
        '@string{conf = "NeurIPS"}\n@misc{k, booktitle = conf # " 2024", month = aug, x = 3}'
    )
    assert errors == []
    assert [(e.kind, e.key, e.fields) for e in entries] == [
        ("misc", "k", {"booktitle": "NeurIPS 2024", "month": "8", "x": "3"})
    ]
