#!/usr/bin/env python3
"""Nothing a resident presses leaves the kiosk (issue 13, item 5): the kiosk
runs full screen in a real window (run under tests/ui/xvfb.sh) and gets the
keys that leave other programs (Alt+F4, Ctrl+Q, Ctrl+W, Escape on home,
Ctrl+C, Ctrl+Alt+Backspace) from xdotool; it must still run and show home.
Then SIGTERM (the service's stop) ends it, as it should.
Usage (under xvfb.sh): lockdown.py KIOSK"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import check, finish, private_config  # noqa: E402


def main():
    kiosk = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="kiosk-lockdown-")
    try:
        conf = private_config(tmp)
        proc = subprocess.Popen([kiosk, "--config", conf], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        window = ""
        for _ in range(100):  # wait for its window
            r = subprocess.run(["xdotool", "search", "--pid", str(proc.pid)],
                               capture_output=True, text=True)
            window = r.stdout.split()[0] if r.stdout.split() else ""
            if window:
                break
            time.sleep(0.1)
        check("the kiosk opens its window", bool(window))
        for keys in ("alt+F4", "ctrl+q", "ctrl+w", "Escape", "ctrl+c", "ctrl+alt+BackSpace"):
            subprocess.run(["xdotool", "key", "--window", window, keys], capture_output=True)
            subprocess.run(["xdotool", "windowfocus", "--sync", window], capture_output=True)
            subprocess.run(["xdotool", "key", keys], capture_output=True)
            time.sleep(0.5)
            check(f"{keys} does not end the kiosk", proc.poll() is None, proc.poll())
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        check("SIGTERM (the service's stop) ends it", proc.returncode is not None,
              proc.returncode)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
