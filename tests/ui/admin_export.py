#!/usr/bin/env python3
"""Export to a USB stick from the admin area (issue 15, item 3), as an admin
does it: no stick says so; one stick gets kiosk-export-KIOSKID-YYYYMMDD-HHMM/
with the three formats, equal to what kioskctl exports; two sticks are
offered to choose from; a stick pulled out mid-export gets a clear message
and leaves nothing that looks complete, and the retry works.
A temporary folder stands in for [bundle] usb_roots (a folder in it is a stick).
Usage: admin_export.py KIOSK KIOSKCTL"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
import testlib  # noqa: E402
from testlib import private_config, check, finish  # noqa: E402
from import_stick import Kiosk  # noqa: E402



# A response, then past the thanks screen (it goes home after 8 s).
SURVEY = testlib.SURVEY + "advance 10\n"


def multiply(db, times):
    """Copies every response times over with new random ids (a big export)."""
    con = sqlite3.connect(db)
    rows = con.execute("SELECT id, kiosk_id, survey_id, survey_version, hour, language "
                       "FROM response").fetchall()
    answers = {r[0]: con.execute("SELECT position, value, question_id FROM answer WHERE "
                                 "response_id = ?", (r[0],)).fetchall() for r in rows}
    with con:
        for _ in range(times):
            for r in rows:
                rid = uuid.uuid4().hex
                con.execute("INSERT INTO response VALUES (?, ?, ?, ?, ?, ?)", (rid,) + r[1:])
                con.executemany("INSERT INTO answer (response_id, position, value, question_id)"
                                " VALUES (?, ?, ?, ?)", [(rid,) + a for a in answers[r[0]]])
                con.execute("INSERT INTO outbox (response_id) VALUES (?)", (rid,))
    con.close()


def main():
    kiosk, ctl = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="kiosk-export-")
    try:
        conf = private_config(tmp)
        usb = os.path.join(tmp, "usb")
        os.makedirs(usb)
        pin = subprocess.run([ctl, "--config", conf, "admin", "hash-pin"], input="2468\n",
                             capture_output=True, text=True).stdout.strip()
        text = open(conf).read()
        text = re.sub(r"(?m)^pin_hash =.*$", pin.replace("\\", "\\\\"), text)
        text = re.sub(r"(?m)^usb_roots =.*$", f"usb_roots = {usb}", text)
        open(conf, "w").write(text)
        script = "".join(SURVEY.format(a=a, b=b) for a, b in ((1, 2), (4, 5), (5, 3)))
        subprocess.run([kiosk, "--config", conf, "--headless", "--script", "-"],
                       input=script + "quit\n", text=True, capture_output=True, check=True,
                       timeout=120)

        k = Kiosk(kiosk, conf, os.path.join(tmp, "shots"))
        k.until("home", lambda s, n: s == "home")
        k.send("hold 20 20 3200")
        for d in "2468":
            k.tap(f"pin.{d}")
        k.tap("pin.ok")
        k.until("the admin area", lambda s, n: s == "admin", timeout=30)
        k.tap("admin.export")
        _, nodes = k.until("no stick: said so", lambda s, n: "admin.note" in n)
        check("without a stick the admin area says so",
              "Kein USB-Stick" in nodes["admin.note"]["label"], nodes["admin.note"])

        stick = os.path.join(usb, "STICK")
        os.makedirs(stick)
        k.tap("admin.export")
        _, nodes = k.until("one stick: exported", lambda s, n: "admin.note" in n and
                           "abziehen" in n["admin.note"]["label"], timeout=60)
        made = [e for e in os.listdir(stick)]
        check("one folder on the stick, named kiosk-export-KIOSKID-YYYYMMDD-HHMM",
              len(made) == 1 and re.fullmatch(r"kiosk-export-kiosk-[0-9a-f]+-\d{8}-\d{4}",
                                              made[0]) is not None, made)
        check("the message names the folder", made and made[0] in nodes["admin.note"]["label"],
              nodes["admin.note"])
        folder = os.path.join(stick, made[0])
        check("it holds the three formats and summary.html",
              sorted(os.listdir(folder)) == ["feedback-wide.csv", "feedback.csv",
                                             "feedback.ndjson", "summary.html"],
              os.listdir(folder))
        for name, fmt in (("feedback.ndjson", "json"), ("feedback.csv", "csv"),
                          ("feedback-wide.csv", "csv-wide")):
            args = ["export", "--format", fmt] + (["--bom"] if fmt != "json" else [])
            want = subprocess.run([ctl, "--config", conf] + args, capture_output=True).stdout
            got = open(os.path.join(folder, name), "rb").read()
            check(f"{name} is what kioskctl export --format {fmt} writes", got == want and
                  len(want) > 100, (len(got), len(want)))
        lines = open(os.path.join(folder, "feedback.ndjson")).read().splitlines()
        con = sqlite3.connect(os.path.join(tmp, "var", "kiosk.sqlite3"))
        ids = {r[0] for r in con.execute("SELECT id FROM response")}
        con.close()
        check("every response of the database, once",
              sorted(json.loads(l)["response_id"] for l in lines) == sorted(ids), len(lines))
        page = open(os.path.join(folder, "summary.html"), encoding="utf-8").read()
        shown = str(len(ids)) if len(ids) >= 5 else "hidden"
        check("summary.html counts the database's responses (min_cell 5)",
              f'data-row="responses" data-count="{shown}"' in page and "<script" not in page,
              (len(ids), page[:200]))

        # Two sticks: the admin chooses.
        other = os.path.join(usb, "ZWEI")
        os.makedirs(other)
        k.tap("admin.export")
        _, nodes = k.until("two sticks: a choice", lambda s, n: "admin.stick.1" in n)
        check("two sticks are offered by name",
              {nodes["admin.stick.0"]["label"], nodes["admin.stick.1"]["label"]} ==
              {"STICK", "ZWEI"}, nodes)
        choice = "admin.stick.1" if nodes["admin.stick.1"]["label"] == "ZWEI" else "admin.stick.0"
        k.tap(choice)
        k.until("the chosen stick: exported", lambda s, n: "admin.note" in n and
                "abziehen" in n["admin.note"]["label"], timeout=60)
        check("the export went to the stick chosen", len(os.listdir(other)) == 1 and
              len(os.listdir(stick)) == 1, (os.listdir(other), os.listdir(stick)))
        shutil.rmtree(other)

        # A stick pulled out mid-export: a big export, the stick gone while it writes.
        k.tap("admin.close")
        k.until("home", lambda s, n: s == "home")
        rc = k.quit()
        multiply(os.path.join(tmp, "var", "kiosk.sqlite3"), 30000)
        shutil.rmtree(stick)
        os.makedirs(stick)
        k = Kiosk(kiosk, conf, os.path.join(tmp, "shots"))
        k.until("home", lambda s, n: s == "home")
        k.send("hold 20 20 3200")
        for d in "2468":
            k.tap(f"pin.{d}")
        k.tap("pin.ok")
        k.until("the admin area again", lambda s, n: s == "admin", timeout=30)
        k.tap("admin.export")
        k.until("writing", lambda s, n: "admin.note" in n and
                "Datei" in n["admin.note"]["label"], timeout=120)
        shutil.rmtree(stick)
        _, nodes = k.until("pulled: said so", lambda s, n: "admin.note" in n and
                           "abgezogen" in n["admin.note"]["label"], timeout=120)
        check("a stick pulled out mid-export: a clear message", True)
        os.makedirs(stick)
        check("nothing on the stick that looks complete", os.listdir(stick) == [],
              os.listdir(stick))
        k.tap("admin.export")
        k.until("the retry works", lambda s, n: "admin.note" in n and
                "abziehen" in n["admin.note"]["label"], timeout=180)
        made = os.listdir(stick)
        check("the retry leaves one complete folder and no partial one",
              len(made) == 1 and not made[0].startswith("."), made)
        k.tap("admin.close")
        k.until("home", lambda s, n: s == "home")
        check("the kiosk ends cleanly", k.quit() == 0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
