#!/usr/bin/env python3
"""The hostile corpus (issue 10): broken or hostile input never takes the
kiosk down.  Every case is made here, by this test, across the classes a
careless editor or an attacker reaches: config, content, pages, survey,
pictures, films, subtitles, database, export targets, script lines.

For every case the real kiosk (or kioskctl) runs on a data folder that
already holds one stored survey response, and the test asserts
  - the exit code (and, where the kiosk runs on, the screen),
  - the message in the log that names what is wrong,
  - that a `dump` is answered within a bounded time,
  - that the peak memory stayed within twice the demo content's (+ 32 MB),
  - that the response stored before is still there.

    corpus.py KIOSK KIOSKCTL [--slow N] [--only NAME]

--slow multiplies the time limits (sanitizer builds)."""
import argparse
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SEED = os.path.join(ROOT, "assets", "content")
MEDIA = os.path.join(ROOT, "media")
HOSTILE_VERSION = 100  # above the demo content's: the kiosk tries to install it

SUBMIT = """tap @home.survey
tap @survey.helped.4
tap @survey.next
tap @survey.next
tap @survey.next
tap @survey.next
tap @survey.next
key End
tap @survey.submit
expect-screen thanks
quit
"""


class Fail(Exception):
    pass


def write(path, data, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)


