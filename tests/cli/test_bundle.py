#!/usr/bin/env python3
"""kioskctl bundle keygen | create | verify as staff and IT use them, and
every way a bundle can be broken or forged (issue 11: the format, the
signature, and kioskctl bundle import): each tampered bundle is made here with
Python's tarfile and must be refused with exit 3 and a message naming the
rule.  The secret key never appears in any output."""
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
fails = 0


def check(what, ok, detail=""):
    global fails
    print(("ok: " if ok else "FAIL: ") + what + ("" if ok else f"\n  {detail}"))
    if not ok:
        fails += 1


def main():
    ctl = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="kiosk-bundle-")
    try:
        os.makedirs(f"{tmp}/keys")
        conf = f"{tmp}/kiosk.conf"
        text = open(f"{ROOT}/kiosk.conf").read()
        text = re.sub(r"(?m)^trusted_keys = .*$", f"trusted_keys = {tmp}/keys", text)
        text = re.sub(r"(?m)^data_dir = .*$", f"data_dir = {tmp}/var", text)
        open(conf, "w").write(text)

        def run(*args):
            r = subprocess.run([ctl, "--config", conf] + list(args), capture_output=True, text=True,
                               timeout=120)
            return r.returncode, r.stdout + r.stderr

        # keys
        rc, out = run("bundle", "keygen", f"{tmp}/staff")
        check("keygen", rc == 0, out)
        mode = stat.S_IMODE(os.stat(f"{tmp}/staff.key").st_mode)
        check("the secret key is mode 0600", mode == 0o600, oct(mode))
        secret = open(f"{tmp}/staff.key").read().strip()
        check("the secret key is never printed", secret not in out)
        rc, out = run("bundle", "keygen", f"{tmp}/staff")
        check("keygen never overwrites a key", rc != 0 and "never overwritten" in out, out)
        check("the key is the same after that", open(f"{tmp}/staff.key").read().strip() == secret)
        run("bundle", "keygen", f"{tmp}/stranger")
        shutil.copy(f"{tmp}/staff.pub", f"{tmp}/keys/staff.pub")

        # a good bundle
        good = f"{tmp}/good.kiosk"
        rc, out = run("bundle", "create", "--key", f"{tmp}/staff.key", "--src",
                      f"{ROOT}/assets/content", "--media", f"{ROOT}/media", "--version", "100",
                      "--out", good)
        check("create from the demo content", rc == 0 and os.path.exists(good), out)
        check("create prints no secret", secret not in out)
        rc, out = run("bundle", "verify", good)
        check("verify a good bundle", rc == 0 and "version: 100" in out and "signer: staff" in out,
              out)
        with tarfile.open(good) as t:
            names = t.getnames()
            manifest = t.extractfile("manifest.json").read()
            sig = t.extractfile("manifest.sig").read()
            members = {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}
        check("manifest.json and manifest.sig come first", names[:2] == ["manifest.json", "manifest.sig"],
              names[:3])
        m = json.loads(manifest)
        check("the manifest names every file with size and sha256",
              len(m["files"]) == len(names) - 2 and all("sha256" in f and "size" in f for f in m["files"]))
        check("the films, stills and subtitles travel under media/",
              "media/projekt.mp4" in names and "media/projekt.jpg" in names and "media/projekt.de.srt" in names)

        # a source a kiosk would refuse is never signed
        src = f"{tmp}/src"
        shutil.copytree(f"{ROOT}/assets/content", src)
        with open(f"{src}/content.json", "a") as f:
            f.write("}")
        rc, out = run("bundle", "create", "--key", f"{tmp}/staff.key", "--src", src, "--media",
                      f"{ROOT}/media", "--out", f"{tmp}/bad.kiosk")
        check("create refuses broken content.json (exit 3, file and line)",
              rc == 3 and re.search(r"content\.json:\d+:\d+", out) and not os.path.exists(f"{tmp}/bad.kiosk"), out)
        shutil.rmtree(src)
        shutil.copytree(f"{ROOT}/assets/content", src)
        media = f"{tmp}/media"
        shutil.copytree(f"{ROOT}/media", media)
        os.unlink(f"{media}/prozesse.mp4")
        rc, out = run("bundle", "create", "--key", f"{tmp}/staff.key", "--src", src, "--media", media,
                      "--out", f"{tmp}/bad.kiosk")
        check("create refuses a missing film", rc == 3 and "prozesse.mp4: named by content.json, but missing" in out, out)
        os.unlink(f"{src}/pages/projekt.de.md")
        rc, out = run("bundle", "create", "--key", f"{tmp}/staff.key", "--src", src, "--media",
                      f"{ROOT}/media", "--out", f"{tmp}/bad.kiosk")
        check("create refuses a missing German page", rc == 3 and "projekt" in out, out)

        # tampered and forged bundles
        def repack(name, entries, fmt=tarfile.PAX_FORMAT, mode="w"):
            path = f"{tmp}/{name}.kiosk"
            with tarfile.open(path, mode, format=fmt) as t:
                for e in entries:
                    if isinstance(e, tarfile.TarInfo):
                        t.addfile(e)
                        continue
                    n, data = e
                    info = tarfile.TarInfo(n)
                    info.size = len(data)
                    t.addfile(info, io.BytesIO(data))
            return path

        base = [("manifest.json", manifest), ("manifest.sig", sig)] + \
            [(n, members[n]) for n in names[2:]]

        def refused(name, entries, rule, **kw):
            rc, out = run("bundle", "verify", repack(name, entries, **kw))
            check(f"refused: {name} ({rule})", rc == 3 and re.search(rule, out), f"exit {rc}: {out}")

        flipped = bytearray(members["content/content.json"])
        flipped[10] ^= 1
        refused("changed-file", [e if e[0] != "content/content.json" else (e[0], bytes(flipped)) for e in base],
                "SHA-256 is not the manifest's")
        m2 = dict(m, version=101)
        refused("changed-manifest", [("manifest.json", json.dumps(m2).encode()), ("manifest.sig", sig)] + base[2:],
                "does not sign")
        refused("extra-member", base + [("content/extra.md", b"# x\n")], "not named in the manifest")
        refused("missing-member", [e for e in base if e[0] != "media/projekt.jpg"],
                "named in the manifest but missing")
        refused("twice", base + [base[3]], "twice")
        refused("dot-dot", base[:2] + [("content/../../etc/x", b"x")] + base[2:], "not a path inside")
        refused("absolute", base[:2] + [("/etc/x", b"x")] + base[2:], "not a path inside")
        link = tarfile.TarInfo("content/link")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        refused("symlink", base[:2] + [link] + base[2:], "not a regular file|not named")
        refused("sig-first", [base[1], base[0]] + base[2:], "first member must be manifest.json")
        refused("big-manifest", [("manifest.json", b" " * (2 * 1024 * 1024)), ("manifest.sig", sig)],
                "larger than")
        longer = [e if e[0] != "content/survey.json" else (e[0], e[1] + b" ") for e in base]
        refused("member-longer", longer, "longer than the manifest says|SHA-256")
        refused("gzip", base, "first member|not a|Unrecognized|format", mode="w:gz")
        # signed by a key the kiosk does not trust
        rc, out = run("bundle", "create", "--key", f"{tmp}/stranger.key", "--src",
                      f"{ROOT}/assets/content", "--media", f"{ROOT}/media", "--out", f"{tmp}/stranger.kiosk")
        rc, out = run("bundle", "verify", f"{tmp}/stranger.kiosk")
        check("refused: an unknown signer", rc == 3 and "not among the trusted keys" in out, out)
        # cut short
        data = open(good, "rb").read()
        open(f"{tmp}/cut.kiosk", "wb").write(data[: len(data) // 2])
        rc, out = run("bundle", "verify", f"{tmp}/cut.kiosk")
        check("refused: a bundle cut short", rc == 3, out)
        rc, out = run("bundle", "verify", f"{tmp}/nothing.kiosk")
        check("a missing file is a runtime error with its name", rc == 1 and "nothing.kiosk" in out, out)

        # ---- import: verified, staged, one switch; refused without a trace ----
        kiosk = sys.argv[2]
        text = open(conf).read()
        text = re.sub(r"(?m)^seed_dir = .*$", f"seed_dir = {ROOT}/assets/content", text)
        text = re.sub(r"(?m)^media_dir = .*$", f"media_dir = {ROOT}/media", text)
        open(conf, "w").write(text)
        subprocess.run([kiosk, "--config", conf, "--headless", "--script", "-"], input="quit\n",
                       text=True, capture_output=True, timeout=120, check=True)

        def in_use():
            rc, out = run("status", "--json")
            return json.loads(out[out.index("{"):out.rindex("}") + 1])["content_version"]

        def leftovers():
            return [n for n in os.listdir(f"{tmp}/var/content") if "staging" in n]

        demo_version = in_use()
        rc, out = run("bundle", "import", good)
        check("import a good bundle", rc == 0 and in_use() == 100, out)
        import hashlib
        digest = lambda p: hashlib.sha256(open(p, "rb").read()).hexdigest()  # noqa: E731
        check("the installed film is the bundle's, byte for byte",
              digest(f"{tmp}/var/content/100/media/projekt.mp4") == digest(f"{ROOT}/media/projekt.mp4"))
        check("the version before stays on disk", os.path.isdir(f"{tmp}/var/content/{demo_version}"))
        rc, out = run("bundle", "import", good)
        check("the same version again is refused", rc == 3 and "not newer" in out and in_use() == 100, out)
        rc, out = run("bundle", "verify", good)
        newer = f"{tmp}/newer.kiosk"
        run("bundle", "create", "--key", f"{tmp}/staff.key", "--src", f"{ROOT}/assets/content",
            "--media", f"{ROOT}/media", "--version", "200", "--out", newer)
        with tarfile.open(newer) as t:
            nm = t.extractfile("manifest.json").read()
            ns = t.extractfile("manifest.sig").read()
            nmembers = [(m.name, t.extractfile(m).read()) for m in t.getmembers()[2:] if m.isfile()]
        last = nmembers[-1]
        broken = [("manifest.json", nm), ("manifest.sig", ns)] + nmembers[:-1] + \
            [(last[0], last[1][:-1] + bytes([last[1][-1] ^ 1]))]
        path = repack("newer-changed", broken)
        rc, out = run("bundle", "import", path)
        check("import of a bundle changed in its last file is refused",
              rc == 3 and "SHA-256" in out and in_use() == 100, out)
        check("nothing staged stays, no version 200 appears",
              not leftovers() and not os.path.exists(f"{tmp}/var/content/200"), leftovers())
        rc, out = run("bundle", "import", f"{tmp}/stranger.kiosk")
        check("import from an unknown signer is refused", rc == 3 and in_use() == 100, out)
        rc, out = run("bundle", "import", newer)
        check("the good version 200 installs", rc == 0 and in_use() == 200, out)
        rc, out = run("db", "check")
        check("db check passes after the imports", rc == 0, out)
        # The next start keeps the version in use and the one before it.
        subprocess.run([kiosk, "--config", conf, "--headless", "--script", "-"], input="quit\n",
                       text=True, capture_output=True, timeout=120, check=True)
        kept = sorted(e for e in os.listdir(f"{tmp}/var/content") if e != ".lock")
        check("after a restart: the version in use and the one before, nothing else",
              kept == ["100", "200"] and in_use() == 200, kept)

        # Rollback: back to the version kept from before, once.
        rc, out = run("bundle", "rollback")
        check("bundle rollback goes back to version 100",
              rc == 0 and in_use() == 100 and "100" in out, out)
        rc, out = run("db", "check")
        check("db check passes after the rollback", rc == 0, out)
        rc, out = run("bundle", "rollback")
        check("a second rollback is refused: nothing is kept before 100",
              rc == 3 and "nothing to go back to" in out and in_use() == 100, out)
        r = subprocess.run([kiosk, "--config", conf, "--headless", "--script", "-"],
                           input="dump\nquit\n", text=True, capture_output=True, timeout=120)
        check("the kiosk starts on the rolled-back version",
              r.returncode == 0 and '"screen":"home"' in r.stdout and in_use() == 100,
              r.stdout[-300:] + r.stderr[-300:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{fails} failed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
