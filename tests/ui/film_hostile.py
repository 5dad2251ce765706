#!/usr/bin/env python3
"""A film that is no film never leaves a black player "playing" for ever
(issue 10): the kiosk is started on a copy of media/ in which projekt.mp4 is
replaced by something else, a resident taps the film, and within seconds the
player shows its error; the idle reset then works as usual, and the kiosk
quits cleanly.  Cases: a FIFO, a link to /dev/zero, a link out of the media
folder to a real film, a folder, random bytes, and a sound without a picture
(the watchdog: no picture within 8 s of real time is an error)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import ROOT, private_config  # noqa: E402

FILM = "projekt.mp4"


def make_case(kind, media):
    film = os.path.join(media, FILM)
    os.unlink(film)
    if kind == "fifo":
        os.mkfifo(film)
    elif kind == "dev-zero":
        os.symlink("/dev/zero", film)
    elif kind == "link-out":
        outside = os.path.join(os.path.dirname(media), "elsewhere.mp4")
        shutil.copy(os.path.join(ROOT, "media", FILM), outside)
        os.symlink(outside, film)
    elif kind == "random":
        with open(film, "wb") as f:
            f.write(os.urandom(2 * 1024 * 1024))
    elif kind == "folder":
        os.mkdir(film)
    elif kind == "sound-only":
        # A real medium that VLC plays, but with no picture: 60 s of a tone.
        import math
        import wave
        with wave.open(film, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(8000)
            w.writeframes(b"".join(int(8000 * math.sin(i / 5)).to_bytes(2, "little", signed=True)
                                   for i in range(8000 * 60)))


def dump(proc):
    proc.stdin.write("dump\n")
    proc.stdin.flush()
    ids, screen = [], None
    for line in proc.stdout:
        o = json.loads(line)
        if o.get("end") == "dump":
            return o["screen"], ids
        if "id" in o:
            ids.append(o["id"])
    raise AssertionError("the kiosk ended before its dump")


def run_case(kiosk, kind, expect_log):
    tmp = tempfile.mkdtemp(prefix=f"kiosk-film-{kind}-")
    try:
        conf = private_config(tmp)
        log = os.path.join(tmp, "stderr")
        # The first start installs the demo content (films included) into
        # var/content/VERSION/media: that copy is what the kiosk plays.
        subprocess.run([kiosk, "--config", conf, "--headless", "--script", "-"], input="quit\n",
                       text=True, stdout=subprocess.DEVNULL, stderr=open(log, "w"), check=True)
        content = os.path.join(tmp, "var", "content")
        media = os.path.join(content, os.listdir(content)[0], "media")
        make_case(kind, media)
        proc = subprocess.Popen([kiosk, "--config", conf, "--headless", "--script", "-"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=open(log, "w"), text=True, bufsize=1,
                                env=dict(os.environ, KIOSK_SILENT="1"))
        proc.stdin.write("tap @home.films\ntap @films.projekt\n")
        t0 = time.monotonic()
        error = False
        while time.monotonic() - t0 < 20:
            screen, ids = dump(proc)
            assert screen == "player", f"{kind}: screen {screen}"
            if "player.error" in ids:
                error = True
                break
            proc.stdin.write("wait 500\n")
        took = time.monotonic() - t0
        assert error, f"{kind}: no error on the player after {took:.0f} s"
        # The kiosk lives on: the idle reset comes as usual, home answers.
        proc.stdin.write("advance 200\n")
        screen, _ = dump(proc)
        assert screen == "home", f"{kind}: after idle the screen is {screen}, not home"
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        rc = proc.wait(timeout=30)
        text = open(log).read()
        assert rc == 0, f"{kind}: exit {rc}\n{text[-1500:]}"
        assert expect_log in text, f"{kind}: '{expect_log}' not in the log:\n{text[-1500:]}"
        print(f"ok: {kind}: the player's error after {took:.1f} s, then idle reset to home")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    kiosk = sys.argv[1]
    run_case(kiosk, "fifo", "not a regular file")
    run_case(kiosk, "dev-zero", "not a regular file")
    run_case(kiosk, "link-out", "a link that leads out of its folder")
    run_case(kiosk, "folder", "a folder, not a file")
    run_case(kiosk, "random", "incomplete or damaged")
    run_case(kiosk, "sound-only", "showed no picture within 8 s")


if __name__ == "__main__":
    main()
