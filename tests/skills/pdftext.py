"""Read the text fpdf2 writes into a PDF, through the fonts' ToUnicode maps (no PDF library)."""

import re
import zlib


def _streams(data: bytes) -> list[bytes]:
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


def _unescape(literal: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(literal):
        char = literal[i]
        if char == 0x5C:  # backslash
            i += 1
            nxt = literal[i : i + 1]
            if nxt.isdigit():
                digits = re.match(rb"[0-7]{1,3}", literal[i:]).group()
                out.append(int(digits, 8))
                i += len(digits)
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
        else:
            out.append(char)
        i += 1
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """Every shown string decoded with every font's map: enough to find a printed name."""
    streams = _streams(data)
    maps = []
    for stream in streams:
        if b"beginbfchar" in stream:
            pairs = re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", stream)
            maps.append(
                {int(a, 16): bytes.fromhex(b.decode()).decode("utf-16-be") for a, b in pairs}
            )
    texts = []
    for stream in streams:
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream, re.S):
            codes = _unescape(literal)
            units = [int.from_bytes(codes[i : i + 2], "big") for i in range(0, len(codes), 2)]
            for mapping in maps:
                texts.append("".join(mapping.get(unit, "\ufffd") for unit in units))
    return "\n".join(texts)
