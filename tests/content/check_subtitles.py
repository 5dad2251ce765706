#!/usr/bin/env python3
"""Checks every MEDIA_DIR/*.srt: each cue ends after it starts and before the
next one starts, the cues of a film stay within its length (films.json,
duration_s, when present), and no Leichte Sprache cue (*.de-x-ls.srt) exceeds
15 characters a second (the cue's text lines joined by a space, divided by
its duration).  Exits 1 naming file and cue on the first kind of failure
found in each file, 0 when all is well.

Usage: check_subtitles.py MEDIA_DIR
"""
import glob
import json
import os
import re
import sys

MAX_CPS_LS = 15.0
TIME = re.compile(r"^(\d+):(\d\d):(\d\d)[,.](\d{3}) --> (\d+):(\d\d):(\d\d)[,.](\d{3})")
MARKS = "\u202a\u202b\u202c\u202d\u202e\u200e\u200f\ufeff"


def ms(h, m, s, f):
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(f)


def parse(path):
    """[(number, start_ms, end_ms, text)]; raises ValueError on a broken file."""
    with open(path, encoding="utf-8") as f:
        data = f.read().lstrip("\ufeff").replace("\r\n", "\n")
    cues = []
    for block in re.split(r"\n\s*\n", data.strip()):
        lines = block.split("\n")
        if len(lines) < 2 or not TIME.match(lines[1].strip()):
            raise ValueError(f"cue {len(cues) + 1}: no 'start --> end' line")
        g = TIME.match(lines[1].strip()).groups()
        text = " ".join(l.strip().translate({ord(c): None for c in MARKS}) for l in lines[2:])
        cues.append((lines[0].strip(), ms(*g[:4]), ms(*g[4:]), text))
    return cues


def main():
    if len(sys.argv) != 2:
        print("usage: check_subtitles.py MEDIA_DIR", file=sys.stderr)
        return 2
    media = sys.argv[1]
    durations = {}
    fj = os.path.join(media, "films.json")
    if os.path.exists(fj):
        with open(fj, encoding="utf-8") as f:
            for film in json.load(f):
                durations[film["id"]] = film["duration_s"]
    files = sorted(glob.glob(os.path.join(media, "*.srt")))
    if not files:
        print(f"check_subtitles: no *.srt in {media}", file=sys.stderr)
        return 1
    errors = []
    for path in files:
        name = os.path.basename(path)
        film = name.split(".")[0]
        ls = name.endswith(".de-x-ls.srt")
        try:
            cues = parse(path)
        except (ValueError, UnicodeDecodeError) as e:
            errors.append(f"{name}: {e}")
            continue
        for i, (num, start, end, text) in enumerate(cues):
            where = f"{name}: cue {num} ({start / 1000:.3f}-{end / 1000:.3f} s)"
            if end <= start:
                errors.append(f"{where} does not end after its start")
                continue
            if i + 1 < len(cues) and cues[i + 1][1] < end:
                errors.append(f"{where} overlaps the next cue (starts {cues[i + 1][1] / 1000:.3f} s)")
            if film in durations and end > durations[film] * 1000 + 500:
                errors.append(f"{where} ends after the film ({durations[film]} s)")
            if ls:
                cps = len(text) * 1000 / (end - start)
                if cps > MAX_CPS_LS:
                    errors.append(f"{where} has {cps:.1f} characters a second (at most {MAX_CPS_LS:g}): {text}")
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        return 1
    print(f"check_subtitles: {len(files)} files fine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
