#!/usr/bin/env python3
"""pngcheck.py PAGE.png - the instructor's page as Chromium drew it: decode the PNG (zlib,
no imaging library) and count the pixels of the pictures' colours: the histogram's bars
(#1565c0), the passed (#2e7d32) and failed (#c62828) parts of the pass-rate bars, and the
result table's pass (#c8e6c9) and fail (#ffcdd2) cells.  Exit 0 when each is there in a
plausible amount, 1 otherwise (the counts are printed)."""
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def main():
    w, h, bpp, rows = decode(sys.argv[1])
    want = {"histogram bars": (0x15, 0x65, 0xC0), "passed": (0x2E, 0x7D, 0x32),
            "failed": (0xC6, 0x28, 0x28), "pass cells": (0xC8, 0xE6, 0xC9),
            "fail cells": (0xFF, 0xCD, 0xD2)}
    # solid fills come out exact: count each colour's pixel bytes in every row (a match
    # across two pixels would need colours this page does not draw side by side)
    pat = {k: bytes(c) + (b"\xff" if bpp == 4 else b"") for k, c in want.items()}
    count = {k: 0 for k in want}
    for line in rows:
        row = bytes(line)
        for k, p in pat.items():
            count[k] += row.count(p)
    print(f"{sys.argv[1]}: {w}x{h}", ", ".join(f"{k} {v}" for k, v in count.items()))
    ok = count["histogram bars"] > 2000 and count["passed"] > 2000 and \
        count["failed"] > 500 and count["pass cells"] > 200 and count["fail cells"] > 100
    sys.exit(0 if ok else 1)


main()
