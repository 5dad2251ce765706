#!/usr/bin/env python3
"""The service watchdog (issue 13, item 4): the kiosk tells systemd it is
alive.  The test plays systemd: a datagram socket of its own as
NOTIFY_SOCKET, WATCHDOG_USEC of one second.  It checks READY=1 after the
first frame, WATCHDOG=1 about every half second while the loop runs, none
while a test build's loop hangs (the script's "stall"), and the rhythm again
after it.  Usage: watchdog.py KIOSK"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import private_config, check, finish  # noqa: E402



def main():
    kiosk = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="kiosk-watchdog-")
    try:
        conf = private_config(tmp)
        path = os.path.join(tmp, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(0.2)
        got = []  # (monotonic time, message)
        stop = threading.Event()

        def listen():
            while not stop.is_set():
                try:
                    data = sock.recv(4096)
                except socket.timeout:
                    continue
                got.append((time.monotonic(), data.decode()))

        t = threading.Thread(target=listen)
        t.start()
        env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="1000000", KIOSK_SILENT="1")
        env.pop("WATCHDOG_PID", None)
        proc = subprocess.Popen([kiosk, "--config", conf, "--headless", "--script", "-"],
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, env=env)
        proc.stdin.write("wait 3000\n")
        proc.stdin.flush()
        time.sleep(3.5)
        stall_from = time.monotonic()
        proc.stdin.write("stall 3000\n")
        proc.stdin.flush()
        time.sleep(3.0)
        stall_to = time.monotonic()
        proc.stdin.write("wait 2000\nquit\n")
        proc.stdin.flush()
        err = proc.communicate(timeout=60)[1]
        stop.set()
        t.join()
        if "unknown command" in err or "stall" in err and "no such" in err:
            print("skipped: this is a Release build without the test hooks")
            return
        ready = [m for _, m in got if "READY=1" in m]
        beats = [when for when, m in got if m.strip() == "WATCHDOG=1"]
        check("READY=1 after the first frame", ready, got[:3])
        before = [b for b in beats if b < stall_from]
        gaps = [b - a for a, b in zip(before, before[1:])]
        check("WATCHDOG=1 about every half second while the loop runs",
              len(before) >= 4 and gaps and max(gaps) < 0.9, gaps)
        during = [b for b in beats if stall_from + 0.7 < b < stall_to - 0.2]
        check("none while the loop hangs (systemd would restart it)", not during, during)
        after = [b for b in beats if b > stall_to + 0.1]
        check("the rhythm again once the loop runs", len(after) >= 2, after)
        check("the kiosk ended cleanly", proc.returncode == 0, err[-500:])

        # The kiosk as the service runs it: no script, real time.
        got.clear()
        stop.clear()
        t = threading.Thread(target=listen)
        t.start()
        proc = subprocess.Popen([kiosk, "--config", conf, "--headless"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(3.0)
        proc.terminate()
        proc.wait(timeout=30)
        stop.set()
        t.join()
        beats = [when for when, m in got if m.strip() == "WATCHDOG=1"]
        gaps = [b - a for a, b in zip(beats, beats[1:])]
        check("the service's loop sends them in real time, about every half second",
              len(beats) >= 4 and max(gaps) < 0.9, gaps)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
