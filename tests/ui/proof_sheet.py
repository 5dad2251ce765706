#!/usr/bin/env python3
"""The proof sheet (issue 11, item 5): `kiosk --headless --proof SRC --out DIR`
on the demo content with the demo media.

- Every language of content.json at 1920x1080 and 1080x1920 has exactly the
  screens the content names, in order (home, guide, a page per topic, films,
  a picture per survey question, thanks), each as one or more screenfuls
  numbered without gaps; nothing else is written.
- Every PNG is a whole PNG of its size, not blank (many colours), and the
  screenfuls of one screen differ from each other (the page did scroll);
  every language's home differs from German's.
- index.html links every PNG once, each with its own thumbnail, and nothing
  else: no scripts, no style sheets or fonts from elsewhere; its title names
  the content version.
- A source whose content.json is broken is refused with exit 3 (DESIGN.md
  §4: input rejected) naming the file and line, before anything is written.
- An out folder that is not empty is refused with exit 2 and left as it was.
- A survey whose questions must all be answered still gets to its thanks,
  and no database file is written for it.
- The kiosk's data folder (its database and installed content) is untouched.
"""
import hashlib
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import ROOT, private_config  # noqa: E402

SIZES = ((1920, 1080), (1080, 1920))
MIN_COLOURS = 32


def expected_screens(content_dir):
    """[(name, id)] in the order the proof draws them, from content.json."""
    index = json.load(open(os.path.join(content_dir, "content.json"), encoding="utf-8"))
    screens = [("home", None), ("guide", None)]
    screens += [("page", t["id"]) for t in index["topics"]]
    screens.append(("films", None))
    if index.get("survey"):
        survey = json.load(open(os.path.join(content_dir, index["survey"]), encoding="utf-8"))
        screens += [("survey", q["id"]) for q in survey["questions"]]
        screens.append(("thanks", None))
    else:
        screens.append(("survey", None))
    return index, screens


def read_png(path):
    """(width, height, distinct colours in a sample) of a PNG; raises on a broken one."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG signature")
    pos, idat, ihdr, ended = 8, [], None, False
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        if zlib.crc32(kind + body) != crc:
            raise ValueError(f"bad CRC in {kind!r}")
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            ended = True
            break
        pos += 12 + length
    if not ihdr or not ended:
        raise ValueError("no IHDR or IEND: cut short")
    w, h, depth, colour, _, _, interlace = ihdr
    channels = {2: 3, 6: 4}.get(colour)
    if depth != 8 or not channels or interlace:
        raise ValueError(f"unexpected PNG kind depth={depth} colour={colour}")
    raw = zlib.decompress(b"".join(idat))
    stride = w * channels + 1
    if len(raw) != stride * h:
        raise ValueError("pixel data of the wrong length")
    colours = set()
    if all(raw[y * stride] == 0 for y in range(h)):  # no row filters: the pixels as they are
        for y in range(0, h, 8):
            row = raw[y * stride + 1:(y + 1) * stride]
            colours.update(row[i:i + 3] for i in range(0, len(row), channels * 3))
        return w, h, len(colours)
    prev = bytearray(stride - 1)
    for y in range(h):
        line = bytearray(raw[y * stride + 1:(y + 1) * stride])
        f = raw[y * stride]
        if f == 1:
            for i in range(channels, len(line)):
                line[i] = (line[i] + line[i - channels]) & 255
        elif f == 2:
            for i in range(len(line)):
                line[i] = (line[i] + prev[i]) & 255
        elif f != 0:
            raise ValueError(f"row filter {f} (this check reads filters 0, 1 and 2 only)")
        if y % 8 == 0:
            colours.update(bytes(line[i:i + 3]) for i in range(0, len(line), channels * 3))
        prev = line
    return w, h, len(colours)


class Sheet(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.images, self.other, self.title, self.style = [], [], [], "", ""
        self._in = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._in = tag
        if tag == "a":
            self.links.append(a.get("href"))
        elif tag == "img":
            self.images.append(a.get("src"))
        elif tag in ("script", "link", "iframe", "object", "embed", "video", "audio", "source"):
            self.other.append(tag)
        for k, v in a.items():
            if k not in ("href", "src") and v and re.match(r"(?i)\s*(https?:|//|javascript:)", v):
                self.other.append(f"{tag} {k}={v}")

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "style":
            self.style += data


def snapshot(folder):
    """Every file under folder with its size and hash (and every folder)."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), folder) + "/"] = None
        for f in filenames:
            p = os.path.join(dirpath, f)
            out[os.path.relpath(p, folder)] = (os.path.getsize(p),
                                               hashlib.sha256(open(p, "rb").read()).hexdigest())
    return out


