#!/usr/bin/env python3
"""kioskctl report and the export filters as an admin uses them (issue 15,
item 4): the summary's numbers against the responses written into the
database, the small-cell rule in every breakdown, typed texts only on
request, --since/--until/--survey on report and export, the exit codes of
bad dates; then the page opened in headless Chromium: a screenshot (kept in
the build folder for a person to look at) and no console error.  Chromium
that cannot start here is skipped with a message, not failed.

usage: test_report.py KIOSKCTL KIOSK [SHOT_DIR]"""
import csv
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import ROOT, private_config, check, finish  # noqa: E402



DAY = 86400
NOV3 = 1793664000  # 2026-11-03T00:00:00Z, a Tuesday of ISO week 45


def rows(html):
    """data-row -> data-count of every breakdown row of the page."""
    return dict(re.findall(r'data-row="([^"]+)" data-count="([^"]+)"', html))


def fill(ctl, conf, db):
    """Writes the responses, as the schema has them: 7 in week 45 (de,
    helped 4, more yes), 4 in week 46 (en, helped 4, more no), 5 in week 47
    (ar, helped 5, more yes, each with a comment), and 6 of another survey
    (not kept) in week 47, 5 in German and 1 in Ukrainian."""
    rs, ans = [], []
    n = 0

    def add(lang, hour, answers, survey="kiosk-feedback"):
        nonlocal n
        n += 1
        rid = f"r{n:03d}"
        rs.append(f"('{rid}', 'kiosk-x', '{survey}', 1, {hour}, '{lang}')")
        for pos, (q, v) in enumerate(answers):
            ans.append(f"('{rid}', {pos}, '{q}', '{v}')")

    for i in range(7):
        add("de", NOV3 + 9 * 3600 + i * 3600, [("helped", "4"), ("more", "yes")])
    for i in range(4):
        add("en", NOV3 + 7 * DAY + 10 * 3600, [("helped", "4"), ("more", "no")])
    for i in range(5):
        add("ar", NOV3 + 14 * DAY + 11 * 3600,
            [("helped", "5"), ("more", "yes"), ("comment", f"Geheimer Kommentar {i}")])
    for i in range(6):
        add("uk" if i == 5 else "de", NOV3 + 14 * DAY + 12 * 3600, [("x", "1")], survey="andere")
    sql = ("BEGIN;\nINSERT INTO response (id, kiosk_id, survey_id, survey_version, hour, language)"
           " VALUES " + ",\n".join(rs) + ";\n"
           "INSERT INTO answer (response_id, position, question_id, value) VALUES "
           + ",\n".join(ans) + ";\nCOMMIT;\n")
    r = subprocess.run(["sqlite3", db], input=sql, capture_output=True, text=True)
    check("responses written with sqlite3", r.returncode == 0, r.stderr)


def chromium_check(report, shot_dir, tmp):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        print("skip: chromium is not installed (Debian's chromium package); the page was not "
              "opened in a browser")
        return
    os.makedirs(shot_dir, exist_ok=True)
    shot = os.path.join(shot_dir, "summary.png")
    if os.path.exists(shot):
        os.unlink(shot)
    base = [exe, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--disable-dev-shm-usage",
            "--disable-background-networking", "--hide-scrollbars", "--mute-audio",
            f"--user-data-dir={tmp}/chromium-profile", f"--crash-dumps-dir={tmp}/crashes",
            "--enable-logging=stderr", "--v=0"]
    url = "file://" + report
    env = dict(os.environ, HOME=tmp)
    try:
        r = subprocess.run(base + ["--window-size=1240,1754", f"--screenshot={shot}", url],
                           capture_output=True, text=True, timeout=90, env=env)
    except subprocess.TimeoutExpired:
        print("skip: chromium did not finish within 90 s here; the page was not opened")
        return
    if not os.path.exists(shot):
        print("skip: chromium cannot start here (exit %d): %s" %
              (r.returncode, r.stderr.strip().splitlines()[-1:] or ""))
        return
    size = os.path.getsize(shot)
    check(f"chromium took a screenshot of the page ({shot}, {size} bytes)", size > 20000)
    # A console message is logged as "CONSOLE(...)" or ":CONSOLE:"; a fetch the page's
    # Content-Security-Policy refused as "Refused to ...".
    console = [line for line in r.stderr.splitlines()
               if "CONSOLE" in line or "Refused to" in line or "Uncaught" in line]
    check("no console message and nothing refused while the page loads", not console,
          "\n  ".join(console))
    r = subprocess.run(base + ["--dump-dom", url], capture_output=True, text=True, timeout=90,
                       env=env)
    check("the page's DOM as chromium read it has the title and the charts",
          "Rückmeldungen am Kiosk" in r.stdout and 'data-row="helped.4" data-count="11"' in r.stdout,
          r.stdout[:300] + r.stderr[-500:])
    console = [line for line in r.stderr.splitlines()
               if "CONSOLE" in line or "Refused to" in line or "Uncaught" in line]
    check("no console message in the DOM run either", not console, "\n  ".join(console))


