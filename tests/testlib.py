"""Helpers shared by the Python test drivers (crash, soak, stdin)."""
import os
import re

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
