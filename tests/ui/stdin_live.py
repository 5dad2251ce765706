#!/usr/bin/env python3
"""--script - keeps the kiosk alive between lines: a film plays on while the
driver waits before its next line (DESIGN.md §4: lines are read as they
arrive)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import private_config  # noqa: E402


def main():
    kiosk = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="kiosk-stdin-")
    try:
        conf = private_config(tmp)
        proc = subprocess.Popen([kiosk, "--config", conf, "--headless", "--script", "-"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, bufsize=1,
                                env=dict(os.environ, KIOSK_SILENT="1"))
        proc.stdin.write("tap @home.films\ntap @films.projekt\n")
        proc.stdin.flush()
        time.sleep(5)  # no line: the film must play on all the same (slow under ASan)
        out, _ = proc.communicate("dump\nquit\n", timeout=60)
        video = [json.loads(l) for l in out.splitlines() if '"role":"video"' in l]
        assert video, "no film on screen"
        pos = video[0]["position_ms"]
        assert pos >= 1500, f"the film stood still while no line came: at {pos} ms"
        print(f"ok: the film played on to {pos} ms while the driver waited")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
