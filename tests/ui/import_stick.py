#!/usr/bin/env python3
"""A member of staff brings a bundle on a USB stick (issue 11, item 4).

The kiosk runs headless with [bundle] usb_roots pointing at a temporary
folder; a new folder there is a stick that arrived.  Checked as staff and
residents meet it:
  - a stick that comes while a resident reads a page waits until home;
  - the import screen shows what changes (version, signer, topics changed
    and removed), then installs with a progress bar, then says the stick
    may go; pulling it then returns home, which shows the new content;
  - the same bundle again is refused as not newer, and nothing changes;
  - an untrusted bundle and one changed after signing get a message for
    staff, and nothing changes (the database's version, the files by hash);
  - a stick pulled out mid-copy stops the import: the old content stays,
    no staging is left, the screen says so; the screen answers throughout.
Usage: import_stick.py KIOSK KIOSKCTL [SHOT_DIR]"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import ROOT, private_config, check, finish  # noqa: E402



class Kiosk:
    """The kiosk under --script -, driven a line at a time."""

    def __init__(self, kiosk, conf, shots):
        self.proc = subprocess.Popen(
            [kiosk, "--config", conf, "--headless", "--script", "-", "--screenshot-dir", shots],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, bufsize=1, env=dict(os.environ, KIOSK_SILENT="1"))

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def dump(self):
        """The widgets on screen, by id, and the screen's name."""
        self.send("dump")
        nodes = {}
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("the kiosk ended")
            d = json.loads(line)
            if d.get("end") == "dump":
                return d["screen"], nodes
            if "id" in d:
                nodes[d["id"]] = d

    def until(self, what, cond, timeout=60):
        """Waits (the kiosk running) until cond(screen, nodes) holds."""
        end = time.monotonic() + timeout
        while True:
            screen, nodes = self.dump()
            if cond(screen, nodes):
                return screen, nodes
            if time.monotonic() > end:
                check(what, False, f"screen {screen}: {sorted(nodes)[:30]}")
                raise SystemExit(1)
            self.send("wait 100")

    def tap(self, wid):
        self.send(f"tap @{wid}")

    def quit(self):
        self.send("quit")
        return self.proc.wait(timeout=60)


def labels(nodes):
    return " | ".join(n["label"] for n in nodes.values())


def tree_hash(folder):
    h = hashlib.sha256()
    for dirpath, dirs, files in sorted(os.walk(folder)):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(dirpath, f)
            h.update(os.path.relpath(p, folder).encode())
            h.update(open(p, "rb").read())
    return h.hexdigest()


def in_use(ctl, conf):
    r = subprocess.run([ctl, "--config", conf, "status"], capture_output=True, text=True)
    m = re.search(r"(?m)^content_version\s+(\d+)$", r.stdout)
    return int(m.group(1)) if m else None


def put_on_stick(usb, name, bundle):
    """A stick arrives: a folder with the bundle, written under another
    name first (as a mount shows a complete file)."""
    stick = os.path.join(usb, name)
    os.makedirs(stick)
    shutil.copy(bundle, os.path.join(stick, ".copying"))
    os.rename(os.path.join(stick, ".copying"), os.path.join(stick, "inhalt.kiosk"))
    return stick