def main():
    kiosk = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="kiosk-proof-")
    problems = []
    content_dir = os.path.join(ROOT, "assets", "content")
    try:
        conf = private_config(tmp)
        # The kiosk's data folder as a real kiosk has it: database and content.
        subprocess.run([kiosk, "--config", conf, "--headless", "--script", "-"], input="quit\n",
                       text=True, capture_output=True, timeout=60, check=True)
        data = os.path.join(tmp, "var")
        before = snapshot(data)
        if not any(k.endswith("kiosk.sqlite3") for k in before):
            problems.append("setting up: no database in the data folder")

        out = os.path.join(tmp, "proof")
        t0 = time.monotonic()
        run = subprocess.run([kiosk, "--config", conf, "--headless", "--proof", content_dir,
                              "--media", os.path.join(ROOT, "media"), "--out", out],
                             text=True, capture_output=True, timeout=600)
        print(f"proof: exit {run.returncode} in {time.monotonic() - t0:.1f} s")
        if run.returncode != 0:
            problems.append(f"proof: exit {run.returncode}: {run.stderr[-2000:]}")
        if run.stdout:
            problems.append(f"proof: standard output is not empty: {run.stdout[:200]!r}")

        index, screens = expected_screens(content_dir)
        langs = [l["code"] for l in index["languages"]]
        width = max(2, len(str(len(screens))))
        name_re = re.compile(r"^(\d+)-(.+)-(\d+)\.png$")
        pngs = []
        homes = {}
        for lang in langs:
            for w, h in SIZES:
                rel_dir = f"{lang}/{w}x{h}"
                folder = os.path.join(out, rel_dir)
                names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
                got = {}
                for n in names:
                    m = name_re.match(n)
                    if not m:
                        problems.append(f"{rel_dir}/{n}: not a proof picture's name")
                        continue
                    got.setdefault((m.group(1), m.group(2)), []).append((m.group(3), n))
                want = {(f"{i + 1:0{width}d}", name + (f"-{ident}" if ident else ""))
                        for i, (name, ident) in enumerate(screens)}
                for key in sorted(want - got.keys()):
                    problems.append(f"{rel_dir}: no picture of {key[0]}-{key[1]}")
                for key in sorted(got.keys() - want):
                    problems.append(f"{rel_dir}: an unexpected screen {key[0]}-{key[1]}")
                for key in sorted(want & got.keys()):
                    ks = got[key]
                    kw = len(str(len(ks)))
                    if sorted(k for k, _ in ks) != [f"{k:0{kw}d}" for k in range(1, len(ks) + 1)]:
                        problems.append(f"{rel_dir}/{key[0]}-{key[1]}: screenfuls "
                                        f"{[k for k, _ in ks]} are not numbered 1..{len(ks)}")
                    files = [os.path.join(folder, n) for _, n in sorted(ks)]
                    digests = []
                    for f in files:
                        pngs.append(os.path.relpath(f, out))
                        try:
                            pw, ph, colours = read_png(f)
                        except (ValueError, zlib.error, struct.error) as e:
                            problems.append(f"{os.path.relpath(f, out)}: broken PNG: {e}")
                            continue
                        if (pw, ph) != (w, h):
                            problems.append(f"{os.path.relpath(f, out)}: {pw}x{ph}, not {w}x{h}")
                        if colours < MIN_COLOURS:
                            problems.append(f"{os.path.relpath(f, out)}: blank ({colours} colours)")
                        digests.append(hashlib.sha256(open(f, "rb").read()).hexdigest())
                    for a, b, f in zip(digests, digests[1:], files[1:]):
                        if a == b:
                            problems.append(f"{os.path.relpath(f, out)}: the same as the "
                                            "screenful before (it did not scroll)")
                    if key[1] == "home":
                        homes[(lang, w)] = digests[0] if digests else None
                print(f"{rel_dir}: {len(names)} pictures of {len(got)} screens")
        for (lang, w), d in homes.items():
            if lang != "de" and d and d == homes.get(("de", w)):
                problems.append(f"{lang} {w}: home is the same picture as German's")
        on_disk = set()
        for dirpath, _, filenames in os.walk(out):
            on_disk |= {os.path.relpath(os.path.join(dirpath, f), out) for f in filenames}
        extra = on_disk - set(pngs) - {"index.html"}
        if extra:
            problems.append(f"files beside the expected ones: {sorted(extra)[:10]}")
        print(f"{len(pngs)} pictures for {len(langs)} languages x {len(SIZES)} sizes x "
              f"{len(screens)} screens")

        # The contact sheet.
        sheet_path = os.path.join(out, "index.html")
        if not os.path.isfile(sheet_path):
            problems.append("no index.html")
        else:
            sheet = Sheet()
            sheet.feed(open(sheet_path, encoding="utf-8").read())
            if str(index["version"]) not in sheet.title:
                problems.append(f"index.html: title {sheet.title!r} does not name the version "
                                f"{index['version']}")
            if sorted(sheet.links) != sorted(pngs):
                problems.append(f"index.html links {len(sheet.links)} things, not the "
                                f"{len(pngs)} pictures: missing "
                                f"{sorted(set(pngs) - set(sheet.links))[:5]}, else "
                                f"{sorted(set(sheet.links) - set(pngs))[:5]}")
            if len(set(sheet.links)) != len(sheet.links):
                problems.append("index.html links a picture twice")
            if sheet.images != sheet.links:
                problems.append("index.html: the thumbnails are not the linked pictures")
            if sheet.other or re.search(r"url\(|@import|https?:", sheet.style):
                problems.append(f"index.html: scripts or outside resources: {sheet.other}")

        # A non-empty out folder: refused, nothing in it changed.
        kept = snapshot(out)
        again = subprocess.run([kiosk, "--config", conf, "--headless", "--proof", content_dir,
                                "--out", out], text=True, capture_output=True, timeout=60)
        if again.returncode != 2 or "not empty" not in again.stderr:
            problems.append(f"non-empty out folder: exit {again.returncode}, {again.stderr!r}")
        if snapshot(out) != kept:
            problems.append("non-empty out folder: its files changed")

        # A broken source: refused, with file and line, before anything is written.
        broken = os.path.join(tmp, "broken", "content")
        shutil.copytree(content_dir, broken)
        index_path = os.path.join(broken, "content.json")
        lines = open(index_path, encoding="utf-8").read().split("\n")
        bad_line = 4
        lines[bad_line - 1] += " ,,"
        open(index_path, "w", encoding="utf-8").write("\n".join(lines))
        bad_out = os.path.join(tmp, "bad-proof")
        bad = subprocess.run([kiosk, "--config", conf, "--headless", "--proof", broken, "--out",
                              bad_out], text=True, capture_output=True, timeout=60)
        if bad.returncode != 3:
            problems.append(f"broken source: exit {bad.returncode}, not 3: {bad.stderr!r}")
        if not re.search(re.escape(index_path) + f":{bad_line}:[0-9]+: ", bad.stderr):
            problems.append(f"broken source: no file:line in {bad.stderr!r}")
        if os.path.exists(bad_out):
            problems.append(f"broken source: {bad_out} was made: "
                            f"{[f for _, _, fs in os.walk(bad_out) for f in fs][:5]}")

        # Every question required, German only: answered on the way (after
        # its picture), the thanks still reached, nothing stored anywhere.
        req = os.path.join(tmp, "required", "content")
        shutil.copytree(content_dir, req)
        index_path = os.path.join(req, "content.json")
        small = json.load(open(index_path, encoding="utf-8"))
        small["languages"] = [l for l in small["languages"] if l["code"] == "de"]
        json.dump(small, open(index_path, "w", encoding="utf-8"), ensure_ascii=False)
        survey_path = os.path.join(req, small["survey"])
        survey = json.load(open(survey_path, encoding="utf-8"))
        for q in survey["questions"]:
            q["required"] = True
        json.dump(survey, open(survey_path, "w", encoding="utf-8"), ensure_ascii=False)
        req_out = os.path.join(tmp, "required-proof")
        r = subprocess.run([kiosk, "--config", conf, "--headless", "--proof", req, "--media",
                            os.path.join(ROOT, "media"), "--out", req_out], text=True,
                           capture_output=True, timeout=300, cwd=tmp)
        thanks = f"{len(screens):0{width}d}-thanks-1.png"
        for w, h in SIZES:
            if not os.path.isfile(os.path.join(req_out, f"de/{w}x{h}", thanks)):
                problems.append(f"required questions: exit {r.returncode}, no de/{w}x{h}/{thanks}")
        if os.path.isdir(os.path.join(req_out, "en")):
            problems.append("required questions: a language the source does not have was drawn")
        stray = [f for f in os.listdir(tmp) if "memory" in f or f.endswith(".sqlite3")]
        if stray:
            problems.append(f"required questions: a database file was written: {stray}")

        if snapshot(data) != before:
            changed = {k for k in set(before) | set(snapshot(data))
                       if before.get(k) != snapshot(data).get(k)}
            problems.append(f"the kiosk's data folder changed: {sorted(changed)[:10]}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
