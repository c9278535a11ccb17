"""LaTeX as it appears in HF's Markdown (no delimiters, hf-api.md §1.3a) made readable in a
terminal: common commands to Unicode, `\\mathcal{A}` to 𝒜, sub- and superscripts where Unicode
has every glyph, `\\frac{a}{b}` to `a/b`; anything unknown is left as written.

A small table rather than pylatexenc's latex2text: on the LaTeX-bearing paragraphs of the 19 real files it
is about 20 times faster, it never guesses where math starts in running text (latex2text would eat the
`%` and `&` of prose and turn `a_b` in identifiers into subscripts), and it keeps what it does
not know readable (`benchmarks/bench_reader_view.py` measures both).
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Literal braces (`\\{`) stand in as private characters while grouping braces are dropped.
_OPEN, _CLOSE = "\ue000", "\ue001"
SYMBOLS: dict[str, str] = {
    # Greek
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ",
    "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "ϕ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ",
    "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ",
    "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # relations and operators
    "times": "×", "cdot": "·", "pm": "±", "mp": "∓", "div": "÷", "ast": "∗", "star": "⋆",
    "circ": "∘", "bullet": "•", "oplus": "⊕", "otimes": "⊗", "odot": "⊙", "wedge": "∧",
    "vee": "∨", "cap": "∩", "cup": "∪", "setminus": "∖", "in": "∈", "notin": "∉",
    "ni": "∋", "subset": "⊂", "subseteq": "⊆", "supset": "⊃", "supseteq": "⊇",
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈",
    "sim": "∼", "simeq": "≃", "cong": "≅", "equiv": "≡", "propto": "∝", "ll": "≪",
    "gg": "≫", "mid": "∣", "parallel": "∥", "perp": "⊥", "top": "⊤", "bot": "⊥",
    "forall": "∀", "exists": "∃", "neg": "¬", "lnot": "¬", "emptyset": "∅",
    "varnothing": "∅", "infty": "∞", "partial": "∂", "nabla": "∇", "ell": "ℓ", "hbar": "ℏ",
    "sum": "∑", "prod": "∏", "coprod": "∐", "int": "∫", "oint": "∮", "sqrt": "√",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←", "Rightarrow": "⇒",
    "Leftarrow": "⇐", "leftrightarrow": "↔", "Leftrightarrow": "⇔", "mapsto": "↦",
    "implies": "⟹", "iff": "⟺", "uparrow": "↑", "downarrow": "↓", "longrightarrow": "⟶",
    "ldots": "…", "dots": "…", "cdots": "⋯", "vdots": "⋮", "ddots": "⋱",
    "langle": "⟨", "rangle": "⟩", "lceil": "⌈", "rceil": "⌉", "lfloor": "⌊",
    "rfloor": "⌋", "lVert": "‖", "rVert": "‖", "Vert": "‖", "lvert": "|", "rvert": "|",
    "dagger": "†", "ddagger": "‡", "S": "§", "P": "¶", "checkmark": "✓", "prime": "′",
    "triangleright": "▹", "triangle": "△", "square": "□", "mathdollar": "$", "colon": ":",
    "%": "%", "&": "&", "#": "#", "_": "_", "$": "$", "{": _OPEN, "}": _CLOSE, "|": "‖",
    "\\": "; ",
    "quad": " ", "qquad": "  ", ",": " ", ";": " ", ":": " ", "!": "", " ": " ",
    # operator names
    "log": "log", "ln": "ln", "exp": "exp", "max": "max", "min": "min", "arg": "arg",
    "sup": "sup", "inf": "inf", "lim": "lim", "sin": "sin", "cos": "cos", "tan": "tan",
    "tanh": "tanh", "det": "det", "Pr": "Pr", "softmax": "softmax",
}  # fmt: skip

# Commands that only change how their argument looks: the argument stays.
_STYLE = frozenset(
    [
        "mathrm",
        "text",
        "textrm",
        "textup",
        "mathbf",
        "bm",
        "boldsymbol",
        "textbf",
        "mathit",
        "textit",
        "emph",
        "mathtt",
        "texttt",
        "mathsf",
        "textsf",
        "operatorname",
        "mathop",
        "textsc",
        "ul",
        "underline",
        "overline",
        "widetilde",
        "widehat",
        "tilde",
        "hat",
        "bar",
        "vec",
        "dot",
        "ddot",
        "mbox",
        "hbox",
        "textnormal",
    ]
)
# Commands that draw nothing worth reading in a terminal.
_DROP = frozenset(
    [
        "left",
        "right",
        "big",
        "Big",
        "bigg",
        "Bigg",
        "bigl",
        "bigr",
        "Bigl",
        "Bigr",
        "displaystyle",
        "textstyle",
        "scriptstyle",
        "limits",
        "nolimits",
        "penalty",
        "hskip",
        "vskip",
        "rm",
        "bf",
        "it",
        "small",
        "normalsize",
        "footnotesize",
        "tiny",
        "centering",
        "noindent",
        "nonumber",
        "label",
        "middle",
        "mathstrut",
        "phantom",
        "hfill",
    ]
)
_ACCENTS = {"hat": "\u0302", "bar": "\u0304", "tilde": "\u0303", "vec": "\u20d7", "dot": "\u0307"}

_SUPER = dict(zip("0123456789+-=()nitTabcdefghjklmoprsuvwxyzABDEGHIJKLMNOPRUVW",
                  "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵗᵀᵃᵇᶜᵈᵉᶠᵍʰʲᵏˡᵐᵒᵖʳˢᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵁⱽᵂ", strict=True))  # fmt: skip
_SUB = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))  # fmt: skip
_SUPER_WORDS = {"\\top": "ᵀ", "\\prime": "′", "\\star": "*", "*": "*", "\\dagger": "†"}


def _alphabet(
    first: int, skip: dict[str, str] | None = None, upper_only: bool = False
) -> dict[str, str]:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + ("" if upper_only else "abcdefghijklmnopqrstuvwxyz")
    table = {letter: chr(first + i) for i, letter in enumerate(letters)}
    table.update(skip or {})
    return table


# Unicode's mathematical alphabets, with the letters it had already encoded elsewhere.
_FONTS: dict[str, dict[str, str]] = {
    "mathcal": _alphabet(0x1D49C, {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ",
                                   "M": "ℳ", "R": "ℛ", "e": "ℯ", "g": "ℊ", "o": "ℴ"}),
    "mathscr": _alphabet(0x1D49C, {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ",
                                   "M": "ℳ", "R": "ℛ", "e": "ℯ", "g": "ℊ", "o": "ℴ"}),
    "mathbb": _alphabet(0x1D538, {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ",
                                  "Z": "ℤ"}),
    "mathfrak": _alphabet(0x1D504, {"C": "ℭ", "H": "ℌ", "I": "ℑ", "R": "ℜ", "Z": "ℨ"}),
}  # fmt: skip

_COMMAND = re.compile(r"\\([A-Za-z]+|[%&#_${}, ;:!|\\])")
_SCRIPT = re.compile(r"[_^](?:\{|\\[A-Za-z]+|[A-Za-z0-9*+\-'](?![A-Za-z0-9]))")
_SPECIAL = re.compile(r"[\\_^]")
_DIMENSION = re.compile(r"\s*-?[\d.]+\s*(?:pt|em|ex|mu|px|cm|mm|in)?")
_LEFTOVER_BRACES = re.compile(r"(?<!\\)[{}]")
_SPACES = re.compile(r"[ \t]{2,}")
# A backslash, a caret or "_{" is worth the work; plain prose skips it all.
_MATHY = re.compile(r"\\[A-Za-z%&#_$,;:! {}]|[_^]\{|\^")


def to_unicode(text: str) -> str:
    """`text` with the LaTeX in it made readable; text without LaTeX comes back unchanged."""
    if not _MATHY.search(text):
        return text
    return _Converter(text).run()


class _Converter:
    """One pass over `text`: commands, their braced arguments, and scripts, left to right."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.out: list[str] = []

    def run(self, depth: int = 0) -> str:
        text, out = self.text, self.out
        while self.pos < len(text):
            special = _SPECIAL.search(text, self.pos)
            if special is None:
                out.append(text[self.pos :])
                break
            if special.start() > self.pos:  # plain characters up to the next \, _ or ^
                out.append(text[self.pos : special.start()])
                self.pos = special.start()
            char = text[self.pos]
            if char == "\\":
                self._command(depth)
            elif self._script(char, depth):
                continue
            else:
                out.append(char)
                self.pos += 1
        result = "".join(out)
        if depth:
            return result
        result = _LEFTOVER_BRACES.sub("", result).replace(_OPEN, "{").replace(_CLOSE, "}")
        return _SPACES.sub(" ", result)

    def _command(self, depth: int) -> None:
        match = _COMMAND.match(self.text, self.pos)
        if match is None:
            self.out.append("\\")
            self.pos += 1
            return
        name = match.group(1)
        self.pos = match.end()
        if name in ("frac", "tfrac", "dfrac") and depth < 20:
            top, bottom = self._argument(depth), self._argument(depth)
            self.out.append(f"{_grouped(top)}/{_grouped(bottom)}")
        elif name == "sqrt" and depth < 20:
            self.out.append("√" + _grouped(self._argument(depth)))
        elif name in _FONTS and depth < 20:
            font = _FONTS[name]
            self.out.append("".join(font.get(c, c) for c in self._argument(depth)))
        elif name in _ACCENTS and depth < 20 and self._peek_brace_or_letter():
            argument = self._argument(depth)
            mark = _ACCENTS[name] if len(argument) == 1 else ""
            self.out.append(argument + mark)
        elif name in _STYLE and depth < 20:
            self.out.append(self._argument(depth))
        elif name in ("begin", "end"):
            self._argument(depth)  # the environment's name: nothing to read
        elif name in ("color", "definecolor", "pagecolor"):
            for _ in range(3 if name == "definecolor" else 1):
                self._optional()
                self._argument(depth)
            self._optional()
        elif name in ("hskip", "vskip", "kern", "hspace", "vspace"):
            skip = _DIMENSION.match(self.text, self.pos)
            if skip:
                self.pos = skip.end()
            elif name.endswith("space"):
                self._argument(depth)
        elif name in _DROP:
            pass
        elif name in SYMBOLS:
            self.out.append(SYMBOLS[name])
        else:  # unknown: kept as written, apart from its argument
            gap = " " if self.text.startswith("{", self.pos) else ""
            self.out.append(match.group(0) + gap)

    def _optional(self) -> None:
        """Skip an optional `[...]` argument (`\\color[rgb]{…}`)."""
        if self.text.startswith("[", self.pos):
            end = self.text.find("]", self.pos)
            if 0 < end - self.pos < 80:
                self.pos = end + 1

    def _peek_brace_or_letter(self) -> bool:
        return self.pos < len(self.text) and (
            self.text[self.pos] == "{" or self.text[self.pos].isalpha()
        )

    def _argument(self, depth: int) -> str:
        """The next braced group (converted) or the next single character."""
        text = self.text
        while self.pos < len(text) and text[self.pos] == " ":
            self.pos += 1
        if self.pos >= len(text):
            return ""
        if text[self.pos] != "{":
            if text[self.pos] == "\\":
                match = _COMMAND.match(text, self.pos)
                if match:
                    self.pos = match.end()
                    return SYMBOLS.get(match.group(1), match.group(0))
            self.pos += 1
            return text[self.pos - 1]
        end = _closing(text, self.pos)
        inner = text[self.pos + 1 : end]
        self.pos = min(end + 1, len(text))
        return _sub_convert(inner, depth + 1)

    def _script(self, mark: str, depth: int) -> bool:
        # A script follows something (`x_1`), never a space or the start: `a _b` is prose.
        if not self.pos or self.text[self.pos - 1].isspace():
            return False
        if _SCRIPT.match(self.text, self.pos) is None:
            return False
        self.pos += 1
        raw_start = self.pos
        body = self._argument(depth)
        raw = self.text[raw_start : self.pos]
        table = _SUPER if mark == "^" else _SUB
        stripped = raw.strip("{}").strip()
        if mark == "^" and stripped in _SUPER_WORDS:
            self.out.append(_SUPER_WORDS[stripped])
        elif body and all(c in table for c in body):
            self.out.append("".join(table[c] for c in body))
        else:
            self.out.append(mark + (body if len(body) == 1 else f"({body})"))
        return True


def _sub_convert(text: str, depth: int) -> str:
    converter = _Converter(text)
    return converter.run(depth)


def _closing(text: str, start: int) -> int:
    """The index of the brace closing the one at `start` (the end of `text` if none)."""
    level = 0
    pos = start
    while pos < len(text):
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "{":
            level += 1
        elif char == "}":
            level -= 1
            if level == 0:
                return pos
        pos += 1
    return len(text)


def _grouped(text: str) -> str:
    return text if len(text) <= 1 or text.isalnum() else f"({text})"


Convert = Callable[[str], str]
