"""HTML character references as Telegram decodes them: the four named ones and numeric ones."""

from __future__ import annotations

__all__ = ["decode_entity"]


def decode_entity(text: str, pos: int) -> tuple[str | None, int]:
    """Decode ``&lt; &gt; &amp; &quot; &#NN; &#xNN;`` at ``pos``; (None, pos) if not one."""
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        hexadecimal = end < n and text[end] in "xX"
        if hexadecimal:
            end += 1
        digits_begin = end
        allowed = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        while end < n and text[end] in allowed:
            end += 1
        digits = text[digits_begin:end]
        if not digits or end - pos >= 10:
            return None, pos
        code = int(digits, 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None, pos
        decoded = chr(code)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}.get(text[pos + 1 : end])
        if named is None:
            return None, pos
        decoded = named
    if end < n and text[end] == ";":
        end += 1
    return decoded, end
