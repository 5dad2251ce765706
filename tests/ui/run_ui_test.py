#!/usr/bin/env python3
"""Runs the real kiosk headless with a script and checks what it did.

A fresh data folder and a private copy of kiosk.conf per run; the exit code,
the JSON lines on standard output (dumps and events), the log on standard
error, and every screenshot against its reference (tests/ui/ref/NAME.png,
compared with a tolerance by shotcmp).  With CI=true a missing reference
fails; otherwise it is written for a person to look at and commit.
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def write_config(path, tmp, overrides, seed):
    """The shipped kiosk.conf with data in tmp and the given keys replaced."""
    values = {
        "kiosk.data_dir": os.path.join(tmp, "var"),
        "content.seed_dir": seed,
        "content.media_dir": os.path.join(ROOT, "media"),
    }
    values.update(overrides)
    out, section, seen = [], None, set()
    with open(os.path.join(ROOT, "kiosk.conf"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\[(\w+)\]", line)
            if m:
                section = m.group(1)
            m = re.match(r"(\w+)\s*=", line)
            if m and section and f"{section}.{m.group(1)}" in values:
                key = f"{section}.{m.group(1)}"
                line = f"{m.group(1)} = {values[key]}\n"
                seen.add(key)
            out.append(line)
    missing = set(values) - seen
    if missing:
        fail(f"not keys of kiosk.conf: {sorted(missing)}")
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(out)


def check_dump(widgets, screen, w, h, px_per_cm):
    """Every target big enough (2 cm) and on the screen; targets apart."""
    target = 2 * px_per_cm - 1
    taps = [x for x in widgets if x["role"] in ("button", "option")]
    for x in widgets:
        if x["x"] < 0 or x["y"] < 0 or x["x"] + x["w"] > w or x["y"] + x["h"] > h:
            fail(f"{screen}: {x['id']} reaches outside the screen: {x}")
    for x in taps:
        # A target cut by the scroll edge may be smaller; it is not tappable as a whole.
        if x["w"] < target or (x["h"] < target and not x.get("clipped")):
            fail(f"{screen}: {x['id']} is {x['w']}x{x['h']} px, under 2 cm ({target:.0f} px)")
    for i, a in enumerate(taps):
        for b in taps[i + 1:]:
            if (a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"]
                    and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]):
                fail(f"{screen}: {a['id']} and {b['id']} overlap")


def export_values(kioskctl, conf, fmt, question):
    """The answers to QUESTION in one export format, as exported."""
    import csv
    import io
    r = subprocess.run([kioskctl, "--config", conf, "export", "--format", fmt],
                       capture_output=True, timeout=60)
    if r.returncode != 0:
        fail(f"kioskctl export --format {fmt}: exit {r.returncode}: {r.stderr!r}")
    text = r.stdout.decode("utf-8")  # strict: bytes that are not UTF-8 fail here
    if fmt == "json":
        return [json.loads(line)["answers"].get(question) for line in text.splitlines()]
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    if fmt == "csv":
        return [row["answer"] for row in rows if row["question_id"] == question]
    return [row[question] for row in rows]


def check_exports(kioskctl, conf, question, text):
    """TEXT, byte for byte, in every export format."""
    if not kioskctl:
        fail("--expect-export needs --kioskctl")
    for fmt in ("csv", "csv-wide", "json"):
        values = export_values(kioskctl, conf, fmt, question)
        if [v.encode("utf-8") if isinstance(v, str) else v for v in values] != [text.encode()]:
            fail(f"export --format {fmt}: {question} is {values!r}, expected [{text!r}]")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiosk", required=True)
    ap.add_argument("--shotcmp", required=True)
    ap.add_argument("--script", required=True)
    ap.add_argument("--out", required=True, help="folder for screenshots and logs")
    ap.add_argument("--name", help="the test's name (its folder under --out); default: the script's")
    ap.add_argument("--ref-dir", default=os.path.join(ROOT, "tests", "ui", "ref"))
    ap.add_argument("--set", action="append", default=[], help="section.key=value")
    ap.add_argument("--delete-seed-file", action="append", default=[])
    ap.add_argument("--replace-seed-file", action="append", default=[],
                    help="PATH=HEXBYTES: write these bytes into the seed copy")
    ap.add_argument("--corrupt-db", action="store_true")
    ap.add_argument("--media-file", action="append", default=[],
                    help="FILE=BYTES: a copy of media/ in which FILE is cut to BYTES "
                         "(0: removed); the kiosk uses that copy")
    ap.add_argument("--expect-video", action="append", default=[],
                    help="DUMP:MIN_MS: in dump DUMP the film's position is at least MIN_MS")
    ap.add_argument("--expect-busy", action="append", default=[],
                    help="SHOT:X,Y,W,H: that part of screenshot SHOT is not one flat colour")
    ap.add_argument("--expect-exit", type=int, default=0)
    ap.add_argument("--expect-stderr", action="append", default=[])
    ap.add_argument("--expect-stdout", action="append", default=[])
    ap.add_argument("--check-targets", action="store_true")
    ap.add_argument("--controls-below", type=float,
                    help="every button, option, slider and input starts below this share "
                         "of the screen's height (low reach)")
    ap.add_argument("--expect-scrolled", action="append", default=[],
                    help="A:B:MIN: between dump A and dump B (0-based) the body moved up "
                         "by at least MIN px")
    ap.add_argument("--env", action="append", default=[], help="NAME=VALUE for the kiosk")
    ap.add_argument("--sql", action="append", default=[],
                    help="QUERY=EXPECTED: after the run, the database answers EXPECTED "
                         "(rows joined by ' / ', columns by '|')")
    ap.add_argument("--kioskctl", help="kioskctl, for --expect-export")
    ap.add_argument("--expect-export", action="append", default=[],
                    help="QUESTION=TEXT: after the run, every export format (csv, csv-wide, "
                         "json) gives TEXT, byte for byte, as the answer to QUESTION")
    ap.add_argument("--wrapper", default="", help="a command to run the kiosk under")
    ap.add_argument("--var", action="append", default=[],
                    help="NAME=VALUE: {NAME} in the script becomes VALUE")
    args = ap.parse_args()

    name = args.name or os.path.splitext(os.path.basename(args.script))[0]
    out = os.path.join(args.out, name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    tmp = tempfile.mkdtemp(prefix=f"kiosk-ui-{name}-")
    try:
        seed = os.path.join(tmp, "seed")
        shutil.copytree(os.path.join(ROOT, "assets", "content"), seed)
        for rel in args.delete_seed_file:
            os.remove(os.path.join(seed, rel))
        for spec in args.replace_seed_file:
            rel, hexbytes = spec.split("=", 1)
            with open(os.path.join(seed, rel), "wb") as f:
                f.write(bytes.fromhex(hexbytes))
        overrides = dict(s.split("=", 1) for s in args.set)
        if args.media_file:
            media = os.path.join(tmp, "media")
            shutil.copytree(os.path.join(ROOT, "media"), media)
            for spec in args.media_file:
                name, size = spec.split("=", 1)
                if int(size) == 0:
                    os.remove(os.path.join(media, name))
                else:
                    with open(os.path.join(media, name), "r+b") as f:
                        f.truncate(int(size))
            overrides["content.media_dir"] = media
        conf = os.path.join(tmp, "kiosk.conf")
        write_config(conf, tmp, overrides, seed)
        if args.corrupt_db:
            os.makedirs(os.path.join(tmp, "var"))
            with open(os.path.join(tmp, "var", "kiosk.sqlite3"), "wb") as f:
                f.write(b"this is not a database " * 200)
        script = args.script
        if args.var:
            text = open(script, encoding="utf-8").read()
            for spec in args.var:
                k, v = spec.split("=", 1)
                text = text.replace("{" + k + "}", v)
            script = os.path.join(tmp, os.path.basename(args.script))
            with open(script, "w", encoding="utf-8") as f:
                f.write(text)
        env = dict(os.environ)
        env.update(dict(e.split("=", 1) for e in args.env))
        mode = ["--windowed"] if args.wrapper else ["--headless"]
        proc = subprocess.run(
            args.wrapper.split() + [args.kiosk, "--config", conf] + mode +
            ["--script", script, "--screenshot-dir", out],
            capture_output=True, text=True, timeout=120, cwd=tmp, env=env)
        with open(os.path.join(out, "stderr.log"), "w") as f:
            f.write(proc.stderr)
        with open(os.path.join(out, "stdout.jsonl"), "w") as f:
            f.write(proc.stdout)
        if proc.returncode != args.expect_exit:
            fail(f"exit {proc.returncode}, expected {args.expect_exit}\n{proc.stderr}")
        for pattern in args.expect_stderr:
            if not re.search(pattern, proc.stderr):
                fail(f"standard error lacks /{pattern}/:\n{proc.stderr}")
        for pattern in args.expect_stdout:
            if not re.search(pattern, proc.stdout):
                fail(f"standard output lacks /{pattern}/:\n{proc.stdout}")

        # Standard output: JSON lines only.
        res = overrides.get("kiosk.resolution", "1920x1080")
        w, h = (int(v) for v in res.split("x"))
        diag = float(overrides.get("kiosk.screen_diagonal_inch", "24"))
        px_per_cm = math.hypot(w, h) / (diag * 2.54)
        widgets, dumps = [], []
        for line in proc.stdout.splitlines():
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                fail(f"standard output has a line that is not JSON: {line!r}")
            if obj.get("end") == "dump":
                if args.check_targets:
                    check_dump(widgets, obj["screen"], w, h, px_per_cm)
                if args.controls_below is not None:
                    for x in widgets:
                        if (x["role"] in ("button", "option", "slider", "input")
                                and x["y"] < args.controls_below * h):
                            fail(f"{obj['screen']}: {x['id']} at y={x['y']} is above "
                                 f"{args.controls_below:.0%} of the screen (low reach)")
                dumps.append(widgets)
                widgets = []
            elif "id" in obj:
                widgets.append(obj)

        for spec in args.expect_scrolled:
            a, b, least = (int(v) for v in spec.split(":"))
            ya = {x["id"]: x["y"] for x in dumps[a] if not x.get("clipped")}
            moved = [ya[x["id"]] - x["y"] for x in dumps[b]
                     if x["id"] in ya and not x.get("clipped")
                     and x["id"].startswith(("page.", "guide."))]
            if not moved:
                fail(f"dumps {a} and {b} share no body widget: the page moved out of sight")
            if min(moved) < least:
                fail(f"between dumps {a} and {b} the body moved {min(moved)} px, "
                     f"expected at least {least}")

        for spec in args.sql:
            query, expected = spec.rsplit("=", 1)
            import sqlite3
            db = sqlite3.connect(os.path.join(tmp, "var", "kiosk.sqlite3"))
            rows = " / ".join("|".join(str(v) for v in r) for r in db.execute(query))
            db.close()
            if rows != expected:
                fail(f"{query!r} gave {rows!r}, expected {expected!r}")

        for spec in args.expect_export:
            question, text = spec.split("=", 1)
            check_exports(args.kioskctl, conf, question, text)

        for spec in args.expect_video:
            d, least = (int(v) for v in spec.split(":"))
            films = [x for x in dumps[d] if x["role"] == "video"]
            if not films:
                fail(f"dump {d} shows no film")
            pos, dur = films[0]["position_ms"], films[0]["duration_ms"]
            if not least <= pos <= dur:
                fail(f"dump {d}: the film is at {pos} ms of {dur}, expected at least {least}")
        for spec in args.expect_busy:
            shot, rect = spec.split(":", 1)
            r = subprocess.run([args.shotcmp, "--busy", os.path.join(out, shot + ".png")] +
                               rect.split(","), capture_output=True, text=True)
            if r.returncode != 0:
                fail(f"{shot}.png is flat in {rect} ({r.stdout.strip()}): no picture")

        # Screenshots against their references (live-*: a film's moving picture, none).
        ci = os.environ.get("CI") == "true"
        for png in sorted(p for p in os.listdir(out) if p.endswith(".png")
                          and not p.endswith("_err.png") and not p.startswith("live-")):
            ref = os.path.join(args.ref_dir, png)
            actual = os.path.join(out, png)
            if not os.path.exists(ref):
                if ci:
                    fail(f"no reference {ref} (run the test outside CI, look at it, commit it)")
                shutil.copy(actual, ref)
                print(f"wrote reference {ref}: look at it and commit it")
                continue
            err = os.path.join(out, png[:-4] + "_err.png")
            r = subprocess.run([args.shotcmp, ref, actual, err])
            if r.returncode != 0:
                fail(f"{png} differs from its reference; see {err}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"ok {name}")


if __name__ == "__main__":
    main()