def main():
    ctl, kiosk = sys.argv[1], sys.argv[2]
    shot_dir = sys.argv[3] if len(sys.argv) > 3 else os.getcwd()
    tmp = tempfile.mkdtemp(prefix="kiosk-report-")
    try:
        conf = private_config(tmp)
        db = f"{tmp}/var/kiosk.sqlite3"

        def run(*args, stdin=None):
            r = subprocess.run([ctl, "--config", conf] + list(args), capture_output=True,
                               timeout=120)
            return r.returncode, r.stdout, r.stderr.decode("utf-8", "replace")

        # Usage errors first, database or not.
        out = f"{tmp}/out/report.html"
        for args, why in [
            ((), "--out is required"),
            (("--out",), "a value is missing"),
            (("--out", out, "--since", "2026-13-01"), "--since takes a day"),
            (("--out", out, "--since", "2026-02-30"), "--since takes a day"),
            (("--out", out, "--until", "yesterday"), "--until takes a day"),
            (("--out", out, "--since", "2026-11-20", "--until", "2026-11-10"), "after --until"),
            (("--out", out, "--color"), "unknown argument"),
        ]:
            rc, _, err = run("report", *args)
            check(f"report {' '.join(args)}: exit 2 and '{why}'", rc == 2 and why in err,
                  f"exit {rc}: {err}")
        for args, why in [
            (("--since", "2026-11-3"), "--since takes a day"),
            (("--until", "2026-11-31"), "--until takes a day"),
            (("--since", "2026-11-11", "--until", "2026-11-10"), "after --until"),
            (("--survey",), "a value is missing"),
        ]:
            rc, _, err = run("export", "--format", "csv", *args)
            check(f"export {' '.join(args)}: exit 2 and '{why}'", rc == 2 and why in err,
                  f"exit {rc}: {err}")
        rc, _, err = run("report", "--out", out)
        check("report before the first start: exit 1, no database yet",
              rc == 1 and "no database yet" in err, f"exit {rc}: {err}")

        r = subprocess.run([kiosk, "--config", conf, "--headless", "--script", "-"],
                           input=b"quit\n", capture_output=True, timeout=120)
        check("first start of the kiosk", r.returncode == 0, r.stderr[-400:])
        fill(ctl, conf, db)

        # Into a missing folder: exit 1, nothing made.
        rc, _, err = run("report", "--out", out)
        check("report into a missing folder: exit 1", rc == 1 and "report.html" in err, err)
        os.makedirs(f"{tmp}/out")
        rc, _, err = run("report", "--out", out)
        check("report --out", rc == 0 and err == "", f"exit {rc}: {err}")
        mode = stat.S_IMODE(os.stat(out).st_mode)
        check("the report is mode 0640", mode == 0o640, oct(mode))
        check("no temporary file left", os.listdir(f"{tmp}/out") == ["report.html"],
              os.listdir(f"{tmp}/out"))
        html = open(out, encoding="utf-8").read()
        got = rows(html)
        # A count below 5 is hidden, 5 is shown; where a single small count could be
        # worked out from the total, the smallest other one is hidden beside it
        # (more.yes, week 45).
        want = {
            "responses": "22", "survey.kiosk-feedback": "16",
            "helped.answered": "16", "helped.4": "11", "helped.5": "5",
            "helped.1": "hidden", "helped.2": "hidden", "helped.3": "hidden",
            "more.answered": "16", "more.yes": "hidden", "more.no": "hidden",
            "comment.text": "5",
            "lang.de": "12", "lang.en": "hidden", "lang.ar": "5", "lang.uk": "hidden",
            "week.2026-W45": "hidden", "week.2026-W46": "hidden", "week.2026-W47": "11",
            "version.kiosk-feedback.1": "16", "version.andere.1": "6",
        }
        bad = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
        check("the report's counts are those written (4 shows as hidden, 5 as 5)", not bad, bad)
        check("no hidden count appears as a number next to its label",
              not re.search(r'data-count="hidden"[^\n]*class="value">\d', html))
        check("the guard is labelled 'verborgen', a small count 'weniger als 5'",
              re.search(r'data-row="more.yes" data-count="hidden" class="guard">.*verborgen', html)
              and re.search(r'data-row="more.no" data-count="hidden" class="small-count">'
                            r'.*weniger als 5', html))
        # (11*4 + 5*5) / 16 = 4.3125; the hidden bars hold nothing.
        check("the mean of helped", 'data-mean="4.31"' in html and "<strong>4,3</strong>" in html,
              re.findall(r'<p class="mean".*', html))
        check("the German question and option texts of the kept definition",
              "Hat Ihnen der Ratgeber geholfen?" in html and "5 · Sehr gut" in html
              and "Wünschen Sie sich mehr solche Angebote" in html)
        check("typed texts are not in the report", "Geheimer Kommentar" not in html)
        check("nothing to fetch, no script",
              not re.search(r"<script|https?://|src=|<link", html, re.I))
        check("the kiosk and the time span in the header",
              "kiosk-x" in html and "03.11.2026 bis 17.11.2026" in html)

        rc, _, err = run("report", "--out", out, "--text")
        html = open(out, encoding="utf-8").read()
        check("report --text lists the 5 typed texts",
              rc == 0 and all(f"Geheimer Kommentar {i}" in html for i in range(5)), err)

        # Filters: one day (week 46 alone), since, survey.
        rc, _, err = run("report", "--out", out, "--since", "2026-11-10", "--until", "2026-11-10",
                         "--text")
        html = open(out, encoding="utf-8").read()
        got = rows(html)
        check("report of one day: 4 responses, shown as hidden; the mean hidden",
              rc == 0 and got.get("responses") == "hidden" and got.get("helped.2") == "hidden"
              and 'data-mean="hidden"' in html and "week.2026-W45" not in got
              and "ausgewählt: ab 10.11.2026 bis 10.11.2026" in html, (rc, err, got))
        rc, _, err = run("report", "--out", out, "--since", "2026-11-17", "--survey",
                         "kiosk-feedback")
        html = open(out, encoding="utf-8").read()
        got = rows(html)
        check("report --since --survey: 5 responses of kiosk-feedback, none of the other",
              rc == 0 and got.get("responses") == "5" and got.get("helped.5") == "5"
              and "version.andere.1" not in got and got.get("lang.ar") == "5", (rc, err, got))
        rc, _, err = run("report", "--out", out, "--survey", "nope")
        html = open(out, encoding="utf-8").read()
        check("report of a survey with no responses says so",
              rc == 0 and "keine Antworten" in html, err)

        # Export filters; without a filter the bytes are those of before.
        rc, full, _ = run("export", "--format", "csv")
        rc2, same, _ = run("export", "--format", "csv", "--since", "1970-01-01", "--until",
                           "2099-12-31")
        check("export with filters that keep everything: the same bytes",
              rc == 0 and rc2 == 0 and full == same)
        rc, text, err = run("export", "--format", "json", "--until", "2026-11-03")
        lines = [json.loads(x) for x in text.decode().splitlines()]
        check("export json --until 2026-11-03: the 7 responses of that day (until includes it)",
              rc == 0 and len(lines) == 7 and all(o["language"] == "de" for o in lines),
              (rc, err, len(lines)))
        rc, text, err = run("export", "--format", "csv", "--since", "2026-11-17",
                            "--survey=kiosk-feedback")
        table = list(csv.reader(io.StringIO(text.decode(), newline="")))
        ids = {r[0] for r in table[1:]}
        check("export csv --since --survey: 5 responses, 3 rows each",
              rc == 0 and len(ids) == 5 and len(table) == 1 + 15
              and all(r[2] == "kiosk-feedback" and r[5] == "ar" for r in table[1:]),
              (rc, err, table[:3]))
        rc, text, err = run("export", "--format", "csv-wide", "--survey", "andere")
        table = list(csv.reader(io.StringIO(text.decode(), newline="")))
        check("export csv-wide --survey andere: 6 rows, no kiosk-feedback columns",
              rc == 0 and len(table) == 7 and "helped" not in table[0], (rc, err, table))

        if os.environ.get("KIOSK_SKIP_CHROMIUM"):
            print("skip: KIOSK_SKIP_CHROMIUM is set")
        else:
            rc, _, err = run("report", "--out", out)
            chromium_check(out, shot_dir, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
