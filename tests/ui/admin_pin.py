#!/usr/bin/env python3
"""The way into the admin area (issue 15, items 1 and 2), as staff use it.

  - without [admin] pin_hash a long press in the corner does nothing;
  - with it, a 3-second press in the top-left corner opens the PIN pad, also
    over a page, and taps nothing beneath (nav.back lies there); a shorter
    press does not;
  - the pad shows dots, never digits; a wrong PIN says so; three lock the pad
    for five minutes (its keys disabled), the lock survives a restart and ends
    after five minutes; the right PIN opens the admin area, which names the
    kiosk, its versions and the responses as the database counts them;
  - the admin area closes itself after two minutes without a touch.
Usage: admin_pin.py KIOSK KIOSKCTL"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import private_config, check, finish  # noqa: E402



def run(kiosk, conf, script):
    """Runs a script; the screens it passed and the dumps it printed."""
    r = subprocess.run([kiosk, "--config", conf, "--headless", "--script", "-"], input=script,
                       text=True, capture_output=True, timeout=120,
                       env=dict(os.environ, KIOSK_SILENT="1"))
    screens, dumps, nodes = [], [], {}
    for line in r.stdout.splitlines():
        d = json.loads(line)
        if d.get("event") == "screen":
            screens.append(d["screen"])
        elif d.get("end") == "dump":
            dumps.append((d["screen"], nodes))
            nodes = {}
        elif "id" in d:
            nodes[d["id"]] = d
    return r.returncode, screens, dumps, r.stderr


def main():
    kiosk, ctl = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="kiosk-admin-")
    try:
        conf = private_config(tmp)
        corner = "hold 20 20 3200\n"
        rc, screens, _, err = run(kiosk, conf, corner + "dump\nquit\n")
        check("without a PIN there is no admin area", rc == 0 and "admin-pin" not in screens,
              screens)

        r = subprocess.run([ctl, "--config", conf, "admin", "hash-pin"], input="4711\n",
                           capture_output=True, text=True)
        check("kioskctl admin hash-pin prints the line for kiosk.conf",
              r.returncode == 0 and r.stdout.startswith("pin_hash = $argon2id$") and
              "4711" not in r.stdout + r.stderr, r.stdout + r.stderr)
        text = open(conf).read()
        text = re.sub(r"(?m)^pin_hash =.*$", r.stdout.strip().replace("\\", "\\\\"), text)
        open(conf, "w").write(text)

        rc, screens, dumps, _ = run(kiosk, conf, "hold 20 20 2500\ndump\nquit\n")
        check("a press shorter than 3 s opens nothing", "admin-pin" not in screens, screens)

        # Over a page: the press lands on nav.back, which must not act.
        script = ("tap @home.guide\ntap @guide.projekt\n" + corner + "dump\n" +
                  "".join(f"tap @pin.{d}\n" for d in "12") + "dump\nquit\n")
        rc, screens, dumps, _ = run(kiosk, conf, script)
        check("3 s in the corner open the PIN pad over a page, and nothing beneath acts",
              screens[-1:] == ["admin-pin"] and "guide" not in screens[2:], screens)
        pad = dumps[0][1]
        check("the pad has the digits 0-9, delete and OK",
              all(f"pin.{k}" in pad for k in list("0123456789") + ["delete", "ok"]),
              sorted(pad))
        check("typed digits show as dots, never as digits",
              dumps[1][1]["pin.entered"]["label"] == "\u25cf\u25cf", dumps[1][1]["pin.entered"])

        wrong = "".join(f"tap @pin.{d}\n" for d in "1234") + "tap @pin.ok\nwait 1500\ndump\n"
        rc, screens, dumps, _ = run(kiosk, conf, corner + wrong * 3 + "quit\n")
        check("a wrong PIN says so", "stimmt nicht" in dumps[0][1]["pin.message"]["label"],
              dumps[0][1].get("pin.message"))
        locked = dumps[2][1]
        check("the third wrong PIN locks the pad for 5 minutes",
              "gesperrt" in locked["pin.message"]["label"] and "5 Min" in
              locked["pin.message"]["label"], locked.get("pin.message"))
        check("a locked pad's keys are disabled",
              not any(n["enabled"] for k, n in locked.items() if k.startswith("pin.") and
                      k[4:] in list("0123456789") + ["ok"]))
        db = os.path.join(tmp, "var", "kiosk.sqlite3")
        con = sqlite3.connect(db)
        until = int(con.execute("SELECT value FROM meta WHERE key = 'admin_locked_until'")
                    .fetchone()[0])
        con.close()
        check("the lock is kept in the database", until > 0, until)

        right = "".join(f"tap @pin.{d}\n" for d in "4711") + "tap @pin.ok\nwait 1500\n"
        rc, screens, dumps, _ = run(kiosk, conf, corner + right + "dump\nquit\n")
        check("after a restart the pad is still locked, even for the right PIN",
              "admin" not in screens and "gesperrt" in dumps[0][1]["pin.message"]["label"],
              (screens, dumps[0][1].get("pin.message")))
        rc, screens, dumps, _ = run(kiosk, conf, "advance 301\n" + corner + right +
                                    "dump\nadvance 110\ndump\nadvance 12\ndump\nquit\n")
        check("five minutes later the right PIN opens the admin area", "admin" in screens,
              screens)
        area = dumps[0][1]
        con = sqlite3.connect(db)
        kiosk_id = con.execute("SELECT value FROM meta WHERE key = 'kiosk_id'").fetchone()[0]
        con.close()
        check("the admin area names the kiosk", kiosk_id in area["admin.kiosk"]["label"],
              area.get("admin.kiosk"))
        check("and the responses as the database counts them",
              area["admin.responses"]["label"].startswith("Antworten: 0 gespeichert"),
              area.get("admin.responses"))
        check("and has import and close", "admin.import" in area and "admin.close" in area,
              sorted(area))
        check("it stays open for two minutes without a touch", dumps[1][0] == "admin",
              dumps[1][0])
        check("then it closes itself", dumps[2][0] == "home", dumps[2][0])

        # Leaving to the system: only after a second confirmation.
        rc, screens, dumps, _ = run(kiosk, conf, corner + right + "tap @admin.exit\ndump\n"
                                    "tap @admin.exit\ndump\ntap @admin.exit\n"
                                    "tap @admin.exit.confirm\ndump\nquit\n")
        check("admin.exit asks once more", "admin.exit.confirm" in dumps[0][1], sorted(dumps[0][1]))
        check("and can be taken back", "admin.exit.confirm" not in dumps[1][1], sorted(dumps[1][1]))
        check("confirmed, the kiosk ends with status 0 (the service leaves it ended)",
              rc == 0 and len(dumps) == 2, (rc, len(dumps)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
