#!/usr/bin/env python3
"""200 film starts and stops in a row leave the kiosk's memory where it was.

Runs the real kiosk headless, starts and leaves a film 200 times through the
script driver, and reads the resident set size on the films list after every
20 films.  libvlc's threads make single readings wander by several MB either
way, so the lowest of the first three readings is compared with the lowest of
the last three: a leak raises every reading, noise does not (DESIGN.md §9;
issue: within 5 MB)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import private_config  # noqa: E402
# The first hundred films fill VLC's and the allocator's pools; then it is flat.
WARMUP, ROUNDS, BATCH, LIMIT_KB = 100, 200, 20, 5 * 1024


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))


def main():
    kiosk = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="kiosk-soak-")
    try:
        conf = private_config(tmp)
        env = dict(os.environ, KIOSK_SILENT="1")
        proc = subprocess.Popen([kiosk, "--config", conf, "--headless", "--script", "-"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, bufsize=1, env=env)

        def play(n):
            for _ in range(n):
                proc.stdin.write("tap @films.projekt\nwait 120\nkey Escape\n")
            proc.stdin.write("wait 300\ndump\n")  # let the player's threads end
            proc.stdin.flush()
            for line in proc.stdout:  # the dump's end line: all of it is done
                if '"end":"dump"' in line:
                    assert '"screen":"films"' in line, line
                    return
            raise SystemExit("the kiosk ended early")

        proc.stdin.write("tap @home.films\n")
        play(WARMUP)
        readings = []
        for _ in range(ROUNDS // BATCH):
            play(BATCH)
            readings.append(rss_kb(proc.pid))
        before, after = min(readings[:3]), min(readings[-3:])
        proc.stdin.write("quit\n")
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0, "the kiosk did not end cleanly"
        growth = after - before
        print(f"RSS every {BATCH} films (kB): {readings}; lowest early {before}, "
              f"lowest late {after}: growth {growth} kB (limit {LIMIT_KB} kB)")
        assert growth <= LIMIT_KB, f"memory grew by {growth} kB over {ROUNDS} film starts"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
