"""Small contact photos for the demo, made here: a valid PNG needs only zlib and a CRC, so the demo adds
no image library. Each photo is a coloured square with a lighter disc (a head, so to say), 64x64."""

from __future__ import annotations

import struct
import zlib

SIZE = 64


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def avatar_png(colour: tuple[int, int, int], size: int = SIZE) -> bytes:
    """A `size`x`size` RGB PNG: `colour` behind a lighter disc."""
    light = tuple(min(255, c + (255 - c) // 2) for c in colour)
    centre, radius = (size - 1) / 2, size * 0.3
    rows = []
    for y in range(size):
        row = bytearray([0])  # filter type 0 (none) for each scanline
        for x in range(size):
            inside = (x - centre) ** 2 + (y - centre * 0.85) ** 2 <= radius**2
            row += bytes(light if inside else colour)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + _chunk(b"IEND", b"")
    )


PALETTE = (
    (0x4A, 0x90, 0xD9),
    (0xE8, 0xA3, 0x3D),
    (0x5C, 0xB8, 0x5C),
    (0x9B, 0x59, 0xB6),
    (0xC0, 0x39, 0x2B),
    (0x16, 0xA0, 0x85),
)