def main():
    kiosk, ctl = sys.argv[1], sys.argv[2]
    keep_shots = sys.argv[3] if len(sys.argv) > 3 else None
    tmp = tempfile.mkdtemp(prefix="kiosk-import-")
    try:
        conf = private_config(tmp)
        usb = os.path.join(tmp, "usb")
        os.makedirs(usb)
        os.makedirs(os.path.join(tmp, "keys"))
        text = open(conf).read()
        text = re.sub(r"(?m)^trusted_keys = .*$", f"trusted_keys = {tmp}/keys", text)
        text = re.sub(r"(?m)^usb_roots = .*$", f"usb_roots = {usb}", text)
        open(conf, "w").write(text)
        shots = os.path.join(tmp, "shots")
        os.makedirs(shots)

        def ctl_run(*args):
            return subprocess.run([ctl, "--config", conf] + list(args), capture_output=True,
                                  text=True, timeout=300)

        ctl_run("bundle", "keygen", f"{tmp}/staff")
        ctl_run("bundle", "keygen", f"{tmp}/stranger")
        shutil.copy(f"{tmp}/staff.pub", f"{tmp}/keys/staff.pub")

        # A source that removes the first topic and renames the second.
        src = os.path.join(tmp, "src")
        shutil.copytree(os.path.join(ROOT, "assets", "content"), src)
        idx = json.load(open(os.path.join(src, "content.json")))
        removed = idx["topics"][0]
        idx["topics"] = idx["topics"][1:]
        idx["topics"][0]["title"]["de"] = "Ein neuer Titel"
        json.dump(idx, open(os.path.join(src, "content.json"), "w"), ensure_ascii=False)
        v200 = os.path.join(tmp, "v200.kiosk")
        r = ctl_run("bundle", "create", "--key", f"{tmp}/staff.key", "--src", src, "--media",
                    os.path.join(ROOT, "media"), "--version", "200", "--out", v200)
        check("a bundle made for the test", r.returncode == 0, r.stdout + r.stderr)
        stranger = os.path.join(tmp, "stranger.kiosk")
        ctl_run("bundle", "create", "--key", f"{tmp}/stranger.key", "--src", src, "--media",
                os.path.join(ROOT, "media"), "--version", "300", "--out", stranger)
        # One changed after signing: a byte of a film flipped (the preview,
        # which reads no film, cannot see it; the install must).
        tampered = os.path.join(tmp, "tampered.kiosk")
        ctl_run("bundle", "create", "--key", f"{tmp}/staff.key", "--src", src, "--media",
                os.path.join(ROOT, "media"), "--version", "400", "--out", tampered)
        with tarfile.open(tampered) as t:
            film = next(m for m in t.getmembers() if m.name == "media/projekt.mp4")
        with open(tampered, "r+b") as f:
            f.seek(film.offset_data + film.size // 2)
            b = f.read(1)
            f.seek(-1, 1)
            f.write(bytes([b[0] ^ 0xFF]))

        k = Kiosk(kiosk, conf, shots)
        k.until("the kiosk starts at home", lambda s, n: s == "home")
        v0 = in_use(ctl, conf)
        content_dir = os.path.join(tmp, "var", "content", str(v0))
        h0 = tree_hash(content_dir)

        # A resident reads a page: the stick waits.
        k.tap("home.guide")
        k.tap("guide." + idx["topics"][1]["id"])
        k.until("a page is open", lambda s, n: s == "page")
        stick = put_on_stick(usb, "STICK", v200)
        time.sleep(1.5)
        screen, _ = k.until("…", lambda s, n: True)
        check("a stick never opens over a resident's page", screen == "page", screen)
        k.tap("nav.home")
        screen, nodes = k.until("back home, the import screen opens with what changes",
                                lambda s, n: s == "import" and "import.install" in n)
        k.send("shot import-ready")
        text = labels(nodes)
        check("it names version 200, the version in use and the signer",
              "200" in nodes["import.summary"]["label"] and str(v0) in
              nodes["import.summary"]["label"] and "staff" in nodes["import.summary"]["label"],
              nodes["import.summary"]["label"])
        check("it lists the removed topic", f"Entfällt: {removed['title']['de']}" in text, text)
        check("it lists the changed topic", "Geändert: Ein neuer Titel" in text, text)
        check("nothing installed before staff say so", in_use(ctl, conf) == v0)

        k.tap("import.install")
        screen, nodes = k.until("installed; the stick may go",
                                lambda s, n: "import.done.text" in n, timeout=120)
        k.send("shot import-done")
        check("the done screen says version 200 and that the stick may go",
              "200" in nodes["import.done.text"]["label"] and "abziehen" in
              nodes["import.done.text"]["label"], nodes["import.done.text"]["label"])
        check("the database names version 200", in_use(ctl, conf) == 200, in_use(ctl, conf))
        shutil.rmtree(stick)
        screen, nodes = k.until("pulling the stick goes home", lambda s, n: s == "home")
        k.tap("home.guide")
        screen, nodes = k.until("the guide", lambda s, n: s == "guide")
        check("home shows the new content: the topic is gone, the new title there",
              f"guide.{removed['id']}" not in nodes and "Ein neuer Titel" in labels(nodes),
              labels(nodes))
        k.tap("nav.home")
        k.until("home again", lambda s, n: s == "home")
        v1_dir = os.path.join(tmp, "var", "content", "200")
        h1 = tree_hash(v1_dir)

        def refused(name, bundle, expect, heading):
            stick = put_on_stick(usb, name, bundle)
            screen, nodes = k.until(f"{name}: a message for staff",
                                    lambda s, n: s == "import" and "import.done" in n,
                                    timeout=120)
            if "import.install" in nodes:
                check(f"{name}: no install button", False, labels(nodes))
            k.send(f"shot import-{name}")
            text = labels(nodes)
            check(f"{name}: {heading}", expect in text, text)
            check(f"{name}: it says nothing changed",
                  "Es wurde nichts verändert" in text, text)
            check(f"{name}: the version in use stays 200", in_use(ctl, conf) == 200)
            check(f"{name}: the content in use is unchanged by hash", tree_hash(v1_dir) == h1)
            k.tap("import.done")
            k.until(f"{name}: back home", lambda s, n: s == "home")
            shutil.rmtree(stick)

        refused("again", v200, "nicht neuer", "the same bundle again is refused as not newer")
        refused("stranger", stranger, "nicht mit einem Schlüssel signiert",
                "an untrusted signer is named as such")
        # The tampered one passes the preview (films are not read there).
        stick = put_on_stick(usb, "TAMPERED", tampered)
        k.until("tampered: the preview", lambda s, n: "import.install" in n)
        k.tap("import.install")
        screen, nodes = k.until("tampered: refused while copying",
                                lambda s, n: "import.what" in n, timeout=120)
        k.send("shot import-tampered")
        text = labels(nodes)
        check("tampered: it says the bundle was changed", "nach dem Signieren verändert" in text,
              text)
        check("tampered: it names the film", "projekt.mp4" in text, text)
        check("tampered: version 200 stays", in_use(ctl, conf) == 200)
        check("tampered: the content in use is unchanged by hash", tree_hash(v1_dir) == h1)
        k.tap("import.done")
        k.until("tampered: back home", lambda s, n: s == "home")
        shutil.rmtree(stick)

        # A big bundle, pulled out mid-copy.
        media = os.path.join(tmp, "media")
        shutil.copytree(os.path.join(ROOT, "media"), media)
        with open(os.path.join(media, "projekt.mp4"), "wb") as f:
            for _ in range(300):
                f.write(os.urandom(1 << 20))
        big = os.path.join(tmp, "big.kiosk")
        r = ctl_run("bundle", "create", "--key", f"{tmp}/staff.key", "--src", src, "--media",
                    media, "--version", "500", "--out", big)
        check("a bundle of 300 MB", r.returncode == 0, r.stderr)
        stick = put_on_stick(usb, "BIG", big)
        k.until("big: the preview", lambda s, n: "import.install" in n, timeout=120)
        k.tap("import.install")
        # Pulled at once: the copy of 300 MB takes well under a second here.
        shutil.rmtree(stick)
        t0 = time.monotonic()
        slowest = 0.0
        while True:
            t = time.monotonic()
            screen, nodes = k.dump()
            slowest = max(slowest, time.monotonic() - t)
            if "import.what" in nodes or screen != "import":
                break
            if time.monotonic() - t0 > 120:
                break
            k.send("wait 50")
        k.send("shot import-pulled")
        text = labels(nodes)
        check("pulled: the screen says the stick was pulled out", "abgezogen" in text, text)
        check("pulled: and that nothing changed", "Es wurde nichts verändert" in text, text)
        check("pulled: the screen answered throughout (slowest dump %.2f s)" % slowest,
              slowest < 2.0)
        check("pulled: version 200 stays", in_use(ctl, conf) == 200)
        check("pulled: the kiosk's log-free screen shows no secret path of keys",
              f"{tmp}/staff.key" not in text)
        check("pulled: the content in use is unchanged by hash", tree_hash(v1_dir) == h1)
        left = [e for e in os.listdir(os.path.join(tmp, "var", "content"))
                if "staging" in e or "preview" in e or e == "500"]
        check("pulled: no staging or half version is left", not left, left)
        k.tap("import.done")
        k.until("pulled: back home", lambda s, n: s == "home")

        # A bundle renamed straight into the root is a stick too (DESIGN.md
        # §9); "Start" on the offer dismisses it until it goes and comes back.
        v600 = os.path.join(tmp, "v600.kiosk")
        ctl_run("bundle", "create", "--key", f"{tmp}/staff.key", "--src", src, "--media",
                os.path.join(ROOT, "media"), "--version", "600", "--out", v600)
        in_root = os.path.join(usb, "neu.kiosk")
        shutil.copy(v600, in_root + ".part")
        os.rename(in_root + ".part", in_root)
        k.until("root: the offer", lambda s, n: "import.install" in n)
        k.tap("nav.home")
        k.until("root: Start dismisses the offer", lambda s, n: s == "home")
        time.sleep(1.0)
        screen, _ = k.until("…", lambda s, n: True)
        check("root: a dismissed stick is not offered again while it stays", screen == "home",
              screen)
        os.unlink(in_root)
        time.sleep(1.0)
        shutil.copy(v600, in_root + ".part")
        os.rename(in_root + ".part", in_root)
        k.until("root: offered again after it came back", lambda s, n: "import.install" in n)
        k.tap("import.install")
        k.until("root: installed", lambda s, n: "import.done.text" in n, timeout=120)
        check("root: the database names version 600", in_use(ctl, conf) == 600)
        os.unlink(in_root)
        k.until("root: home once the stick went", lambda s, n: s == "home")
        rc = k.quit()
        check("the kiosk ends cleanly", rc == 0, rc)
        check("the version before the last import is kept for a rollback",
              os.path.isdir(v1_dir) and tree_hash(v1_dir) == h1)
        if keep_shots:
            os.makedirs(keep_shots, exist_ok=True)
            for f in os.listdir(shots):
                shutil.copy(os.path.join(shots, f), keep_shots)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    finish()


if __name__ == "__main__":
    main()
