#!/usr/bin/env python3
"""Makes the seeds of the bundle targets (corpus/bundle_*), signed with the
fixed key that the harnesses trust (fuzz_bundle.h: a seed of 32 bytes 'K').

    tests/fuzz/make_seeds.py [REAL_MANIFEST.json]

REAL_MANIFEST.json: the manifest.json of a bundle made with kioskctl bundle
create from the demo content; its first files are kept, re-signed for the
fixed key (its hashes stay those of the demo's files).  The other seeds are
small bundles made here.  Needs python3-cryptography (Ed25519).
"""
import hashlib
import io
import json
import os
import sys
import tarfile

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = Ed25519PrivateKey.from_private_bytes(b"K" * 32)
PUB = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
KEY_ID = hashlib.sha256(PUB).hexdigest()[:16]


def tar_of(members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1767225600
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    raw = buf.getvalue()
    return raw


def members_tar(members):
    """The members alone, ending with the two zero blocks (no padding
    to 10 KiB, to keep the seeds small)."""
    raw = tar_of(members)
    out, at = b"", 0
    for name, data in members:
        blocks = 1 + (len(data) + 511) // 512
        out += raw[at:at + 512 * blocks]
        at += 512 * blocks
    return out + b"\0" * 1024


def manifest_of(members, version=7):
    files = [{"path": n, "size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
             for n, d in members]
    m = {"format": 1, "bundle_id": "0123456789abcdef0123456789abcdef", "version": version,
         "created": 1767225600, "min_app_version": "0.1.0", "key_id": KEY_ID, "files": files}
    return json.dumps(m, indent=1, ensure_ascii=False).encode()


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


CONTENT = json.dumps({
    "format": 1, "version": 7, "languages": [{"code": "de", "complete": True}],
    "topics": [{"id": "projekt", "page": "pages/projekt", "minutes": 2,
                "title": {"de": "Das Projekt"}, "summary": {"de": "Worum es geht"}}],
    "films": []}, indent=1).encode()
STRINGS = json.dumps({"home.title": "Willkommen", "nav.back": "Zurück"}, indent=1,
                     ensure_ascii=False).encode()
PAGE = "# Das Projekt\n\nDigitale Kommune – **für alle**.\n\n- eins\n- zwei\n".encode()
SMALL = [("content/content.json", CONTENT), ("content/strings/de.json", STRINGS),
         ("content/pages/projekt.de.md", PAGE), ("media/still.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40)]


def main():
    small_manifest = manifest_of(SMALL)
    write("bundle_manifest", "small.json", small_manifest)
    write("bundle_manifest", "empty-files.json", manifest_of([]))
    if len(sys.argv) > 1:
        real = json.load(open(sys.argv[1], encoding="utf-8"))
        real["key_id"] = KEY_ID
        real["files"] = real["files"][:12]
        write("bundle_manifest", "real.json", json.dumps(real, indent=1, ensure_ascii=False).encode())
    # The member walk: manifest, NUL, members.
    write("bundle_members", "small", small_manifest + b"\0" + members_tar(SMALL))
    write("bundle_members", "one", manifest_of(SMALL[:1]) + b"\0" + members_tar(SMALL[:1]))
    # A whole bundle: manifest.json, manifest.sig, the members.
    sig = KEY.sign(small_manifest)
    whole = members_tar([("manifest.json", small_manifest), ("manifest.sig", sig)] + SMALL)
    write("bundle_tar", "small.kiosk", whole)
    print("key id", KEY_ID)


main()
