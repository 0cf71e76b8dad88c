"""Text from the scanned code, made safe to show on a terminal, in a CI log or in JSON.

File names and the strings in scanned code are written by whoever wrote that code. Shown
raw, a control character can steer the terminal that prints it (colours, the title, the
clipboard through OSC 52, hidden links through OSC 8), a line break can start a forged
line, a bidirectional override makes text read otherwise than it is, and a name that is
not UTF-8 (decoded with lone surrogates) cannot be written out at all. In a GitHub Actions
log, a line that begins with `::` is a workflow command, and so is `##[name]` anywhere in
a line (the runner's legacy form): a file named `::error::x.py` or `a##[stop-commands]b.py`
would otherwise annotate, or stop the annotations that follow. Every formatter passes such
text through here: :func:`printable` for what people read, :func:`json_text` for JSON.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls, DEL, C1 controls, the bidirectional marks, embeddings, overrides and
# isolates, the line and paragraph separators, and surrogates (undecodable bytes).
_BIDI = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff]")
# What JSON's own escaping leaves raw: all of the above but the C0 controls.
_UNSAFE_IN_JSON = re.compile(rf"[\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# surrogateescape decodes an undecodable byte 0xNN as the lone surrogate U+DCNN.
_ESCAPED_BYTES = range(0xDC80, 0xDD00)


def escape_char(char: str) -> str:
    """One unsafe character as a visible escape: `\\n`, `\\x1b`, `\\u202e`, and `\\xff`
    for an undecodable byte."""
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if code in _ESCAPED_BYTES:
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def printable(text: str, keep: str = "") -> str:
    """`text` with every control character, bidirectional control, line separator and
    undecodable byte shown as a visible escape (see :func:`escape_char`), except the
    characters in `keep`; nor can it start or hold a workflow command (a leading `::`
    becomes `\\x3a:`, `##[` becomes `#\\x23[`). Everything else, other scripts and emoji
    included, is kept."""
    text = _UNSAFE.sub(
        lambda match: match.group() if match.group() in keep else escape_char(match.group()),
        text,
    )
    text = text.replace("##[", "#\\x23[")
    body = text.lstrip()
    if body.startswith("::"):
        text = text[: len(text) - len(body)] + "\\x3a" + body[1:]
    return text


def printable_lines(text: str) -> str:
    """Multi-line `text`, each line made :func:`printable` (the line feeds are kept)."""
    return "\n".join(printable(line) for line in text.split("\n"))


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    if "\ud800" <= char <= "\udfff":
        # JSON cannot hold a lone surrogate in UTF-8: the visible escape, as JSON text.
        return json.dumps(escape_char(char))[1:-1]
    return f"\\u{ord(char):04x}"


def json_text(data: Any, **options: Any) -> str:
    """`json.dumps(data, **options)` that is valid UTF-8 and safe to `cat`: C0 controls are
    escaped by JSON itself; DEL, C1 controls, bidirectional controls and line separators
    become `\\uXXXX` escapes (the same string to every JSON reader), and so does the `#` of
    `##[`; an undecodable byte of a file name becomes the text `\\xff`."""
    text = json.dumps(data, ensure_ascii=False, **options)
    # Outside strings a JSON document is ASCII, so only string contents can match.
    return _UNSAFE_IN_JSON.sub(_json_escape, text).replace("##[", "#\\u0023[")
