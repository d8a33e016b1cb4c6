"""Whether a photo file is really an image, not only a file that starts like one.

A contact's photo is checked by its first bytes (`photo_type`); a file picked by hand (`--photo`, the
contact form) is checked further here, so that a truncated download or a text file renamed `.png` is
refused in front of the user instead of being uploaded to Outlook, which would show a broken picture.
The check reads the structure a decoder reads first, with the standard library only:

- PNG (RFC 2083 §3, www.w3.org/TR/png/#5DataRep): the signature, then an IHDR chunk of 13 bytes with a
  correct CRC, a width and a height above zero, and a known bit depth and colour type;
- JPEG (ITU T.81 Annex B): SOI (FF D8), then marker segments, each FF, a marker and a length that fits in
  the file, up to a frame header (SOF) before the scan (SOS).
"""

from __future__ import annotations

import struct
import zlib

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The bit depths each PNG colour type allows (www.w3.org/TR/png/#table111).
_PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
# JPEG frame headers: SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC), which share the range.
_JPEG_FRAMES = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_SOS = 0xDA
# Markers that stand alone, without a length: TEM and RST0–RST7.
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def photo_decodes(data: bytes) -> bool:
    """True when `data` is a PNG or JPEG whose header a decoder can read (see the module docstring)."""
    if data.startswith(_PNG_SIGNATURE):
        return _png_header_ok(data)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_header_ok(data)
    return False


def _png_header_ok(data: bytes) -> bool:
    chunk = data[8 : 8 + 8 + 13 + 4]  # length, type, the 13 bytes of IHDR, CRC
    if len(chunk) < 25 or chunk[:8] != b"\x00\x00\x00\x0dIHDR":
        return False
    body, (crc,) = chunk[8:21], struct.unpack(">I", chunk[21:25])
    if zlib.crc32(b"IHDR" + body) & 0xFFFFFFFF != crc:
        return False
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", body)
    return (
        width > 0
        and height > 0
        and depth in _PNG_DEPTHS.get(colour, set())
        and (compression, filtering) == (0, 0)
        and interlace in (0, 1)
    )


def _jpeg_header_ok(data: bytes) -> bool:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return False
        marker = data[at + 1]
        if marker == 0xFF:  # fill bytes before a marker
            at += 1
            continue
        if marker in _JPEG_STANDALONE:
            at += 2
            continue
        if marker == _JPEG_SOS or marker in (0x00, 0xD8, 0xD9):
            return False  # the scan, a second SOI or the end came before any frame header
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if length < 2 or at + 2 + length > len(data):
            return False
        if marker in _JPEG_FRAMES:
            return length >= 8
        at += 2 + length
    return False
