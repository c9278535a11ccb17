"""Text as terminals draw it: emoji sequences simplified so every row keeps its width.

Rich measures an emoji ZWJ sequence (👨‍👩‍👧), a variation selector (❤️) or a skin tone
(👍🏽) as one glyph; many terminals draw each part on its own, so a title holding one would
push its row (and the detail pane's border) several columns too wide. Only for display: the
data keeps every character. What is left is measured the same way by Rich and terminals.
"""

from __future__ import annotations

import re

_EMOJI = "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff"
# Presentation selectors, skin tones and tag characters (subdivision flags) draw nothing of
# their own where they are understood, and a glyph of their own where they are not.
_MODIFIERS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")
# A zero-width joiner between two emoji glues them into one picture; ZWJ elsewhere (Indic
# scripts) is left alone.
_JOINED = re.compile(f"(?<=[{_EMOJI}])\u200d[{_EMOJI}]")


def terminal_text(text: str) -> str:
    """`text` with emoji sequences reduced to their first emoji (unchanged when it has none)."""
    if text.isascii():
        return text
    text = _MODIFIERS.sub("", text)
    while True:
        joined = _JOINED.sub("", text)
        if joined == text:
            return text
        text = joined
