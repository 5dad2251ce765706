#!/usr/bin/env python3
"""A long scripted run across every screen and language (issue 14, item 2).

Runs the real kiosk headless under `--script -` and walks its widget tree at
random (a seeded RNG): from a dump it knows which buttons and options a
person can see, taps one, and learns where each tap leads (the screen and
the tappable widgets there, with their places, selection and enabled state).
Taps whose outcome it has seen are strung together without asking, so lines
go to the kiosk in big chunks with a dump every few hundred taps to check
the way and steer; a tap it has not seen yet, and every tap on a screen that
changes by itself (player, thanks, idle warning, PIN pad, admin), is followed
by a dump.  Missions weight the walk so that every screen is reached: films
(a film started, the player's controls, back), surveys (every question type
and the on-screen keyboard, submitted), the idle warning through `advance`
(more time, or the reset), the PIN pad and admin area (a 3-second press in
the corner and the PIN; never admin.exit.confirm), and a random walk over
everything else, in every language, text size and contrast.

Counted from the script's events (film starts: a `player` screen; submits:
`submitted`) and from the database at the end.  After a warm-up (WARMUP taps
and every screen visited) and at the end, on the home screen with nothing
playing: RSS (lowest of three readings each, as libvlc's threads make single
readings wander) within 5 MB, open file descriptors and threads no more than
after warm-up.

Usage: long_run.py KIOSK KIOSKCTL [--taps N] [--films N] [--submits N]
                   [--seed S] [--warmup N] [--valgrind LOG]
With --valgrind the kiosk runs under memcheck (the caller's arguments after
--valgrind-args) and the memory figures are not checked (valgrind's own)."""
import argparse
import json
import os
import queue
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import ROOT, private_config  # noqa: E402

PIN = "2468"
TAPPABLE = ("button", "option")
# Screens that change by themselves (time, jobs) or hold hidden state:
# every tap there or into them is followed by a dump.
VOLATILE = {"player", "thanks", "idle-warning", "admin-pin", "admin", "import",
            "out-of-service"}
EXPECTED_SCREENS = {"home", "guide", "page", "films", "player", "survey", "thanks",
                    "idle-warning", "admin-pin", "admin"}
NEVER = {"admin.exit.confirm"}
CHECK_EVERY = 300     # a dump to check the way every so many taps
CHUNK = 3000          # taps written at once, at most
LIMIT_KB = 5 * 1024
MAX_TEXT = 12


def status_of(pid, key):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(key + r":\s+(\d+)", f.read()).group(1))


class Kiosk:
    def __init__(self, cmd, env):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1 << 16,
                                     env=env)
        self.dumps = queue.Queue()
        self.screens = []          # every screen event, in order
        self.submitted = []        # response ids
        self.film_starts = 0
        self.stderr_tail = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._err, daemon=True).start()

    def _read(self):
        nodes = []
        for line in self.proc.stdout:
            d = json.loads(line)
            if "id" in d:
                nodes.append(d)
            elif d.get("end") == "dump":
                self.dumps.put((d["screen"], nodes))
                nodes = []
            elif d.get("event") == "screen":
                self.screens.append(d["screen"])
                if d["screen"] == "player":
                    self.film_starts += 1
            elif d.get("event") == "submitted":
                self.submitted.append(d["response"])
        self.dumps.put(None)

    def _err(self):
        for line in self.proc.stderr:
            self.stderr_tail = (self.stderr_tail + [line.rstrip()])[-20:]

    def write(self, lines):
        if os.environ.get("LONGRUN_LOG"):
            with open(os.environ["LONGRUN_LOG"], "a") as f:
                f.write("".join(l + "\n" for l in lines))
        self.proc.stdin.write("".join(l + "\n" for l in lines))
        self.proc.stdin.flush()

    def next_dump(self, timeout=600):
        d = self.dumps.get(timeout=timeout)
        if d is None:
            raise SystemExit(f"the kiosk ended (exit {self.proc.wait()}): "
                             + "\n".join(self.stderr_tail))
        return d