def replace_with(path, kind, data=None):
    """Replaces the file at path by something that is no file of its kind."""
    if os.path.lexists(path):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        os.symlink("/dev/zero", path)
    elif kind == "folder":
        os.mkdir(path)
    elif kind == "bytes":
        write(path, data, "wb")
    elif kind == "link-out":  # a real film, but outside the folder
        case = path  # CASE/var/content/VERSION/media/FILE: the link leads to CASE/elsewhere
        for _ in range(5):
            case = os.path.dirname(case)
        outside = os.path.join(case, "elsewhere.mp4")
        shutil.copy(os.path.join(MEDIA, os.path.basename(path)), outside)
        os.symlink(outside, path)
    elif kind == "sound-only":  # a medium VLC plays, without a picture: 60 s of a tone
        import math
        import wave
        with wave.open(path, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(b"".join(int(8000 * math.sin(i / 5)).to_bytes(2, "little", signed=True)
                                   for i in range(8000 * 60)))


def json_edit(path, fn):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    fn(doc)
    write(path, json.dumps(doc, ensure_ascii=False, indent=1))


def png_header(w, h):
    import struct
    import zlib
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


class Corpus:
    def __init__(self, kiosk, ctl, slow):
        self.kiosk, self.ctl, self.slow = kiosk, ctl, slow
        self.tmp = tempfile.mkdtemp(prefix="kiosk-hostile-")
        self.results = []
        self.template = os.path.join(self.tmp, "template")
        self.baseline_kb = None
        self.film_baseline_kb = None

    # ---- a data folder with one stored response ----
    def prepare(self):
        os.makedirs(self.template)
        conf = self.config(self.template)
        self.run_kiosk(conf, SUBMIT, limit_s=60)
        assert self.responses(self.template) == 1, "the template holds no response"

    def config(self, d, seed=SEED, extra=""):
        text = open(os.path.join(ROOT, "kiosk.conf"), encoding="utf-8").read()
        text = re.sub(r"(?m)^data_dir = .*$", f"data_dir = {d}/var", text)
        text = re.sub(r"(?m)^seed_dir = .*$", f"seed_dir = {seed}", text)
        text = re.sub(r"(?m)^media_dir = .*$", f"media_dir = {d}/media", text)
        path = os.path.join(d, "kiosk.conf")
        write(path, text + extra)
        if not os.path.exists(os.path.join(d, "media")):
            shutil.copytree(MEDIA, os.path.join(d, "media"))
        return path

    @staticmethod
    def responses(d, db=None):
        db = db or os.path.join(d, "var", "kiosk.sqlite3")
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return con.execute("SELECT count(*) FROM response").fetchone()[0]
        finally:
            con.close()

    def case_dir(self, name, hostile_seed=True):
        d = os.path.join(self.tmp, name)
        shutil.copytree(self.template, d)
        seed = os.path.join(d, "seed")
        shutil.copytree(SEED, seed)
        if hostile_seed:
            json_edit(os.path.join(seed, "content.json"),
                      lambda c: c.__setitem__("version", HOSTILE_VERSION))
        return d, seed

    # ---- running the kiosk ----
    def run_kiosk(self, conf, script, args=(), limit_s=20, stdin_file=None):
        """Runs the kiosk headless on script (stdin), answers a dump at the end;
        returns (exit code, screen of the last dump or None, stderr, seconds to
        the dump, peak RSS in kB)."""
        cmd = [self.kiosk, "--config", conf, "--headless", "--script", stdin_file or "-"] + list(args)
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=dict(os.environ, KIOSK_SILENT="1"))
        t0 = time.monotonic()
        screen, took, peak = None, None, 0
        try:
            if stdin_file is None:
                p.stdin.write(script.encode())
                if "quit" not in script:
                    p.stdin.write(b"dump\n")
                p.stdin.flush()
            deadline = t0 + limit_s * self.slow
            for line in p.stdout:
                if b'"end":"dump"' in line:
                    screen = json.loads(line)["screen"]
                    took = time.monotonic() - t0
                    try:
                        st = open(f"/proc/{p.pid}/status").read()
                        peak = int(re.search(r"VmHWM:\s+(\d+)", st).group(1))
                    except (OSError, AttributeError):
                        pass
                    if stdin_file is None:
                        p.stdin.write(b"quit\n")
                        p.stdin.flush()
                if time.monotonic() > deadline:
                    raise Fail(f"no answer within {limit_s * self.slow:.0f} s")
            p.wait(timeout=max(5, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise Fail(f"the kiosk did not end within {limit_s * self.slow:.0f} s")
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            err = p.stderr.read().decode(errors="replace")
            try:
                p.stdin.close()
            except OSError:
                pass
        return p.returncode, screen, err, took, peak

    def check(self, name, rc, screen, err, took, peak, want_rc, want_screen, want_msg, d,
              keeps_response=True, film=False):
        problems = []
        if rc != want_rc:
            problems.append(f"exit {rc}, expected {want_rc}")
        if want_screen and screen != want_screen:
            problems.append(f"screen {screen}, expected {want_screen}")
        if want_msg and not re.search(want_msg, err):
            problems.append(f"/{want_msg}/ not in the log:\n{err[-1200:]}")
        if want_screen and took is None:
            problems.append("no dump was answered")
        base = self.film_baseline_kb if film else self.baseline_kb
        limit = max(2 * base, base + 32 * 1024) if base else 0
        if limit and peak > limit:
            problems.append(f"peak memory {peak // 1024} MB, over {limit // 1024} MB")
        if keeps_response:
            try:
                n = self.responses(d)
                if n != 1:
                    problems.append(f"{n} responses stored, expected the 1 from before")
            except sqlite3.Error as e:
                problems.append(f"the stored response cannot be read: {e}")
        self.results.append((name, problems, took, peak))
        state = "ok" if not problems else "FAIL"
        print(f"{state}: {name}: exit {rc}, screen {screen}, "
              f"dump after {took if took is None else round(took, 2)} s, "
              f"peak {peak // 1024} MB" + ("" if not problems else "\n  " + "\n  ".join(problems)),
              flush=True)

    # ---- the kinds of case ----
    def kiosk_case(self, name, mutate=None, script="", want_rc=0, want_screen="home",
                   want_msg=None, installed=None, extra_conf="", args=(), conf_path=None,
                   limit_s=20, keeps_response=True, film=False):
        """mutate(d, seed) changes the seed (or config) before the start;
        installed(d, content_dir) changes the installed copy of a good
        version-100 seed, after a first start installed it."""
        d, seed = self.case_dir(name)
        try:
            conf = self.config(d, seed, extra_conf)
            if installed:
                self.run_kiosk(conf, "quit\n", limit_s=60)
                installed(d, os.path.join(d, "var", "content", str(HOSTILE_VERSION)))
            if mutate:
                mutate(d, seed)
            rc, screen, err, took, peak = self.run_kiosk(conf_path(d) if conf_path else conf,
                                                         script, args, limit_s)
            self.check(name, rc, screen, err, took, peak, want_rc, want_screen, want_msg, d,
                       keeps_response, film)
        except Fail as e:
            self.results.append((name, [str(e)], None, 0))
            print(f"FAIL: {name}: {e}", flush=True)


def cases(c):
    # The baseline: the demo content, the same path through the screens.
    d, seed = c.case_dir("baseline", hostile_seed=False)
    conf = c.config(d, seed)
    rc, screen, err, took, peak = c.run_kiosk(
        conf, "tap @home.guide\ntap @guide.projekt\ntap @nav.home\ntap @home.films\n")
    c.baseline_kb = peak
    print(f"baseline: demo content, peak {peak // 1024} MB, dump after {took:.2f} s")
    rc, screen, err, took, peak = c.run_kiosk(
        conf, "tap @home.films\ntap @films.projekt\nwait 1500\nexpect @player.video\n")
    c.film_baseline_kb = peak
    print(f"baseline: a demo film playing, peak {peak // 1024} MB")

    # ---- config (a kiosk with --headless: exit 3, file, line and key) ----
    conf_case = lambda name, text, msg: c.kiosk_case(  # noqa: E731
        name, mutate=lambda d, seed: write(os.path.join(d, "bad.conf"), text),
        conf_path=lambda d: os.path.join(d, "bad.conf"), want_rc=3, want_screen=None,
        want_msg=msg)
    c.kiosk_case("config-dev-zero", conf_path=lambda d: "/dev/zero", want_rc=3,
                 want_screen=None, want_msg="/dev/zero: .*not a regular file")
    c.kiosk_case("config-folder", conf_path=lambda d: d, want_rc=3, want_screen=None,
                 want_msg="a folder, not a file")
    c.kiosk_case("config-fifo", mutate=lambda d, s: os.mkfifo(os.path.join(d, "fifo.conf")),
                 conf_path=lambda d: os.path.join(d, "fifo.conf"), want_rc=3, want_screen=None,
                 want_msg="not a regular file")
    conf_case("config-nul", "[kiosk]\n\0idle_timeout = 90\n", "NUL byte")
    conf_case("config-unknown-key", "[kiosk]\ncolour = pink\n", r"bad\.conf:2: .*kiosk\.colour")
    conf_case("config-bad-value", "[kiosk]\nidle_timeout = -5\n", r":2: .*kiosk\.idle_timeout")
    conf_case("config-huge", "# " + "x" * (300 * 1024) + "\n", "larger than")
    conf_case("config-error-after-long-lines",
              "#" + "x" * 5000 + "\n[kiosk]\n#" + "y" * 5000 + "\nidle_timeout = soon\n",
              r"bad\.conf:4: .*kiosk\.idle_timeout")
    c.kiosk_case("config-long-comment", extra_conf="\n# " + "long comment " * 400 + "\n",
                 want_screen="home")

    # ---- content (refused whole: the content before stays on screen) ----
    def content_case(name, edit, msg):
        def mutate(d, seed):
            edit(os.path.join(seed, "content.json"), seed)
        c.kiosk_case(name, mutate=mutate, script="tap @home.guide\n", want_screen="guide",
                     want_msg=msg)

    content_case("content-not-json", lambda p, s: write(p, '{"format": 1, "version": 100,,}'),
                 r"installed before stays: .*content\.json:1:\d+")
    content_case("content-over-cap", lambda p, s: write(p, " " * (1024 * 1024 + 1)),
                 r"content\.json: larger than the 1024 KiB")
    content_case("content-fifo", lambda p, s: replace_with(p, "fifo"), "not a regular file")
    content_case("content-lang-path", lambda p, s: json_edit(
        p, lambda j: j["languages"][1].__setitem__("code", "../../x")), "expected a language code")
    content_case("content-text-key-path", lambda p, s: json_edit(
        p, lambda j: j["topics"][0]["title"].__setitem__("../de", "x")), "is no language code")
    content_case("content-long-id", lambda p, s: json_edit(
        p, lambda j: j["topics"][0].__setitem__("id", "a" * 40)), r"topics\[0\]")
    content_case("content-long-title", lambda p, s: json_edit(
        p, lambda j: j["topics"][0]["title"].__setitem__("de", "Lang " * 400)), "at most 1000")
    content_case("content-many-topics", lambda p, s: json_edit(
        p, lambda j: j.__setitem__("topics", [dict(j["topics"][0], id=f"t{i}")
                                               for i in range(200)])), "at most 48")
    content_case("content-version-2^63", lambda p, s: json_edit(
        p, lambda j: j.__setitem__("version", 9223372036854775000)), "more than a year ahead")
    content_case("strings-over-cap", lambda p, s: write(os.path.join(s, "strings", "de.json"),
                                                        " " * (300 * 1024)), "larger than the 256 KiB")
    content_case("strings-long-text", lambda p, s: json_edit(
        os.path.join(s, "strings", "en.json"), lambda j: j.__setitem__("home.guide", "x" * 5000)),
        "at most 1000")

    # ---- pages (the content installs; the page shows its error) ----
    def page_case(name, make, msg, want="page.error"):
        def mutate(d, seed):
            make(os.path.join(seed, "pages", "projekt.de.md"))
        script = f"tap @home.guide\ntap @guide.projekt\nexpect @{want}\n"
        c.kiosk_case(name, mutate=mutate, script=script, want_screen="page", want_msg=msg)

    page_case("page-over-cap", lambda p: write(p, "Wort " * 30000), "larger than the 128 KiB")
    page_case("page-long-paragraph", lambda p: write(p, "# T\n\n" + "Wort " * 2000 + "\n"),
              "paragraph has at most 8192")
    page_case("page-long-word", lambda p: write(p, "# T\n\n" + "x" * 500 + "\n"),
              "a word of more than 120 characters")
    page_case("page-nul", lambda p: write(p, "# T\n\0\n"), "NUL byte")
    page_case("page-not-utf8", lambda p: write(p, b"# T\n\n\xe4\xf6\xfc\n", "wb"), "not valid UTF-8")
    page_case("page-largest-allowed", lambda p: write(
        p, "# Groß\n\n" + "\n\n".join([" ".join(["x" * 120] * 67)] * 15) + "\n"), None,
        want="page.block1")
    page_case("page-largest-short-words", lambda p: write(
        p, "# Groß\n\n" + "\n\n".join([("a " * 4090).strip()] * 15) + "\n"), None,
        want="page.block1")

    def installed_page(name, kind, msg):
        c.kiosk_case(name, installed=lambda d, cd: replace_with(
            os.path.join(cd, "pages", "projekt.de.md"), kind),
            script="tap @home.guide\ntap @guide.projekt\nexpect @page.error\n",
            want_screen="page", want_msg=msg)

    installed_page("page-fifo", "fifo", "not a regular file")
    installed_page("page-dev-zero", "dev-zero", "not a regular file")
    installed_page("page-folder", "folder", "a folder, not a file")

    def link_out(d, cd):
        page = os.path.join(cd, "pages", "projekt.de.md")
        secret = os.path.join(d, "secret.md")
        write(secret, "# Geheim\n\nDas gehört nicht auf den Bildschirm.\n")
        os.unlink(page)
        os.symlink(secret, page)
    c.kiosk_case("page-link-out", installed=link_out,
                 script="tap @home.guide\ntap @guide.projekt\nexpect @page.error\n",
                 want_screen="page", want_msg="a link that leads out of its folder")

    # ---- a page's picture: its alt text stands in its place ----
    def picture_case(name, kind, data, msg):
        c.kiosk_case(name, installed=lambda d, cd: replace_with(
            os.path.join(cd, "pictures", "prozesse.png"), kind, data),
            script="tap @home.guide\ntap @guide.prozesse\nswipe 960 900 960 500\nexpect @page.block4\n",
            want_screen="page", want_msg=msg)

    picture_case("picture-huge-header", "bytes", png_header(30000, 30000), "at most 2073600 pixels")
    picture_case("picture-random", "bytes", os.urandom(2048), "not a PNG or JPEG")
    picture_case("picture-fifo", "fifo", None, "not a regular file")

    # ---- survey (refused whole, like content) ----
    survey = lambda s: os.path.join(s, "survey.json")  # noqa: E731
    content_case("survey-over-cap", lambda p, s: write(survey(s), " " * (300 * 1024)),
                 "larger than the 256 KiB")
    content_case("survey-not-json", lambda p, s: write(survey(s), '{"id": "x",,'),
                 r"survey\.json:1:\d+")
    content_case("survey-long-question", lambda p, s: json_edit(
        survey(s), lambda j: j["questions"][0]["text"].__setitem__("de", "Frage " * 400)),
        "at most 1000")
    content_case("survey-id-path", lambda p, s: json_edit(
        survey(s), lambda j: j["questions"][0].__setitem__("id", "../x")), r"questions\[0\]\.id")

    def one_word_question(d, seed):
        json_edit(survey(seed), lambda j: j["questions"][0]["text"].__setitem__("de", "x" * 1000))
    c.kiosk_case("survey-one-word-question", mutate=one_word_question,
                 script="tap @home.survey\nkey End\nexpect @survey.next\n", want_screen="survey")

    # ---- pictures (the films list shows; the still is left out) ----
    def still_case(name, kind, data, msg):
        c.kiosk_case(name, installed=lambda d, cd: replace_with(
            os.path.join(cd, "media", "projekt.jpg"), kind, data),
            script="tap @home.films\nexpect @films.projekt\n", want_screen="films", want_msg=msg)

    still_case("still-huge-header", "bytes", png_header(20000, 20000), "at most 2073600 pixels")
    still_case("still-random", "bytes", os.urandom(4096), "not a PNG or JPEG")
    still_case("still-fifo", "fifo", None, "not a regular file")
    still_case("still-dev-zero", "dev-zero", None, "not a regular file")

    # ---- films and subtitles: the player's error within seconds (never a
    # black player "playing" for ever), then the idle reset as usual ----
    def film_case(name, kind, data, msg, wait_ms=1500):
        c.kiosk_case(name, installed=lambda d, cd: replace_with(
            os.path.join(cd, "media", "projekt.mp4"), kind, data),
            script=f"tap @home.films\ntap @films.projekt\nwait {wait_ms}\nexpect @player.error\n"
                   "advance 200\nexpect-screen home\n",
            want_screen="home", want_msg=msg, film=True, limit_s=20 + wait_ms // 1000)

    film_case("film-fifo", "fifo", None, "not a regular file")
    film_case("film-dev-zero", "dev-zero", None, "not a regular file")
    film_case("film-folder", "folder", None, "a folder, not a file")
    film_case("film-link-out", "link-out", None, "a link that leads out of its folder")
    film_case("film-random", "bytes", os.urandom(512 * 1024), "incomplete or damaged|cannot be played")
    # the watchdog: 8 s of real time without a picture (slower under sanitizers)
    film_case("film-sound-only", "sound-only", None, "showed no picture within 8 s",
              wait_ms=int(11000 * c.slow))
    c.kiosk_case("subtitles-fifo", installed=lambda d, cd: replace_with(
        os.path.join(cd, "media", "projekt.de.srt"), "fifo"),
        script="tap @home.films\ntap @films.projekt\nwait 1500\nexpect @player.video\n",
        want_screen="player", want_msg="without subtitles", film=True)

    # ---- database ----
    def db(d):
        return os.path.join(d, "var", "kiosk.sqlite3")

    def garbage_db(d, seed):
        for suffix in ("-wal", "-shm"):
            if os.path.exists(db(d) + suffix):
                os.unlink(db(d) + suffix)
        write(db(d), os.urandom(64 * 1024), "wb")
    c.kiosk_case("db-garbage", mutate=garbage_db, want_screen="home",
                 want_msg="kept it as .*corrupt-", keeps_response=False)

    def newer_db(d, seed):
        con = sqlite3.connect(db(d))
        con.execute("PRAGMA user_version = 99")
        con.close()
    c.kiosk_case("db-newer-schema", mutate=newer_db, want_screen="out-of-service",
                 want_msg="newer than this kiosk knows", keeps_response=True)

    # ---- export targets (kioskctl) ----
    def link_target(d):
        write(os.path.join(d, "target.txt"), "keep me")
        os.symlink(os.path.join(d, "target.txt"), os.path.join(d, "link.csv"))
        return []
    def link_kept(d):
        ok = os.path.islink(os.path.join(d, "link.csv")) and \
            open(os.path.join(d, "target.txt")).read() == "keep me"
        return [] if ok else ["the link or its target changed"]
    for name, make, want in (
            ("export-symlink", link_target, "symbolic link"),
            ("export-fifo", lambda d: os.mkfifo(os.path.join(d, "pipe.csv")) or [], "no regular file"),
            ("export-folder", lambda d: os.mkdir(os.path.join(d, "dir.csv")) or [], "names a folder")):
        target = {"export-symlink": "link.csv", "export-fifo": "pipe.csv",
                  "export-folder": "dir.csv"}[name]
        d, _ = c.case_dir(name, hostile_seed=False)
        make(d)
        conf = c.config(d)
        r = subprocess.run([c.ctl, "--config", conf, "export", "--format", "csv", "--out",
                            os.path.join(d, target)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=30 * c.slow)
        err = r.stderr.decode(errors="replace")
        problems = []
        if r.returncode != 2:
            problems.append(f"exit {r.returncode}, expected 2")
        if want not in err:
            problems.append(f"'{want}' not in: {err}")
        if name == "export-symlink":
            problems += link_kept(d)
        if c.responses(d) != 1:
            problems.append("the stored response is gone")
        c.results.append((name, problems, None, 0))
        print(("ok" if not problems else "FAIL") + f": {name}: exit {r.returncode}" +
              ("" if not problems else "\n  " + "\n  ".join(problems)), flush=True)

    # ---- script lines ----
    c.kiosk_case("script-missing-widget", script="tap @no.such\n", want_rc=4, want_screen=None,
                 want_msg="no such widget")
    c.kiosk_case("script-garbage", script="fly me to the moon\n", want_rc=2, want_screen=None,
                 want_msg="cannot understand")
    c.kiosk_case("script-huge-line", script="tap " + "9" * (2 * 1024 * 1024) + "\n", want_rc=2,
                 want_screen=None, want_msg="cannot understand")
    c.kiosk_case("script-bad-quotes", script='text "unclosed\n', want_rc=2, want_screen=None,
                 want_msg="expected")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kiosk")
    ap.add_argument("kioskctl")
    ap.add_argument("--slow", type=float, default=1.0)
    a = ap.parse_args()
    c = Corpus(os.path.abspath(a.kiosk), os.path.abspath(a.kioskctl), a.slow)
    try:
        c.prepare()
        cases(c)
    finally:
        shutil.rmtree(c.tmp, ignore_errors=True)
    failed = [r for r in c.results if r[1]]
    print(f"{len(c.results)} hostile cases, {len(c.results) - len(failed)} ok, {len(failed)} failed")
    if len(c.results) < 40:
        print("FAIL: fewer than 40 cases ran")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
