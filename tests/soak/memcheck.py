#!/usr/bin/env python3
"""The soak's walk, shorter, under valgrind's memcheck (issue 14, item 2).

Runs tests/soak/long_run.py with the kiosk under
`valgrind --leak-check=full --errors-for-leak-kinds=definite` (2,000 taps,
a few films and submits; memory is valgrind's there, so RSS is not judged,
fds and threads still are), then reads valgrind's log: the test fails on a
definite leak, or an invalid read, write or free, with a frame in our code
(app/).  What system libraries do themselves is in tests/valgrind.supp.
Prints valgrind's summary.
Usage: memcheck.py KIOSK KIOSKCTL SUPP [--taps N]"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(os.path.dirname(os.path.dirname(HERE)), "app") + "/"


def records(log):
    """valgrind's error and leak records: the lines between blank ones."""
    rec = []
    for line in open(log, errors="replace"):
        m = re.match(r"==\d+== ?(.*)", line.rstrip("\n"))
        if not m:
            continue
        text = m.group(1)
        if not text.strip():
            if rec:
                yield rec
            rec = []
        else:
            rec.append(text)
    if rec:
        yield rec


def main():
    kiosk, ctl, supp = sys.argv[1:4]
    taps = sys.argv[sys.argv.index("--taps") + 1] if "--taps" in sys.argv else "2000"
    log = tempfile.mktemp(prefix="kiosk-memcheck-", suffix=".log")
    wrap = ("valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite "
            "--show-leak-kinds=definite --num-callers=40 --fullpath-after= --keep-debuginfo=yes "
            f"--suppressions={supp} --log-file={log}")
    r = subprocess.run([sys.executable, os.path.join(HERE, "long_run.py"), kiosk, ctl,
                        "--taps", taps, "--films", "3", "--submits", "10",
                        "--warmup", str(min(500, int(taps) // 4)),
                        "--no-rss", "--relaxed", "--wrap", wrap])
    ours, summary = [], []
    for rec in records(log):
        head = rec[0]
        if head.startswith(("HEAP SUMMARY", "LEAK SUMMARY")) or any(
                l.startswith("ERROR SUMMARY") for l in rec):
            summary.append("\n".join(rec))
            continue
        bad = re.search(r"definitely lost|Invalid (read|write|free)|Mismatched free", head)
        if bad and any(APP in line for line in rec):
            ours.append("\n".join(rec))
    print("\n".join(summary))
    for rec in ours:
        print("OURS:\n" + rec + "\n")
    print(f"valgrind log: {log}")
    if r.returncode != 0:
        raise SystemExit(f"the walk under valgrind failed ({r.returncode})")
    if ours:
        raise SystemExit(f"{len(ours)} memcheck records in our code (app/)")
    print("ok: no definite leak and no invalid read or write in our code")


if __name__ == "__main__":
    main()
