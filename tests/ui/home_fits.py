#!/usr/bin/env python3
"""Home in every language (issue 9): at 1920x1080, 1080x1920 and 1280x800, at
100 %, the home screen of every language fits one screen (the welcome, the
intro and the three tiles all fully visible, nothing to scroll) and its
parts stand in the same order as in German; right to left they are mirrored
(the guide tile at the right end of its row), never reordered."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import private_config  # noqa: E402

PARTS = ("home.welcome", "home.intro", "home.guide", "home.films", "home.survey")


def home(kiosk, conf, lang):
    out = subprocess.run([kiosk, "--config", conf, "--headless", "--script", "-"],
                         input=f"tap @lang.{lang}\ndump\nquit\n", text=True, capture_output=True,
                         timeout=60).stdout
    return {o["id"]: o for o in map(json.loads, out.splitlines()) if o.get("id") in PARTS}


def main():
    kiosk = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="kiosk-home-")
    problems = []
    try:
        for res in ("1920x1080", "1080x1920", "1280x800"):
            d = os.path.join(tmp, res)
            os.makedirs(d)
            conf = private_config(d)
            text = open(conf).read()
            open(conf, "w").write(re.sub(r"(?m)^resolution = .*$", f"resolution = {res}", text))
            german = None
            for lang in ("de", "de-x-ls", "en", "tr", "uk", "ar"):
                parts = home(kiosk, conf, lang)
                missing = [p for p in PARTS if p not in parts]
                clipped = [p for p, o in parts.items() if o.get("clipped")]
                if missing or clipped:
                    problems.append(f"{res} {lang}: not on one screen (missing {missing}, "
                                    f"cut {clipped})")
                    continue
                order = sorted(PARTS, key=lambda p: (parts[p]["y"], parts[p]["x"]))
                rows = [sorted(p for p in PARTS if parts[p]["y"] == parts[q]["y"]) for q in order]
                if german is None:
                    german = (rows, {p: parts[p]["x"] for p in PARTS})
                elif rows != german[0]:
                    problems.append(f"{res} {lang}: {order}, not German's order")
                if lang == "ar" and parts["home.guide"]["y"] == parts["home.films"]["y"]:
                    if not parts["home.guide"]["x"] > parts["home.films"]["x"] > parts["home.survey"]["x"]:
                        problems.append(f"{res} ar: the tiles are not mirrored")
                print(f"{res} {lang}: " + " < ".join(p[5:] for p in order))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
