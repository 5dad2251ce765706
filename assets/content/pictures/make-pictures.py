#!/usr/bin/env python3
"""Draws the pictures of the demo pages (our own, made for them), with
Python's standard library only, so that anyone can make them again:

    python3 assets/content/pictures/make-pictures.py

prozesse.png: "first the process, then the technology" without a word (so
it serves every language; each page's alt text says it): a winding way
through four steps, an arrow, the same steps on a straight way, an arrow,
and that straight way on a screen.  Colours from LOOK.md (guidance blue,
films green, muted grey) on the reading column's white."""
import math
import os
import struct
import zlib

W, H, SS = 1200, 420, 3  # final size and supersampling factor
BG = (255, 255, 255)
GREY = (112, 117, 125)
BLUE = (11, 79, 108)
GREEN = (45, 95, 46)
LIGHT = (232, 240, 244)


class Canvas:
    def __init__(self, w, h):
        self.w, self.h = w * SS, h * SS
        self.px = [list(BG) * self.w for _ in range(self.h)]

    def set(self, x, y, c):
        if 0 <= x < self.w and 0 <= y < self.h:
            row = self.px[y]
            row[3 * x:3 * x + 3] = c

    def shape(self, box, inside, c):
        x0, y0, x1, y1 = (int(v * SS) for v in box)
        for y in range(max(0, y0), min(self.h, y1 + 1)):
            for x in range(max(0, x0), min(self.w, x1 + 1)):
                if inside(x / SS, y / SS):
                    self.set(x, y, c)

    def disc(self, cx, cy, r, c):
        self.shape((cx - r, cy - r, cx + r, cy + r),
                   lambda x, y: (x - cx) ** 2 + (y - cy) ** 2 <= r * r, c)

    def line(self, x0, y0, x1, y1, width, c):
        dx, dy = x1 - x0, y1 - y0
        length2 = dx * dx + dy * dy or 1

        def inside(x, y):
            t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / length2))
            px, py = x0 + t * dx, y0 + t * dy
            return (x - px) ** 2 + (y - py) ** 2 <= (width / 2) ** 2
        pad = width
        self.shape((min(x0, x1) - pad, min(y0, y1) - pad, max(x0, x1) + pad, max(y0, y1) + pad),
                   inside, c)

    def polyline(self, points, width, c):
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            self.line(x0, y0, x1, y1, width, c)

    def round_rect(self, x0, y0, x1, y1, r, c):
        def inside(x, y):
            cx = min(max(x, x0 + r), x1 - r)
            cy = min(max(y, y0 + r), y1 - r)
            return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
        self.shape((x0, y0, x1, y1), inside, c)

    def arrow(self, x0, x1, y, c):
        self.line(x0, y, x1 - 18, y, 10, c)

        def head(x, y2):
            return x <= x1 and x >= x1 - 34 and abs(y2 - y) <= (x1 - x) * 0.75
        self.shape((x1 - 34, y - 26, x1, y + 26), head, c)

    def png(self, path):
        rows = []
        for y in range(0, self.h, SS):
            out = bytearray(b"\0")
            for x in range(0, self.w, SS):
                acc = [0, 0, 0]
                for dy in range(SS):
                    row = self.px[y + dy]
                    for dx in range(SS):
                        i = 3 * (x + dx)
                        acc[0] += row[i]
                        acc[1] += row[i + 1]
                        acc[2] += row[i + 2]
                n = SS * SS
                out += bytes((acc[0] // n, acc[1] // n, acc[2] // n))
            rows.append(bytes(out))

        def chunk(t, d):
            return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
        data = (b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))
        with open(path, "wb") as f:
            f.write(data)


def steps(c, xs, ys, colour):
    for x, y in zip(xs, ys):
        c.disc(x, y, 22, colour)
        c.disc(x, y, 11, BG)


def main():
    c = Canvas(W, H)
    mid = H / 2
    # 1. a winding way through four steps
    xs = [70, 150, 230, 310]
    ys = [mid - 70, mid + 80, mid - 90, mid + 60]
    way = []
    for i in range(61):
        t = i / 60
        x = 60 + 260 * t
        way.append((x, mid + 95 * math.sin(t * 3 * math.pi + 0.6)))
    c.polyline(way, 8, GREY)
    steps(c, xs, [mid + 95 * math.sin(((x - 60) / 260) * 3 * math.pi + 0.6) for x in xs], GREY)
    c.arrow(350, 440, mid, BLUE)
    # 2. the same four steps on a straight way
    xs2 = [490, 570, 650, 730]
    c.line(480, mid, 740, mid, 8, GREEN)
    steps(c, xs2, [mid] * 4, GREEN)
    c.arrow(770, 860, mid, BLUE)
    # 3. that straight way on a screen
    c.round_rect(890, mid - 120, 1160, mid + 90, 18, BLUE)
    c.round_rect(905, mid - 105, 1145, mid + 75, 10, LIGHT)
    c.round_rect(1005, mid + 90, 1045, mid + 130, 0, BLUE)
    c.round_rect(965, mid + 125, 1085, mid + 140, 7, BLUE)
    c.line(930, mid - 15, 1120, mid - 15, 7, GREEN)
    steps(c, [945, 995, 1055, 1105], [mid - 15] * 4, GREEN)
    c.png(os.path.join(os.path.dirname(os.path.abspath(__file__)), "prozesse.png"))


if __name__ == "__main__":
    main()
