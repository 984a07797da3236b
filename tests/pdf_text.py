"""Read the text back out of a PDF that hr_clinic/lib/pdf.py wrote.

No PDF reader is installed (only fpdf2, a writer), so this reads exactly what
fpdf2 writes: Flate-compressed streams (inflated here with zlib), page content
streams selecting fonts with `/Fn size Tf` and showing 2-byte glyph codes with
`(...) Tj`, and each embedded font's ToUnicode map from those codes to
characters. It is not a general PDF parser; tests use it on the very bytes a
download sends.
"""

from __future__ import annotations

import re
import zlib

OBJ = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
FONT_RESOURCE = re.compile(rb"/(F\d+) (\d+) 0 R")
TO_UNICODE = re.compile(rb"/ToUnicode (\d+) 0 R")
BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
TOKEN = re.compile(rb"/(F\d+)\s+[\d.]+\s+Tf|\(((?:\\.|[^\\)])*)\)\s*Tj", re.S)
STREAM = re.compile(rb"^(.*?)stream\r?\n(.*)\r?\nendstream", re.S)
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(raw: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(raw):
        char = raw[i : i + 1]
        if char != b"\\":
            out += char
            i += 1
            continue
        nxt = raw[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(), 8))
            i += 1 + len(octal.group())
        else:
            out += ESCAPES.get(nxt, nxt)
            i += 2
    return bytes(out)


def _cmap(stream: bytes) -> dict[int, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for code, text in BFCHAR.findall(block):
            mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    return mapping


def _inflated(body: bytes) -> bytes:
    found = STREAM.match(body)
    if found is None or b"/FlateDecode" not in found.group(1):
        return body
    return found.group(1) + zlib.decompress(found.group(2))


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", data))


def pdf_text(data: bytes) -> str:
    """All text shown on the pages, in order, whitespace collapsed."""
    assert data.startswith(b"%PDF-")
    objects = {int(num): _inflated(body) for num, body in OBJ.findall(data)}
    fonts: dict[bytes, dict[int, str]] = {}
    for name, num in FONT_RESOURCE.findall(data):
        found = TO_UNICODE.search(objects.get(int(num), b""))
        if found:
            fonts[name] = _cmap(objects[int(found.group(1))])
    assert fonts, "no embedded fonts with a ToUnicode map"
    pieces = []
    current: dict[int, str] = {}
    for body in objects.values():
        if b"BT" not in body or b"beginbfchar" in body:
            continue
        for font, shown in TOKEN.findall(body):
            if font:
                current = fonts.get(font, {})
                continue
            codes = _unescape(shown)
            pieces.append(
                "".join(
                    current.get(int.from_bytes(codes[i : i + 2], "big"), "?")
                    for i in range(0, len(codes) - 1, 2)
                )
            )
    return " ".join(" ".join(pieces).split())
