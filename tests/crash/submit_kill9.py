#!/usr/bin/env python3
"""kill -9 at random moments during bursts of survey submits (DESIGN.md §9).

Each round starts the real kiosk headless on one database, feeds it a burst
of complete surveys through the script driver, and kills it with SIGKILL at
a random moment.  Every response the kiosk reported as submitted (it says so
only after the commit) must be in the database, each exactly once, with all
its answers and its place in the outbox; the database must stay healthy.
"""
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import testlib  # noqa: E402
from testlib import private_config  # noqa: E402
ANSWERS_PER_RESPONSE = 5  # the demo survey: five choices, the comment left empty

# A response, then past the thanks screen (it goes home after 8 s).
SURVEY = testlib.SURVEY + "advance 9\n"


def main():
    kiosk = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    rng = random.Random(int(os.environ.get("SEED", time.time())))
    tmp = tempfile.mkdtemp(prefix="kiosk-kill9-")
    try:
        conf = private_config(tmp)
        subprocess.run([kiosk, "--config", conf, "--headless", "--script", "-"],
                       input="quit\n", text=True, capture_output=True, check=True)

        reported = []
        killed_mid_burst = 0
        for r in range(rounds):
            proc = subprocess.Popen([kiosk, "--config", conf, "--headless", "--script", "-"],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True, bufsize=1)
            ids = []

            def read():
                for line in proc.stdout:
                    m = re.search(r'"event":"submitted","response":"([0-9a-f]{32})"', line)
                    if m:
                        ids.append(m.group(1))

            reader = threading.Thread(target=read)
            reader.start()

            def feed():
                try:
                    for _ in range(50):
                        proc.stdin.write(SURVEY.format(a=rng.randint(1, 5), b=rng.randint(1, 5)))
                    proc.stdin.write("quit\n")
                    proc.stdin.flush()
                except (BrokenPipeError, ValueError):
                    pass

            feeder = threading.Thread(target=feed)
            feeder.start()
            time.sleep(rng.uniform(0.05, 0.8))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed_mid_burst += 1
            proc.wait()
            reader.join()
            feeder.join()
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass
            reported += ids

        db = sqlite3.connect(os.path.join(tmp, "var", "kiosk.sqlite3"))
        check = db.execute("PRAGMA integrity_check").fetchone()[0]
        assert check == "ok", f"integrity_check: {check}"
        stored = [r[0] for r in db.execute("SELECT id FROM response")]
        assert len(stored) == len(set(stored)), "a response is stored twice"
        missing = set(reported) - set(stored)
        assert not missing, f"{len(missing)} reported responses are lost: {sorted(missing)[:3]}"
        assert len(reported) == len(set(reported)), "a response id was reported twice"
        partial = db.execute(
            "SELECT count(*) FROM (SELECT r.id FROM response r LEFT JOIN answer a "
            "ON a.response_id = r.id GROUP BY r.id HAVING count(a.value) <> ?)",
            (ANSWERS_PER_RESPONSE,)).fetchone()[0]
        assert partial == 0, f"{partial} responses are stored without all their answers"
        outbox = db.execute("SELECT count(*) FROM outbox").fetchone()[0]
        assert outbox == len(stored), f"outbox has {outbox} of {len(stored)} responses"
        db.close()
        assert killed_mid_burst >= rounds * 9 // 10, f"only {killed_mid_burst} kills landed"
        assert len(reported) > 0, "no submit ever completed: the test proves nothing"
        print(f"ok: {rounds} rounds, {killed_mid_burst} killed mid-burst, "
              f"{len(reported)} responses reported, {len(stored)} stored, none lost, "
              f"none twice, none partial, database ok")
    finally:
        if os.environ.get("KEEP"):
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
