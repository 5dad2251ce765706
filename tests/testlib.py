"""Helpers shared by the Python test drivers (crash, soak, ui, cli, sync)."""
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def private_config(tmp):
    """A copy of the shipped kiosk.conf whose data lives in tmp; its path."""
    text = open(os.path.join(ROOT, "kiosk.conf"), encoding="utf-8").read()
    text = re.sub(r"(?m)^data_dir = .*$", f"data_dir = {tmp}/var", text)
    text = re.sub(r"(?m)^seed_dir = .*$", f"seed_dir = {ROOT}/assets/content", text)
    text = re.sub(r"(?m)^media_dir = .*$", f"media_dir = {ROOT}/media", text)
    conf = os.path.join(tmp, "kiosk.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(text)
    return conf


# A resident's survey for the demo content, as a script (one response);
# format with a (1-5, helped) and b (1-5, easy).
SURVEY = """tap @home.survey
tap @survey.helped.{a}
tap @survey.next
tap @survey.topic.projekt
tap @survey.next
tap @survey.internet.yes
tap @survey.next
tap @survey.easy.{b}
tap @survey.next
tap @survey.more.no
tap @survey.next
tap @survey.submit
"""

_failed = []


def check(what, ok, detail=""):
    """One checked statement: "ok: ..." or "FAIL: ..." with the detail."""
    print(("ok: " if ok else "FAIL: ") + what + ("" if ok else f"\n  {detail}"), flush=True)
    if not ok:
        _failed.append(what)
    return ok


def failures():
    return len(_failed)


def finish():
    """Ends the test: exit 1 when any check failed."""
    print(f"{len(_failed)} failed" if _failed else "all passed")
    sys.exit(1 if _failed else 0)
