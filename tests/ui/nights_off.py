#!/usr/bin/env python3
"""Nights off (issue 13, item 6), on the virtual clock of a scripted run:
outside [kiosk] opening_hours the home screen goes dark; a touch wakes it for
five minutes and taps nothing; a resident's page is never darkened under
them; the screen lights up when the hours begin; a dark, untouched kiosk
uses no CPU; a bad opening_hours is refused with file, line and key.
Usage: nights_off.py KIOSK KIOSKCTL"""
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import private_config, check, finish  # noqa: E402



def set_hours(conf, value):
    text = open(conf).read()
    text = re.sub(r"(?m)^opening_hours =.*$", f"opening_hours = {value}", text)
    open(conf, "w").write(text)


def run(kiosk, conf, script, shots=None):
    """The dumps of a script: (screen, dark, ids) each."""
    args = [kiosk, "--config", conf, "--headless", "--script", "-"]
    if shots:
        args += ["--screenshot-dir", shots]
    r = subprocess.run(args, input=script, text=True, capture_output=True, timeout=120,
                       env=dict(os.environ, KIOSK_SILENT="1"))
    dumps, ids = [], []
    for line in r.stdout.splitlines():
        d = json.loads(line)
        if d.get("end") == "dump":
            dumps.append((d["screen"], d.get("dark", False), ids))
            ids = []
        elif "id" in d:
            ids.append(d["id"])
    return r.returncode, dumps, r.stderr


def find_kiosk(conf):
    """The kiosk process started with this config (under xvfb-run)."""
    for p in os.listdir("/proc"):
        try:
            if (p.isdigit() and open(f"/proc/{p}/comm").read().strip() == "kiosk" and
                    conf.encode() in open(f"/proc/{p}/cmdline", "rb").read()):
                return int(p)
        except OSError:
            continue
    return None


def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def main():
    kiosk, ctl = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="kiosk-night-")
    try:
        conf = private_config(tmp)
        today = datetime.date.today().isoformat()
        set_hours(conf, f"Mo-Su 00:00-24:00; {today} off")
        shots = os.path.join(tmp, "shots")
        os.makedirs(shots)
        rc, dumps, err = run(kiosk, conf, "dump\nshot dark\ntap @home.guide\ndump\n"
                             "tap @home.guide\ndump\nadvance 60\ndump\nadvance 400\ndump\n"
                             "quit\n", shots)
        check("closed today: the home screen is dark", dumps[0][1] and dumps[0][0] == "home",
              dumps[0][:2])
        px = open(os.path.join(shots, "dark.png"), "rb").read()
        check("and drawn black", len(px) < 20000, len(px))
        check("a touch wakes it and taps nothing", dumps[1][:2] == ("home", False), dumps[1][:2])
        check("the next touch acts", dumps[2][0] == "guide", dumps[2][:2])
        check("a resident's screen is never darkened under them", dumps[3][:2] ==
              ("guide", False), dumps[3][:2])
        check("after the idle reset and the five minutes, dark again", dumps[4][:2] ==
              ("home", True), dumps[4][:2])

        now = datetime.datetime.now()
        opens = now + datetime.timedelta(minutes=3)
        if opens.date() == now.date():
            set_hours(conf, f"Mo-Su {opens:%H:%M}-24:00")
            rc, dumps, err = run(kiosk, conf, "dump\nadvance 60\ndump\nadvance 150\ndump\nquit\n")
            check("before the hours begin: dark", dumps[0][1] and dumps[1][1],
                  [d[:2] for d in dumps])
            check("when they begin, the screen lights up by itself", not dumps[2][1],
                  [d[:2] for d in dumps])
        else:
            print("skipped: the hours-begin case near midnight")

        set_hours(conf, f"Mo-Su 00:00-24:00; {today} off")
        # In a real window (SDL's offscreen driver waits by polling every
        # millisecond; X lets the loop sleep, as a kiosk's session does).
        proc = subprocess.Popen(["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", kiosk,
                                 "--config", conf, "--windowed"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(4)
        pid = find_kiosk(conf)
        a = cpu_ticks(pid) if pid else 0
        time.sleep(5)
        b = cpu_ticks(pid) if pid else 99
        proc.terminate()
        if pid:
            os.kill(pid, 15)
        proc.wait(timeout=30)
        hz = os.sysconf("SC_CLK_TCK")
        check(f"a dark, untouched kiosk uses no CPU ({b - a} ticks of 1/{hz} s in 5 s)",
              b - a <= 1, b - a)

        set_hours(conf, "Mo-Fr 8-18")
        r = subprocess.run([ctl, "--config", conf, "status"], capture_output=True, text=True)
        check("a bad opening_hours is refused with file, line and key",
              r.returncode == 3 and "kiosk.opening_hours" in r.stderr and
              re.search(r"kiosk\.conf:\d+:", r.stderr) is not None, r.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
