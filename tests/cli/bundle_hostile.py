#!/usr/bin/env python3
"""The hostile bundle corpus (issue 11, item 7): every bundle here is made by
this test (forged with Python's tarfile, manifests signed with a key made by
`kioskctl bundle keygen`, through libsodium via ctypes) and handed to
`kioskctl bundle import`.  Each must be refused with exit 3 (exit 1 where the
disk, not the bundle, is what fails: kioskctl.c maps BUNDLE_ERR_IO to 1) and a
message naming the rule; afterwards the data folder must be exactly as before
(no staging folder left, no new version folder, every file the same by
SHA-256) and the database must name the same content version.

Controls prove that the cases are refused for their own reason: the bundle
every member-level case is derived from passes `bundle verify`, and, at the
end, the same bundle re-signed and re-packed by this test's own code imports.

  bundle_hostile.py KIOSKCTL KIOSK
"""
import base64
import ctypes
import hashlib
import io
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
from testlib import ROOT, private_config  # noqa: E402

fails = 0
cases = 0


def check(what, ok, detail=""):
    global fails
    print(("ok: " if ok else "FAIL: ") + what + ("" if ok else f"\n  {detail}"), flush=True)
    if not ok:
        fails += 1
    return ok


class Sodium:
    """crypto_sign_detached from the libsodium the kiosk links."""

    def __init__(self):
        self.lib = ctypes.CDLL("libsodium.so.23")
        if self.lib.sodium_init() < 0:
            raise RuntimeError("libsodium cannot start")

    def sign(self, secret, message):
        assert len(secret) == 64
        sig = ctypes.create_string_buffer(64)
        n = ctypes.c_ulonglong(0)
        rc = self.lib.crypto_sign_detached(sig, ctypes.byref(n), message,
                                           ctypes.c_ulonglong(len(message)), secret)
        assert rc == 0 and n.value == 64
        return sig.raw


def read_key(path):
    """A key file is the base64 of libsodium's key bytes (bundle.c read_key)."""
    return base64.b64decode(open(path).read().strip())


def key_id(pub_path):
    return hashlib.sha256(read_key(pub_path)).hexdigest()[:16]


def sha(data):
    return hashlib.sha256(data).hexdigest()


def write_tar(path, entries, mode="w", fmt=tarfile.PAX_FORMAT, **kw):
    """entries: (name, bytes) for a regular file, or (TarInfo, bytes|None)."""
    with tarfile.open(path, mode, format=fmt, **kw) as t:
        for e in entries:
            if isinstance(e[0], tarfile.TarInfo):
                info, data = e
                t.addfile(info, io.BytesIO(data) if data is not None else None)
            else:
                name, data = e
                info = tarfile.TarInfo(name)
                info.size = len(data)
                info.mtime = 1700000000
                t.addfile(info, io.BytesIO(data))
    return path


def read_bundle(path):
    with tarfile.open(path) as t:
        ms = t.getmembers()
        out = [(m.name, t.extractfile(m).read()) for m in ms]
    return out


