#!/usr/bin/env python3
"""The window's surface changes under a running kiosk (issue 8): a real
window under Xvfb is resized from outside with xdotool, as a display that
comes back at another resolution would; the kiosk must draw into the new
surface and lay the screen out for the new size.  Run under tests/ui/xvfb.sh.

Checks: the screenshot after each resize has the new size and shows a
drawn screen (not black, not one flat colour), every widget of the dump
lies inside the new window, the home tiles keep their order and get
narrower, and the kiosk still answers and quits cleanly (exit 0; under
ASan a draw into a freed surface would end it)."""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import private_config  # noqa: E402


def png_pixels(path):
    """Width, height and RGB(A) rows of an 8-bit truecolour PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), f"{path}: colour type {ctype}"
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride, rows, prev = w * bpp, [], bytearray(w * bpp)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
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
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


class Kiosk:
    def __init__(self, kiosk, conf, shots):
        self.p = subprocess.Popen([kiosk, "--config", conf, "--windowed", "--script", "-",
                                   "--screenshot-dir", shots],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=open(os.path.join(shots, "kiosk.stderr"), "w"),
                                  text=True, bufsize=1)

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def dump(self):
        self.send("dump")
        widgets = []
        while True:
            line = self.p.stdout.readline()
            assert line, "the kiosk ended before its dump"
            o = json.loads(line)
            if o.get("end") == "dump":
                return o["screen"], widgets
            if "id" in o:
                widgets.append(o)


def window_id():
    for _ in range(100):
        r = subprocess.run(["xdotool", "search", "--name", "Digitale Kommune"],
                           stdout=subprocess.PIPE, text=True)
        ids = r.stdout.split()
        if ids:
            return ids[0]
        time.sleep(0.1)
    raise AssertionError("no kiosk window on the display")


def check_size(k, shots, name, w, h):
    k.send("wait 500")  # the resize's events reach the kiosk
    k.send(f"shot {name}")
    screen, widgets = k.dump()
    assert screen == "home", f"{name}: screen {screen}"
    pw, ph, bpp, rows = png_pixels(os.path.join(shots, name + ".png"))
    assert (pw, ph) == (w, h), f"{name}: screenshot {pw}x{ph}, expected {w}x{h}"
    pixels = [r[i:i + 3] for r in rows[::8] for i in range(0, len(r), bpp * 8)]
    black = sum(1 for p in pixels if p == b"\0\0\0") / len(pixels)
    colours = len(set(pixels))
    assert black < 0.05, f"{name}: {black:.0%} of the screen is black (not drawn?)"
    assert colours > 20, f"{name}: only {colours} colours (not drawn?)"
    for wd in widgets:
        assert wd["x"] >= 0 and wd["y"] >= 0 and wd["x"] + wd["w"] <= w and wd["y"] + wd["h"] <= h, \
            f"{name}: {wd['id']} at {wd['x']},{wd['y']} {wd['w']}x{wd['h']} is outside {w}x{h}"
    tiles = {wd["id"]: wd for wd in widgets if wd["id"].startswith("home.")}
    for t in ("home.guide", "home.films", "home.survey"):
        assert t in tiles, f"{name}: {t} is not on screen"
    print(f"ok: {name} {w}x{h}: drawn ({colours} colours, {black:.1%} black), "
          f"{len(widgets)} widgets inside, home.guide {tiles['home.guide']['w']} px wide")
    return tiles


def main():
    kiosk = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="kiosk-resize-")
    shots = os.path.join(tmp, "shots")
    os.makedirs(shots)
    try:
        conf = private_config(tmp)
        k = Kiosk(kiosk, conf, shots)
        screen, _ = k.dump()
        assert screen == "home"
        wid = window_id()
        big = check_size(k, shots, "at-1920x1080", 1920, 1080)
        subprocess.run(["xdotool", "windowsize", wid, "1280", "800"], check=True)
        small = check_size(k, shots, "at-1280x800", 1280, 800)
        assert small["home.guide"]["w"] < big["home.guide"]["w"], "the tiles did not get narrower"
        subprocess.run(["xdotool", "windowsize", wid, "1080", "1440"], check=True)
        check_size(k, shots, "at-1080x1440", 1080, 1440)
        subprocess.run(["xdotool", "windowsize", wid, "1920", "1080"], check=True)
        check_size(k, shots, "back-at-1920x1080", 1920, 1080)
        k.send("quit")
        rc = k.p.wait(timeout=60)
        log = open(os.path.join(shots, "kiosk.stderr")).read()
        assert rc == 0, f"the kiosk exited {rc}:\n{log[-2000:]}"
        assert "the window is now 1280x800" in log, "the resize was not noticed:\n" + log[-2000:]
        print("ok: resized three times, laid out anew each time, quit cleanly")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