def key_of(screen, nodes):
    """What decides where a tap can go: the screen and its tappable widgets."""
    # A text field's length is part of it: typing moves what lies below once
    # the text wraps (the walk types at most MAX_TEXT characters).
    # An answer's selection moves nothing: left out, so that fewer states
    # need learning; the language's and speech mode's stay in.
    return (screen, tuple((n["id"], n["x"], n["y"], n["w"], n["h"],
                           n["selected"] and n["id"].startswith(("lang.", "a11y.")),
                           n["enabled"], bool(n.get("clipped")))
                          if n["role"] in TAPPABLE else (n["id"], len(n["label"]))
                          for n in nodes if n["role"] in TAPPABLE or n["role"] == "input"),
            tuple(n["id"] for n in nodes if n["role"] not in TAPPABLE + ("input",)))


def choices(key):
    typed = max([t[1] for t in key[1] if len(t) == 2] or [0])
    return [t[0] for t in key[1] if len(t) > 2 and t[6] and not t[7] and t[0] not in NEVER
            and not (t[0].startswith("kbd.") and typed >= MAX_TEXT)]


def selected(key, prefix):
    return [t[0] for t in key[1] if len(t) > 2 and t[0].startswith(prefix) and t[5]]


class Walk:
    def __init__(self, k, rng, args):
        self.k, self.rng, self.args = k, rng, args
        self.trans = {}            # (key, id) -> key after it
        self.bad = set()           # (key, id) seen to lead to more than one place
        self.taps = 0
        self.visits = {}           # screen -> taps made there
        self.langs_submit, self.langs_film = set(), set()
        self.scales, self.contrast_taps, self.kbd_taps = set(), 0, 0
        self.pages = set()
        self.conflicts = 0
        self.mission, self.mission_taps = "explore", 0
        self.admin_visits = self.idle_visits = 0
        self.idle_at, self.admin_at = rng.randint(0, 2000), 0

    # --- the walk's weights -------------------------------------------
    def weight(self, key, wid):
        screen, m = key[0], self.mission
        w = 1.0
        if wid.startswith("lang."):
            w = 0.6
        elif wid == "a11y.text":
            w = 0.6
            if m in ("survey", "film") and screen == "home" and not (
                    {"home.survey", "home.films"} & set(choices(key))):
                w = 50  # at 200 % the home buttons need scrolling: smaller text
        elif wid == "a11y.contrast":
            w = 0.5
        elif wid == "a11y.speak":
            w = 4.0 if selected(key, "a11y.speak") else 0.05
        elif wid == "nav.home":
            w = 0.3 if m == "explore" else (8 if screen not in ("home", "survey") else 0.02)
        elif wid == "nav.back":
            w = 0.8
        elif wid.startswith("kbd."):
            w = 1.0 if m == "survey" else 0.2
        elif wid.startswith("survey."):
            if wid == "survey.submit":
                w = 60 if m == "survey" else 2
            elif wid == "survey.next":
                w = 25 if m == "survey" else 3
            elif wid == "survey.back":
                w = 0.7
            else:  # an answer: choose one, then go on
                q = wid.rsplit(".", 1)[0] + "."
                w = 20 if not selected(key, q) else 1.5
        elif wid == "home.survey":
            w = 60 if m == "survey" else 3
        elif wid == "home.films":
            w = 60 if m == "film" else 3
        elif wid.startswith("films.") or wid == "page.film":
            w = 25 if m == "film" else 0.1  # films come from their mission
        elif wid.startswith("guide."):
            w = 3 if wid in self.pages else 30
        if m == "survey" and (wid.startswith(("guide.", "films.", "lang.")) or wid in (
                "page.film", "home.guide", "home.films", "nav.back")):
            w *= 0.05
        if m == "film" and (wid.startswith(("survey.", "kbd.", "lang.")) or wid in (
                "home.survey",)):
            w *= 0.05
        # Toward screens seen least (where the outcome is known).
        nxt = self.trans.get((key, wid))
        if m == "explore" and nxt is not None and nxt[0] not in (screen, "player"):
            w *= 1 + 4 / (1 + self.visits.get(nxt[0], 0) / 500)
        return w

    def pick(self, key):
        ids = choices(key)
        if not ids:
            return None
        return self.rng.choices(ids, [self.weight(key, i) for i in ids])[0]

    def tap_lines(self, key, wid, by_id=True):
        # In speech mode the first tap speaks, the second acts.
        n = 2 if selected(key, "a11y.speak") else 1
        self.taps += n
        self.visits[key[0]] = self.visits.get(key[0], 0) + n
        if wid.startswith("kbd."):
            self.kbd_taps += n
        if wid == "a11y.contrast":
            self.contrast_taps += n
        if wid.startswith("guide."):
            self.pages.add(wid)
        if by_id:
            return [f"tap @{wid}"] * n
        # A tap predicted from what was learned goes where the widget was:
        # should the kiosk be elsewhere (a hidden state), it lands on
        # something else, as a person's would, and the next check says so.
        x, y = self.centre(key, wid)
        return [f"tap {x} {y}"] * n

    # --- a chunk: known taps strung together, then a dump -------------
    def chunk(self, key, limit):
        lines, path, seg = [], [], []   # seg: (key, id) since the last check
        checks = []                      # (predicted key, the segment before it)
        while len(path) < limit:
            if key[0] in VOLATILE:
                wid = self.volatile_step(key)
                if wid:
                    lines += wid if isinstance(wid, list) else self.tap_lines(key, wid)
                path.append((key, wid))
                break
            if key[0] in ("guide", "page", "survey", "home") and self.rng.random() < (
                    0.3 if key[0] == "guide" and len(self.pages) < 7 else 0.01):
                # What lies below the fold (the last topics, large text).
                up = self.rng.random() < 0.7
                lines.append("swipe 960 %d 960 %d" % ((800, 300) if up else (300, 800)))
                path.append((key, None))
                break
            wid = self.pick(key)
            if wid is None:
                lines.append("key Escape")
                path.append((key, None))
                break
            lines += self.tap_lines(key, wid, by_id=not path)
            path.append((key, wid))
            seg.append((key, wid))
            self.mission_taps += 1
            nxt = self.trans.get((key, wid))
            if nxt is None or (key, wid) in self.bad or nxt[0] in VOLATILE:
                break
            key = nxt
            if self.mission == "survey" and key[0] == "thanks":
                break
            if len(seg) >= CHECK_EVERY:
                lines.append("dump")
                checks.append((key, seg))
                seg = []
        lines.append("dump")
        return lines, path, checks

    def volatile_step(self, key):
        """One step on a screen that changes by itself; a dump follows."""
        screen, ids = key[0], choices(key)
        r = self.rng.random()
        if screen == "player":
            self.mission = "explore"
            leave = [i for i in ("player.back", "nav.back", "nav.home") if i in ids]
            ctl = [i for i in ids if i.startswith("player.") and i != "player.back"
                   or i.startswith(("lang.", "a11y.text", "a11y.contrast"))]
            if self.player_taps < self.player_budget and ctl:
                # The film runs in real time: a control can change (play,
                # pause, the end's offer) between the dump and the tap, so
                # the player is tapped where a person would, at its place.
                self.player_taps += 1
                wid = self.rng.choice(ctl)
                lines = [f"tap {x} {y}" for x, y in [self.centre(key, wid)]] * len(
                    self.tap_lines(key, wid))
                if self.rng.random() < 0.3:
                    lines.append(f"wait {self.rng.choice((20, 50, 50, 300))}")
                return lines
            if leave:
                wid = self.rng.choice(leave)
                return [f"tap {x} {y}" for x, y in [self.centre(key, wid)]] * len(
                    self.tap_lines(key, wid))
            return ["key Escape"]
        if screen == "thanks":
            if r < 0.3:
                return ["advance 9"]  # it closes by itself once thanked
            pick = [i for i in ids if i in ("nav.home", "nav.back")] or ids
            return self.tap_lines(key, self.rng.choice(pick)) if pick else ["advance 9"]
        if screen == "idle-warning":
            if "idle.more-time" in ids and r < 0.5:
                return self.tap_lines(key, "idle.more-time")
            return ["advance 31"]  # the session resets to home
        if screen == "admin-pin":
            need = {f"pin.{d}" for d in PIN} | {"pin.ok"}
            if not need <= set(ids):  # large text: the pad needs a smaller one
                for i in ("a11y.text", "nav.home", "nav.back"):
                    if i in ids:
                        return self.tap_lines(key, i)
                return ["key Escape"]
            digits = [f"tap @pin.{d}" for d in PIN] + ["tap @pin.ok"]
            self.taps += len(digits)
            self.visits["admin-pin"] = self.visits.get("admin-pin", 0) + len(digits)
            return digits + ["wait 300"]  # the PIN is checked on a worker
        if screen == "admin":
            self.mission = "explore"
            safe = [i for i in ids if i.startswith("admin.") and i not in NEVER
                    and i != "admin.exit"]
            if self.admin_taps < 3 and safe:
                self.admin_taps += 1
                return self.tap_lines(key, self.rng.choice(safe)) + ["wait 100"]
            for i in ("admin.close", "nav.back", "nav.home"):
                if i in ids:
                    return self.tap_lines(key, i)
            return ["key Escape"]
        if screen == "import":
            for i in ("import.cancel", "import.done", "nav.home"):
                if i in ids:
                    return self.tap_lines(key, i)
            return ["wait 200"]
        return ["key Escape"]

    # --- missions -------------------------------------------------------
    def choose_mission(self, key):
        a, done = self.args, self.taps / self.args.taps
        if self.mission in ("survey", "film") and self.mission_taps < 400:
            return
        self.mission_taps = 0
        if key[0] in ("home", "guide", "page", "films", "survey") and self.taps >= self.idle_at:
            self.mission = "idle"  # about every 2,000 taps
            self.idle_at = self.taps + self.rng.randint(1000, 3000)
        elif key[0] == "home" and self.args.pin and self.taps >= self.admin_at:
            self.mission = "admin"  # about every 10,000 taps
            self.admin_at = self.taps + self.rng.randint(5000, 15000)
        elif self.k.film_starts < a.films * min(1, done + 0.02):
            self.mission = "film"
        elif len(self.k.submitted) < a.submits * min(1, done + 0.02):
            self.mission = "survey"
        else:
            self.mission = "explore"

    def run(self, on_warm, on_progress):
        k = self.k
        k.write(["dump"])
        screen, nodes = k.next_dump()
        key = key_of(screen, nodes)
        self.player_taps = self.player_budget = self.admin_taps = 0
        warm = False
        while self.taps < self.args.taps:
            self.choose_mission(key)
            if self.mission == "idle":
                self.idle_visits += 1
                self.mission = "explore"
                k.write(["advance 91", "dump"])
                screen, nodes = k.next_dump()
                key = key_of(screen, nodes)
                self.visits[screen] = self.visits.get(screen, 0) + 1
                continue
            if self.mission == "admin":
                self.admin_visits += 1
                self.admin_taps = 0
                self.mission = "explore"
                k.write(["hold 10 10 3000", "dump"])
                screen, nodes = k.next_dump()
                key = key_of(screen, nodes)
                continue
            lines, path, checks = self.chunk(key, min(CHUNK, self.args.taps - self.taps + 1))
            k.write(lines)
            for predicted, seg in checks:
                s, n = k.next_dump()
                self.learn_check(predicted, seg, key_of(s, n))
            screen, nodes = k.next_dump()
            new = key_of(screen, nodes)
            last_key, last_id = path[-1]
            if screen == "player" and last_key[0] != "player":
                self.player_taps, self.player_budget = 0, self.rng.randint(1, 5)
                self.langs_film.add(self.lang(last_key))
            if screen == "admin" and last_key[0] != "admin":
                self.admin_taps = 0
            if last_key[0] == "survey" and screen == "thanks":
                self.langs_submit.add(self.lang(last_key))
            if screen == "thanks" and self.mission == "survey":
                self.mission = "explore"
            if screen == "player" and self.mission == "film":
                self.mission = "explore"
            if last_id and last_key[0] not in VOLATILE:
                prev = self.trans.get((last_key, last_id))
                if prev is not None and prev != new:
                    self.bad.add((last_key, last_id))
                self.trans[(last_key, last_id)] = new
            key = new
            self.scales.add(self.scale_of(key))
            if not warm and self.taps >= self.args.warmup and (self.args.relaxed or (
                    EXPECTED_SCREENS <= set(s for s, v in self.visits.items() if v))) \
                    and key[0] == "home":
                warm = True
                on_warm(self)
            on_progress(self)
        return key

    def learn_check(self, predicted, seg, seen):
        if predicted != seen:
            self.conflicts += 1
            for t in seg:
                self.bad.add(t)

    @staticmethod
    def centre(key, wid):
        t = next(t for t in key[1] if t[0] == wid)
        return t[1] + t[3] // 2, t[2] + t[4] // 2

    @staticmethod
    def lang(key):
        for t in key[1]:
            if t[0].startswith("lang.") and t[5]:
                return t[0][5:]
        return None

    @staticmethod
    def scale_of(key):
        for t in key[1]:
            if t[0] == "a11y.text":
                return t[4]  # the button grows with the text
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kiosk")
    ap.add_argument("kioskctl")
    ap.add_argument("--taps", type=int, default=100000)
    ap.add_argument("--films", type=int, default=500)
    ap.add_argument("--submits", type=int, default=1000)
    # libvlc's and the allocator's pools fill over the first hundred films
    # (film_starts.py): with 500 films in 100,000 taps, that is 20,000 taps.
    ap.add_argument("--warmup", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SEED", 14)))
    ap.add_argument("--no-pin", dest="pin", action="store_false")
    ap.add_argument("--no-rss", dest="rss", action="store_false",
                    help="do not check RSS (under valgrind)")
    ap.add_argument("--wrap", default="", help="a command line to run the kiosk under")
    ap.add_argument("--relaxed", action="store_true",
                    help="a short run: coverage of every screen and language not judged")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tmp = tempfile.mkdtemp(prefix="kiosk-longrun-")
    t0 = time.monotonic()
    try:
        conf = private_config(tmp)
        if args.pin:
            h = subprocess.run([args.kioskctl, "--config", conf, "admin", "hash-pin"],
                               input=PIN + "\n", capture_output=True, text=True, check=True)
            line = next(l for l in h.stdout.splitlines() if l.startswith("pin_hash"))
            text = open(conf).read()
            text = re.sub(r"(?m)^pin_hash =.*$", lambda _: line, text)
            open(conf, "w").write(text)
        env = dict(os.environ, KIOSK_SILENT="1")
        cmd = args.wrap.split() + [args.kiosk, "--config", conf, "--headless", "--script", "-"]
        k = Kiosk(cmd, env)
        pid = k.proc.pid
        figures = {}

        def settle(tag):
            """Home, nothing playing, workers idle: three readings."""
            rss = []
            while len(rss) < 3:
                k.write(["wait 400", "dump"])
                s, n = k.next_dump()
                if s != "home":  # the idle warning, its reset, admin's own timeout
                    ids = [x["id"] for x in n]
                    go = next((f"tap @{i}" for i in ("idle.more-time", "admin.close", "nav.home")
                               if i in ids), "advance 31")
                    k.write([go])
                    rss = []
                    continue
                rss.append(status_of(pid, "VmRSS"))
            fds = len(os.listdir(f"/proc/{pid}/fd"))
            threads = len(os.listdir(f"/proc/{pid}/task"))
            figures[tag] = dict(rss=rss, fds=fds, threads=threads, taps=walk.taps,
                                films=k.film_starts, submits=len(k.submitted),
                                t=time.monotonic() - t0)
            print(f"{tag}: after {walk.taps} taps, {k.film_starts} films, "
                  f"{len(k.submitted)} submits, {time.monotonic() - t0:.0f} s: "
                  f"RSS {rss} kB, {fds} fds, {threads} threads", flush=True)

        last = [0]

        def progress(w):
            if w.taps - last[0] >= args.taps // 10:
                last[0] = w.taps
                print(f"  {w.taps} taps, {k.film_starts} films, {len(k.submitted)} "
                      f"submits, {time.monotonic() - t0:.0f} s, RSS "
                      f"{status_of(pid, 'VmRSS')} kB, {len(w.trans)} learned, "
                      f"{w.conflicts} differed, screens {sorted(w.visits.items())}",
                      flush=True)

        walk = Walk(k, rng, args)
        key = walk.run(lambda w: settle("warm"), progress)
        # To the end: home (through the idle reset if need be), then read.
        k.write(["advance 91", "advance 31", "dump"])
        s, _ = k.next_dump()
        if "warm" not in figures:
            raise SystemExit(f"never warm: screens {walk.visits}")
        settle("end")
        k.write(["quit"])
        k.proc.stdin.close()
        rc = k.proc.wait(timeout=600)
        elapsed = time.monotonic() - t0

        db = sqlite3.connect(os.path.join(tmp, "var", "kiosk.sqlite3"))
        stored = db.execute("SELECT count(*) FROM response").fetchone()[0]
        by_lang = dict(db.execute("SELECT language, count(*) FROM response GROUP BY 1"))
        kinds = db.execute("SELECT count(DISTINCT question_id) FROM answer").fetchone()[0]
        db.close()

        fails = []

        def check(what, ok):
            print(("ok: " if ok else "FAIL: ") + what, flush=True)
            if not ok:
                fails.append(what)

        w, e = figures["warm"], figures["end"]
        screens = set(s for s, v in walk.visits.items() if v) | set(k.screens)
        print(f"{walk.taps} taps in {elapsed:.0f} s ({walk.taps / elapsed:.0f} taps/s); "
              f"{k.film_starts} film starts, {len(k.submitted)} submits reported, "
              f"{stored} stored {by_lang}; {len(walk.trans)} taps learned, "
              f"{walk.conflicts} checks that differed; seed {args.seed}")
        print(f"screens: {sorted(walk.visits.items())}; pages {len(walk.pages)}; "
              f"keyboard taps {walk.kbd_taps}; contrast taps {walk.contrast_taps}; "
              f"text sizes {len(walk.scales)}; films in {sorted(walk.langs_film)}; "
              f"submits in {sorted(walk.langs_submit)}; idle {walk.idle_visits}, "
              f"admin {walk.admin_visits}")
        check("the kiosk ended cleanly", rc == 0)
        check(f"at least {args.taps} taps", walk.taps >= args.taps)
        check(f"at least {args.films} film starts", k.film_starts >= args.films)
        check(f"at least {args.submits} submits", len(k.submitted) >= args.submits)
        check("every reported submit is stored, once",
              stored == len(k.submitted) == len(set(k.submitted)))
        if args.relaxed:
            check = lambda what, ok: print(("ok: " if ok else "(not judged) ") + what)  # noqa
        check("every question type answered (6 questions, the comment typed)", kinds == 6)
        want = EXPECTED_SCREENS - (set() if args.pin else {"admin-pin", "admin"})
        check(f"every screen visited (missing {want - screens})", want <= screens)
        check("every page opened", len(walk.pages) >= 7)
        langs = {"de", "en", "de-x-ls", "tr", "uk", "ar"}
        check("surveys submitted in every language", langs <= set(by_lang))
        check("films started in every language", langs <= walk.langs_film)
        check("every text size and both contrasts", len(walk.scales) >= 3
              and walk.contrast_taps >= 2)
        def check(what, ok):  # noqa: F811
            print(("ok: " if ok else "FAIL: ") + what, flush=True)
            if not ok:
                fails.append(what)
        if args.rss:
            grow = min(e["rss"]) - min(w["rss"])
            check(f"RSS at the end within 5 MB of after warm-up ({grow} kB)", grow <= LIMIT_KB)
        if args.relaxed:  # a short warm-up: libvlc and the workers start late
            check = lambda what, ok: print(("ok: " if ok else "(not judged) ") + what)  # noqa
        check(f"no file descriptor left over ({w['fds']} -> {e['fds']})", e["fds"] <= w["fds"])
        check(f"no thread left over ({w['threads']} -> {e['threads']})",
              e["threads"] <= w["threads"])
        if fails:
            raise SystemExit(f"{len(fails)} checks failed")
    finally:
        if os.environ.get("KEEP"):
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
