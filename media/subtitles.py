#!/usr/bin/env python3
"""Subtitles in the languages besides German and English, for make-films.sh.

    python3 subtitles.py DE_SRT NARRATION_DIR ID OUT_DIR

reads the German subtitles DE_SRT of film ID (their cue timings are the film's
speech) and writes OUT_DIR/ID.LANG.srt for each LANG below whose narration
NARRATION_DIR/ID.LANG.txt exists:

- tr, uk, ar: translations with the German cue timings.  The file holds one cue
  a line, in the order of the German cues; " | " separates the lines of a cue;
  lines starting with "#" are card headings or comments and are skipped.  Each
  Arabic line is wrapped in RLE (U+202B) ... PDF (U+202C), so that VLC lays it
  out right to left.
- de-x-ls (Leichte Sprache): its own cues with timings of their own.  "# ..."
  starts a card, as in ID.de.txt (the same number of cards); the cues of a card
  share the card's time in the film, from 0.6 s before its first German cue to
  0.6 s after its last, with 0.2 s between cues, each cue's time in proportion
  to its length.  No cue may exceed 15 characters per second.

Exits 1 with a message naming the file when the narration does not fit.
"""
import os
import re
import sys

LANGS = ("de-x-ls", "tr", "uk", "ar")
RTL = ("ar",)
MAX_CPS = 15.0
PAD_MS = 600
GAP_MS = 200

TIME = re.compile(r"(\d\d):(\d\d):(\d\d),(\d\d\d) --> (\d\d):(\d\d):(\d\d),(\d\d\d)")


def die(msg):
    print(f"subtitles: {msg}", file=sys.stderr)
    sys.exit(1)


def ms(h, m, s, f):
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(f)


def fmt(t):
    return f"{t // 3600000:02d}:{t // 60000 % 60:02d}:{t // 1000 % 60:02d},{t % 1000:03d}"


def read_srt_times(path):
    times = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = TIME.match(line.strip())
            if m:
                g = m.groups()
                times.append((ms(*g[:4]), ms(*g[4:])))
    return times


def german_cards(path):
    """Sentences per card of ID.de.txt."""
    counts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            if line.startswith("# "):
                counts.append(0)
            elif line.startswith("> "):
                continue
            elif counts:
                counts[-1] += 1
    return counts


def read_narration(path):
    """[(card heading or None, [cue lines...]), ...] in order."""
    cards, cues = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            if line.startswith("#"):
                cards.append([])
                continue
            cue = [part.strip() for part in line.split(" | ")]
            cues.append(cue)
            if cards:
                cards[-1].append(cue)
    return cards, cues


def cue_chars(lines):
    return len(" ".join(lines))


def write_srt(path, cues, rtl):
    with open(path, "w", encoding="utf-8") as f:
        for i, (start, end, lines) in enumerate(cues, 1):
            f.write(f"{i}\n{fmt(start)} --> {fmt(end)}\n")
            for line in lines:
                f.write(f"\u202b{line}\u202c\n" if rtl else f"{line}\n")
            f.write("\n")


def main():
    if len(sys.argv) != 5:
        die("usage: subtitles.py DE_SRT NARRATION_DIR ID OUT_DIR")
    de_srt, narr, film, out = sys.argv[1:]
    times = read_srt_times(de_srt)
    if not times:
        die(f"{de_srt}: no cues")
    for lang in LANGS:
        src = os.path.join(narr, f"{film}.{lang}.txt")
        if not os.path.exists(src):
            continue
        cards, cues = read_narration(src)
        result = []
        if lang != "de-x-ls":
            if len(cues) != len(times):
                die(f"{src}: {len(cues)} cues, the German subtitles have {len(times)}")
            result = [(s, e, c) for (s, e), c in zip(times, cues)]
        else:
            counts = german_cards(os.path.join(narr, f"{film}.de.txt"))
            if len(cards) != len(counts) or sum(counts) != len(times):
                die(f"{src}: {len(cards)} cards, {film}.de.txt has {len(counts)}")
            first = 0
            for k, n in enumerate(counts):
                lo = max(0, times[first][0] - PAD_MS)
                hi = times[first + n - 1][1] + PAD_MS
                first += n
                card = cards[k]
                if not card:
                    die(f"{src}: card {k + 1} has no cues")
                avail = hi - lo - GAP_MS * (len(card) - 1)
                total = sum(cue_chars(c) for c in card)
                at = lo
                for j, c in enumerate(card):
                    end = lo + GAP_MS * j + round(avail * sum(cue_chars(x) for x in card[: j + 1]) / total)
                    if cue_chars(c) * 1000 > MAX_CPS * (end - at):
                        die(f"{src}: card {k + 1} has too much text for {MAX_CPS:g} characters a second")
                    result.append((at, end, c))
                    at = end + GAP_MS
        write_srt(os.path.join(out, f"{film}.{lang}.srt"), result, lang in RTL)


if __name__ == "__main__":
    main()
