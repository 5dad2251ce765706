#!/usr/bin/env python3
"""200 film starts and stops in a row leave the kiosk's memory where it was.

Runs the real kiosk headless, starts and leaves a film 200 times through the
script driver, and compares the resident set size after a warm-up with the
one at the end (DESIGN.md §9: runs for weeks; issue: within 5 MB)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WARMUP, ROUNDS, LIMIT_KB = 20, 200, 5 * 1024


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+) kB", f.read()).group(1))


def main():
    kiosk = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="kiosk-soak-")
    try:
        conf = os.path.join(tmp, "kiosk.conf")
        text = open(os.path.join(ROOT, "kiosk.conf")).read()
        text = re.sub(r"(?m)^data_dir = .*$", f"data_dir = {tmp}/var", text)
        text = re.sub(r"(?m)^seed_dir = .*$", f"seed_dir = {ROOT}/assets/content", text)
        text = re.sub(r"(?m)^media_dir = .*$", f"media_dir = {ROOT}/media", text)
        open(conf, "w").write(text)
        env = dict(os.environ, KIOSK_SILENT="1")
        proc = subprocess.Popen([kiosk, "--config", conf, "--headless", "--script", "-"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, bufsize=1, env=env)

        def play(n):
            for _ in range(n):
                proc.stdin.write("tap @films.projekt\nwait 120\nkey Escape\n")
            proc.stdin.write("dump\n")
            proc.stdin.flush()
            for line in proc.stdout:  # the dump's end line: all of it is done
                if '"end":"dump"' in line:
                    assert '"screen":"films"' in line, line
                    return
            raise SystemExit("the kiosk ended early")

        proc.stdin.write("tap @home.films\n")
        play(WARMUP)
        before = rss_kb(proc.pid)
        play(ROUNDS)
        after = rss_kb(proc.pid)
        proc.stdin.write("quit\n")
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0, "the kiosk did not end cleanly"
        growth = after - before
        print(f"RSS after {WARMUP} films: {before} kB; after {ROUNDS} more: {after} kB; "
              f"growth {growth} kB (limit {LIMIT_KB} kB)")
        assert growth <= LIMIT_KB, f"memory grew by {growth} kB over {ROUNDS} film starts"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