def snapshot(data_dir):
    """Every file and folder below the data folder with its size and SHA-256.
    The database's -wal and -shm (SQLite's own bookkeeping while a connection
    is open) are left out; the database file itself is compared."""
    out = {}
    for dirpath, dirs, files in os.walk(data_dir):
        rel = os.path.relpath(dirpath, data_dir)
        out[rel + "/"] = "dir"
        for f in files:
            if f.endswith("-wal") or f.endswith("-shm"):
                continue
            p = os.path.join(dirpath, f)
            if os.path.islink(p):
                out[os.path.join(rel, f)] = "link -> " + os.readlink(p)
                continue
            h = hashlib.sha256()
            with open(p, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            out[os.path.join(rel, f)] = f"{os.path.getsize(p)} {h.hexdigest()}"
    return out


def diff(a, b):
    lines = [f"- {k}" for k in sorted(set(a) - set(b))] + \
            [f"+ {k}" for k in sorted(set(b) - set(a))] + \
            [f"~ {k}" for k in sorted(set(a) & set(b)) if a[k] != b[k]]
    return "; ".join(lines[:12]) + (" ..." if len(lines) > 12 else "")


def main():
    ctl, kiosk = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="kiosk-hostile-bundle-")
    mounted = None
    sodium = Sodium()
    started = time.monotonic()
    try:
        conf = private_config(tmp)
        text = open(conf).read()
        text = re.sub(r"(?m)^trusted_keys = .*$", f"trusted_keys = {tmp}/keys", text)
        open(conf, "w").write(text)
        os.makedirs(f"{tmp}/keys")
        data = f"{tmp}/var"

        def run(*args, config=conf):
            r = subprocess.run([ctl, "--config", config] + list(args), capture_output=True,
                               encoding="utf-8", errors="backslashreplace", timeout=120)
            return r.returncode, r.stdout + r.stderr

        def must(what, rc_out):
            rc, out = rc_out
            if rc != 0:
                raise SystemExit(f"setup failed: {what}: exit {rc}: {out}")
            return out

        def in_use(config=conf):
            rc, out = run("status", "--json", config=config)
            return json.loads(out[out.index("{"):out.rindex("}") + 1])["content_version"]

        # ---- setup: keys, the kiosk's first start, versions 100 and 200 in use ----
        must("keygen", run("bundle", "keygen", f"{tmp}/staff"))
        must("keygen", run("bundle", "keygen", f"{tmp}/stranger"))
        shutil.copy(f"{tmp}/staff.pub", f"{tmp}/keys/staff.pub")
        staff_sk, stranger_sk = read_key(f"{tmp}/staff.key"), read_key(f"{tmp}/stranger.key")
        subprocess.run([kiosk, "--config", conf, "--headless", "--script", "-"], input="quit\n",
                       text=True, capture_output=True, timeout=120, check=True)

        def create(version, key="staff", out=None):
            out = out or f"{tmp}/{key}-{version}.kiosk"
            must(f"create {version}", run("bundle", "create", "--key", f"{tmp}/{key}.key", "--src",
                                          f"{ROOT}/assets/content", "--media", f"{ROOT}/media",
                                          "--version", str(version), "--out", out))
            return out

        v100, v200, v300, v150 = create(100), create(200), create(300), create(150)
        must("import 100", run("bundle", "import", v100))
        must("import 200", run("bundle", "import", v200))
        if in_use() != 200:
            raise SystemExit("setup failed: version 200 is not in use")

        # The base of the member-level cases: version 300, newer than the one
        # in use, so that nothing but the forgery can be the reason to refuse.
        rc, out = run("bundle", "verify", v300)
        check("control: the base bundle (version 300) verifies", rc == 0 and "version: 300" in out,
              out)
        base = read_bundle(v300)
        assert [n for n, _ in base[:2]] == ["manifest.json", "manifest.sig"]
        M, S = base[0][1], base[1][1]
        manifest = json.loads(M)
        members = base[2:]
        names = [n for n, _ in members]
        last = names[-1]
        survey = "content/survey.json"

        def signed(m, secret=staff_sk):
            text = json.dumps(m, indent=1).encode()
            return [("manifest.json", text), ("manifest.sig", sodium.sign(secret, text))]

        def replace(entries, name, data):
            assert name in [n for n, _ in entries if isinstance(n, str)]
            return [(n, data if n == name else d) for n, d in entries]

        def with_files(extra, m=None):
            """A copy of the manifest with files added (name -> bytes); sign it with signed()."""
            m = json.loads(json.dumps(m or manifest))
            for n, d in extra.items():
                m["files"].append({"path": n, "size": len(d), "sha256": sha(d)})
            return m

        def ti(name, kind, **attrs):
            info = tarfile.TarInfo(name)
            info.type = kind
            info.mtime = 1700000000
            for k, v in attrs.items():
                setattr(info, k, v)
            return info

        def case(name, path, rule, code=3, force=False, config=conf, data_dir=data, version=200,
                 max_seconds=30):
            """Imports path; it must be refused by rule, and change nothing."""
            global cases
            cases += 1
            before = snapshot(data_dir)
            t0 = time.monotonic()
            rc, out = run("bundle", "import", *(["--force"] if force else []), path, config=config)
            took = time.monotonic() - t0
            after = snapshot(data_dir)
            ok = check(f"{name}: refused with exit {code}, naming the rule /{rule}/",
                       rc == code and re.search(rule, out, re.I) is not None,
                       f"exit {rc}: {out.strip()}")
            ok &= check(f"{name}: the data folder is as before (nothing staged left, no new "
                        f"version)", after == before, diff(before, after))
            # The content in use: the folder the database names, by hash.
            mine = f"content/{version}/"
            in_use_files = {k: v for k, v in after.items() if k.startswith(mine)}
            now = in_use(config)
            ok &= check(f"{name}: the content in use is unchanged, by name and hash",
                        now == version and len(in_use_files) > 80 and
                        in_use_files == {k: v for k, v in before.items() if k.startswith(mine)},
                        f"in use: {now}, {len(in_use_files)} files")
            ok &= check(f"{name}: refused in bounded time", took < max_seconds, f"{took:.1f} s")
            if ok:
                print(f"   {name} ({took:.2f} s): {out.strip().splitlines()[-1][:200]}")

        def forge(name, entries, **kw):
            return write_tar(f"{tmp}/{name}.kiosk", entries, **kw)

        ok_base = [("manifest.json", M), ("manifest.sig", S)] + members

        # ---- who signed, and what ----
        case("unknown-signer", create(300, key="stranger"), r"not among the trusted keys")
        m = dict(manifest, key_id=key_id(f"{tmp}/staff.pub"))
        stranger_sig = signed(m, stranger_sk)
        case("trusted-key-id-stranger-signature", forge("forged-key-id", stranger_sig + members),
             r"does not sign this manifest")
        case("signature-over-other-bytes",
             forge("other-bytes", [("manifest.json", M.replace(b'"version": 300', b'"version": 301')),
                                   ("manifest.sig", S)] + members), r"does not sign this manifest")
        case("signature-over-the-same-json-reformatted",
             forge("reformatted", [("manifest.json", json.dumps(manifest).encode()),
                                   ("manifest.sig", S)] + members), r"does not sign this manifest")
        sig200 = read_bundle(v200)[1][1]
        case("signature-over-another-manifest",
             forge("other-manifest", [("manifest.json", M), ("manifest.sig", sig200)] + members),
             r"does not sign this manifest")
        case("signature-random-bytes",
             forge("random-sig", [("manifest.json", M), ("manifest.sig", os.urandom(64))] + members),
             r"does not sign this manifest")
        case("signature-63-bytes",
             forge("short-sig", [("manifest.json", M), ("manifest.sig", S[:63])] + members),
             r"not an Ed25519 signature")

        # ---- members against the manifest ----
        flipped = bytearray(dict(members)[last])
        flipped[len(flipped) // 2] ^= 0x20
        case("hash-mismatch-in-the-last-member",
             forge("hash", replace(ok_base, last, bytes(flipped))), r"SHA-256 is not the manifest's")
        case("size-mismatch-member-shorter",
             forge("shorter", replace(ok_base, survey, dict(members)[survey][:-1])),
             r"\d+ bytes, the manifest says \d+")
        m = json.loads(M)
        for f in m["files"]:
            if f["path"] == survey:
                f["size"] += 1
        case("size-mismatch-signed-manifest-says-more", forge("size-says", signed(m) + members),
             r"\d+ bytes, the manifest says \d+")
        case("member-longer-than-the-manifest-says",
             forge("longer", replace(ok_base, survey, dict(members)[survey] + b" " * 70000)),
             r"longer than the manifest says")
        case("member-not-in-the-manifest",
             forge("extra", ok_base + [("content/pages/extra.de.md", b"# extra\n")]),
             r"not named in the manifest")
        case("named-file-missing",
             forge("missing", [e for e in ok_base if e[0] != "media/projekt.jpg"]),
             r"media/projekt\.jpg: named in the manifest but missing")
        case("duplicate-member", forge("duplicate", ok_base + [(survey, dict(members)[survey])]),
             r"in the bundle twice")
        m = json.loads(M)
        m["files"].append(dict(next(f for f in m["files"] if f["path"] == survey)))
        case("manifest-names-a-file-twice", forge("named-twice", signed(m) + members),
             r"named twice")
        case("manifest-json-a-third-time",
             forge("third-manifest", ok_base[:3] + [("manifest.json", M)] + ok_base[3:]),
             r"manifest\.json: .*(inside content/ or media/)")

        # ---- paths ----
        case("absolute-path", forge("absolute", ok_base[:3] + [("/tmp/kiosk-evil", b"x")] + ok_base[3:]),
             r"/tmp/kiosk-evil: .*absolute")
        dd = "content/../../kiosk-evil"
        case("dot-dot", forge("dotdot", ok_base[:3] + [(dd, b"x")] + ok_base[3:]),
             r"\.\./kiosk-evil: .*'\.\.'")
        m = with_files({dd: b"x"})
        case("dot-dot-in-a-signed-manifest", forge("dotdot-signed", signed(m) + members + [(dd, b"x")]),
             r"files\[\d+\] is not a safe path: .*\('\.\.' in it\)")
        m = with_files({"/tmp/kiosk-evil": b"x"})
        case("absolute-path-in-a-signed-manifest",
             forge("absolute-signed", signed(m) + members + [("/tmp/kiosk-evil", b"x")]),
             r"files\[\d+\] is not a safe path: .*\(an absolute path\)")
        bad = "content/pages/\udcff\udcfe.de.md"  # the bytes ff fe: not UTF-8
        case("path-not-utf8",
             forge("not-utf8", ok_base[:3] + [(bad, b"x")] + ok_base[3:], fmt=tarfile.GNU_FORMAT,
                   encoding="utf-8", errors="surrogateescape"),
             r"not UTF-8")

        esc = "content/pages/\x1b]0;owned\x07\x1b[2J.de.md"  # a terminal's escape sequences
        case("path-with-control-characters", forge("escape", ok_base[:3] + [(esc, b"x")] + ok_base[3:]),
             r"a member: not a path inside content/ or media/ \(a control character in it\)")

        film = dict(members)["media/projekt.mp4"]
        m = with_files({"content/media/projekt.mp4": film[:1000]})
        case("content-media-over-media",
             forge("content-media", signed(m) + members + [("content/media/projekt.mp4", film[:1000])]),
             r"files\[\d+\] is not a safe path: .*\(content/media is where media/ is installed\)")

        src = f"{tmp}/src-with-media"
        shutil.copytree(f"{ROOT}/assets/content", src)
        shutil.copytree(f"{ROOT}/media", f"{src}/media")
        rc, out = run("bundle", "create", "--key", f"{tmp}/staff.key", "--src", src, "--media",
                      f"{src}/media", "--out", f"{tmp}/src-with-media.kiosk")
        check("create never signs what import refuses: a source with a media folder",
              rc == 3 and "holds no media folder" in out and
              not os.path.exists(f"{tmp}/src-with-media.kiosk"), f"exit {rc}: {out}")

        # ---- kinds of member ----
        m = with_files({"content/link.md": b""})
        link = ti("content/link.md", tarfile.SYMTYPE, linkname="/etc/shadow")
        case("symlink-named-in-the-manifest",
             forge("symlink", signed(m) + members[:1] + [(link, None)] + members[1:]),
             r"content/link\.md: .*link")
        link = ti("content/pages/x.de.md", tarfile.SYMTYPE, linkname="../../../../etc/passwd")
        case("symlink", forge("symlink2", ok_base[:3] + [(link, None)] + ok_base[3:]), r"link")
        hard = ti("content/hard.md", tarfile.LNKTYPE, linkname="content/content.json")
        m = with_files({"content/hard.md": b""})
        case("hard-link-named-in-the-manifest",
             forge("hardlink", signed(m) + members + [(hard, None)]), r"content/hard\.md: .*link")
        dev = ti("content/null", tarfile.CHRTYPE, devmajor=1, devminor=3)
        m = with_files({"content/null": b""})
        case("character-device", forge("chardev", signed(m) + members[:2] + [(dev, None)] + members[2:]),
             r"content/null: .*device")
        blk = ti("media/sda", tarfile.BLKTYPE, devmajor=8, devminor=0)
        case("block-device", forge("blkdev", ok_base[:3] + [(blk, None)] + ok_base[3:]), r"device")
        fifo = ti("content/fifo", tarfile.FIFOTYPE)
        case("fifo", forge("fifo", ok_base[:3] + [(fifo, None)] + ok_base[3:]), r"not a regular file")
        folder = ti("content/pages", tarfile.DIRTYPE, mode=0o755)
        case("folder-member", forge("folder", ok_base[:3] + [(folder, None)] + ok_base[3:]),
             r"not a regular file")

        # ---- the manifest itself ----
        big = dict(manifest, padding="x" * (10 * 1024 * 1024))
        case("manifest-10-MB", forge("big-manifest", signed(big) + members),
             r"manifest\.json: larger than the 1048576 bytes")
        case("manifest-not-first", forge("sig-first", [ok_base[1], ok_base[0]] + members),
             r"first member must be manifest\.json")
        case("member-before-the-manifest", forge("member-first", [members[0]] + ok_base[:2] + members[1:]),
             r"first member must be manifest\.json")
        case("manifest-sig-missing", forge("no-sig", ok_base[:1] + members),
             r"second member must be manifest\.sig")
        case("empty-archive", forge("empty", []), r"first member must be manifest\.json|not a content bundle")

        os.mkfifo(f"{tmp}/stick-fifo.kiosk")
        case("the-bundle-is-a-fifo", f"{tmp}/stick-fifo.kiosk", r"fifo\.kiosk: .*(regular|FIFO|pipe)",
             code=1, max_seconds=5)
        os.symlink("/dev/zero", f"{tmp}/zero.kiosk")
        case("the-bundle-is-a-link-to-dev-zero", f"{tmp}/zero.kiosk",
             r"zero\.kiosk: .*(regular|link|device)", code=1, max_seconds=5)

        # ---- versions ----
        case("version-equal-to-the-one-in-use", v200, r"version 200 is not newer .*\(200\)")
        case("version-lower-than-the-one-in-use", v150, r"version 150 is not newer .*\(200\)")
        case("old-valid-bundle-replayed", v100, r"version 100 is not newer .*\(200\)")
        m = dict(manifest, min_app_version="99.0.0")
        case("min-app-version-above-this-app", forge("min-app", signed(m) + members),
             r"needs kiosk 99\.0\.0 or newer")
        m = dict(manifest, version=301)
        case("content-json-disagrees-with-the-manifest", forge("disagree", signed(m) + members),
             r"content\.json says version 300, the bundle 301")
        broken = b'{"format": 1, "version": 300, '
        m = json.loads(M)
        for f in m["files"]:
            if f["path"] == "content/content.json":
                f.update(size=len(broken), sha256=sha(broken))
        case("signed-but-broken-content", forge("broken-content", signed(m) +
                                                replace(members, "content/content.json", broken)),
             r"content\.json")

        # ---- archives cut short, compressed, sparse, too big for the disk ----
        whole_path = forge("whole", ok_base)
        whole = open(whole_path, "rb").read()
        with tarfile.open(whole_path) as t:
            tail = t.getmembers()[-1]  # the last member: where its header and bytes are
        for label, cut, rule in (
                ("in-the-manifest", 700, r"manifest\.json: Truncated tar archive"),
                ("in-the-middle", len(whole) // 2, r"Truncated tar archive \(the file may be cut short"),
                ("in-the-last-member", tail.offset_data + tail.size // 2,
                 rf"{re.escape(tail.name)}: Truncated tar archive \(the file may be cut short"),
                ("at-the-last-header", tail.offset,
                 rf"{re.escape(tail.name)}: named in the manifest but missing"),
                ("in-the-last-header", tail.offset + 100, r"cut short")):
            p = f"{tmp}/cut-{label}.kiosk"
            open(p, "wb").write(whole[:cut])
            case(f"truncated-{label}", p, rule)
        case("gzip-compressed", forge("gzip", ok_base, mode="w:gz"),
             r"not a content bundle.*uncompressed tar")
        # A gzip bomb: 64 MB of zeros in a member, compressed to some 60 KB.
        bomb = [(survey if n == survey else n, d) for n, d in ok_base] + \
            [("media/zeros.bin", b"\0" * (64 << 20))]
        case("gzip-bomb", forge("gzip-bomb", bomb, mode="w:gz"), r"uncompressed tar")
        # A sparse member: a few bytes in the archive that expand to 10 GiB.
        target = "media/projekt.jpg"
        sparse = ti(target, tarfile.REGTYPE, size=1)
        sparse.pax_headers = {"GNU.sparse.size": str(10 << 30), "GNU.sparse.numblocks": "1",
                              "GNU.sparse.map": f"{(10 << 30) - 1},1"}
        case("sparse-member-expanding-to-10-GiB",
             forge("sparse", [(sparse, b"x") if n == target else (n, d) for n, d in ok_base]),
             r"media/projekt\.jpg: longer than the manifest says", max_seconds=10)
        m = json.loads(M)
        for f in m["files"]:
            if f["path"] == "media/projekt.mp4":
                f["size"] = 1 << 40
        case("manifest-declares-a-1-TiB-film", forge("huge", signed(m) + members),
             r"disk has \d+ MB free, the bundle needs \d+ MB", code=1)
        case("member-header-declares-1-TiB", huge_header(tmp, ok_base),
             r"media/projekt\.mp4: longer than the manifest says", max_seconds=10)

        # ---- a disk that fills up mid-copy: a 64 MB tmpfs as the data folder ----
        small = f"{tmp}/small"
        os.makedirs(small)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m,mode=0755", "tmpfs", small],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(f"skip: disk-full-mid-copy: cannot mount a tmpfs here ({r.stderr.strip()}); "
                  f"it needs root", flush=True)
        else:
            mounted = small
            conf2 = f"{tmp}/small.conf"
            open(conf2, "w").write(re.sub(r"(?m)^data_dir = .*$", f"data_dir = {small}/var",
                                          open(conf).read()))
            subprocess.run([kiosk, "--config", conf2, "--headless", "--script", "-"],
                           input="quit\n", text=True, capture_output=True, timeout=120, check=True)
            must("import 200 onto the tmpfs", run("bundle", "import", v200, config=conf2))
            # 5000 one-byte files: 5 KB in the manifest's sizes, but each takes a
            # page of the tmpfs.  The free disk check passes; the copy cannot.
            filler = {f"media/filler/{i:05d}.bin": bytes([i & 0xFF]) for i in range(5000)}
            m = with_files(filler)
            need = sum(f["size"] for f in m["files"]) + 16 * 1024 * 1024
            st = os.statvfs(small)
            free = st.f_bavail * st.f_frsize
            ballast = free - need - 2 * 1024 * 1024
            with open(f"{small}/ballast", "wb") as f:
                f.write(b"\0" * ballast)
            # The fillers last: the disk fills at a small file's creation.  The
            # fillers first: it fills in the middle of a film's bytes.
            forged = forge("disk-full", signed(m) + members + list(filler.items()))
            forged_first = forge("disk-full-film", signed(m) + list(filler.items()) + members)
            for name, path in (("disk-full-mid-copy", forged),
                               ("disk-full-in-the-middle-of-a-film", forged_first)):
                case(name, path, r": cannot be (written|staged): No space left on device", code=1,
                     config=conf2, data_dir=f"{small}/var")
                st = os.statvfs(small)
                check(f"{name}: the free space is back (staging removed)",
                      st.f_bavail * st.f_frsize >= need, f"{st.f_bavail * st.f_frsize} bytes free")
            os.unlink(f"{small}/ballast")
            rc, out = run("bundle", "import", forged, config=conf2)
            check("control: the same bundle imports once the disk has room",
                  rc == 0 and in_use(conf2) == 300, out)

        # ---- controls: this test's forging imports when nothing is wrong ----
        rc, out = run("bundle", "import", forge("control", signed(manifest) + members))
        check("control: version 300 re-signed and re-packed by this test imports", rc == 0 and
              in_use() == 300, out)
        rc, out = run("db", "check")
        check("db check passes after the corpus", rc == 0, out)
        check(f"at least 20 hostile bundles ({cases})", cases >= 20)
    finally:
        if mounted:
            if subprocess.run(["umount", mounted]).returncode != 0:
                subprocess.run(["umount", "-l", mounted])
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{cases} hostile bundles, {fails} failed, {time.monotonic() - started:.1f} s")
    return 1 if fails else 0


def huge_header(tmp, ok_base):
    """A film whose tar header says 1 TiB while the archive ends 256 KiB after
    its real bytes (no end-of-archive blocks): made by hand, as tarfile would
    try to copy 1 TiB."""
    buf = io.BytesIO()
    t = tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT)
    for n, d in ok_base:
        info = tarfile.TarInfo(n)
        info.mtime = 1700000000
        info.size = len(d)
        if n == "media/projekt.mp4":
            info.size = 1 << 40
            data = buf.getvalue() + info.tobuf(tarfile.PAX_FORMAT, "utf-8", "strict") + d + \
                b"\0" * (256 << 10)
            break
        t.addfile(info, io.BytesIO(d))
    path = f"{tmp}/huge-header.kiosk"
    open(path, "wb").write(data)
    return path


if __name__ == "__main__":
    sys.exit(main())
