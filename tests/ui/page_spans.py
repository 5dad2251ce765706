#!/usr/bin/env python3
"""A page with a thousand emphasised words shows all of them (issue 9): rich
text once stopped after 64 styled spans.  The paragraph is 1000 words, every
other one bold; the paragraph's widget must be as tall as all its lines, not
as the first 64 spans."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import ROOT, private_config  # noqa: E402


def paragraph(kiosk, conf):
    """The paragraph's widget as the dump gives it, scrolled to the end."""
    out = subprocess.run([kiosk, "--config", conf, "--headless", "--script", "-"],
                         input="tap @home.guide\ntap @guide.projekt\nkey End\ndump\nquit\n",
                         text=True, capture_output=True, timeout=120).stdout
    for line in out.splitlines():
        o = json.loads(line)
        if o.get("id") == "page.block1":
            return o
    raise AssertionError("no paragraph on the page")


def main():
    kiosk = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="kiosk-spans-")
    try:
        seed = os.path.join(tmp, "seed")
        shutil.copytree(os.path.join(ROOT, "assets", "content"), seed)
        words = " ".join(f"**Wort{i}**" if i % 2 else f"wort{i}" for i in range(1000))
        with open(os.path.join(seed, "pages", "projekt.de.md"), "w") as f:
            f.write("# Viele Wörter\n\n" + words + "\n")
        conf = private_config(tmp)
        text = open(conf).read()
        open(conf, "w").write(re.sub(r"(?m)^seed_dir = .*$", f"seed_dir = {seed}", text))
        b = paragraph(kiosk, conf)
        assert "wort998" in b["label"] and "Wort999" in b["label"], "the words end early"
        # 1000 words are some forty lines: even scrolled to the end, the
        # paragraph is taller than the screen.  64 spans were three lines.
        assert b.get("clipped"), f"the paragraph is only {b['h']} px tall: not every span was laid out"
        print(f"ok: the paragraph of 1000 words, 500 of them bold, runs past the screen ({b['h']} px shown)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
