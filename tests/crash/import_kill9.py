#!/usr/bin/env python3
"""kill -9 at random moments during `kioskctl bundle import` (issue 11,
item 6; DESIGN.md §5 and §9).

Two bundles of some hundred MB (the demo content whose four films are random
bytes, different in each) alternate: each round imports the one not in use
(--force, as every other round goes to the lower version) and, until ROUNDS
imports have been killed (rounds whose import ends first count as controls,
not as kills), kills kioskctl
with SIGKILL after a random delay across the import's measured duration (and
a little beyond, so that some rounds end after the commit; every other round
aimed at the import's end, after the last member appears in the staging
folder: the fsyncs, the switch and the commit, measured first as well).  After each round:

  * the version the database names is the old or the new one, and its folder
    holds exactly the files of that bundle's manifest, each by SHA-256, and
    the manifest itself (.bundle-manifest.json): wholly old or wholly new; an
    import that reported success named the new one;
  * every other version folder is whole too (folders only ever appear, and
    disappear, whole: the one before is kept for a rollback);
  * `kioskctl db check` passes;
  * the kiosk starts (headless, `shot home` into a temp folder, exit 0), keeps
    the version in use, and its start-up leaves no staging folder behind.

At the end, `bundle rollback` takes the version kept beside (whole by hash)
and the kiosk starts on it.

kill -9 leaves the page cache intact: this proves the process side; the
fsyncs behind power loss are checked by tests/cli/import_fsync.py.

  import_kill9.py KIOSKCTL KIOSK [ROUNDS] [MB]
"""
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import ROOT, private_config  # noqa: E402

fails = 0
KEPT = ".bundle-manifest.json"


def check(what, ok, detail=""):
    global fails
    if not ok:
        print(f"FAIL: {what}\n  {detail}", flush=True)
        fails += 1
    return ok


def file_sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest_of(bundle):
    """The version, {installed path: sha256} from the bundle's manifest.json
    (content/X is installed as X, media/X as media/X) and the last of them
    (the last member: bundle create writes them in the manifest's order)."""
    with tarfile.open(bundle) as t:
        first = t.next()
        assert first.name == "manifest.json"
        m = json.loads(t.extractfile(first).read())
    files = {(f["path"][8:] if f["path"].startswith("content/") else f["path"]): f["sha256"]
             for f in m["files"]}
    last = list(files)[-1]
    # The installed version keeps its bundle's manifest beside its files.
    files[KEPT] = m
    return m["version"], files, last


def tree(folder):
    """{relative path: sha256} of every file below folder, links and other
    kinds named as such."""
    out = {}
    for dirpath, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(dirpath, f)
            rel = os.path.relpath(p, folder)
            out[rel] = file_sha(p) if os.path.isfile(p) and not os.path.islink(p) else "not a file"
    return out


def whole(folder, want):
    got = tree(folder)
    if KEPT in got:
        try:
            got[KEPT] = json.load(open(os.path.join(folder, KEPT)))
        except ValueError as e:
            got[KEPT] = f"not JSON: {e}"
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    changed = sorted(k for k in set(want) & set(got) if want[k] != got[k])
    return not (missing or extra or changed), \
        f"missing {missing[:3]} extra {extra[:3]} changed {changed[:3]}"


def main():
    ctl, kiosk = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    mb = int(sys.argv[4]) if len(sys.argv) > 4 else 240
    seed = int(os.environ.get("SEED", time.time()))
    rng = random.Random(seed)
    print(f"seed {seed} (SEED=... repeats a run), {rounds} kills, bundles of {mb} MB", flush=True)
    tmp = tempfile.mkdtemp(prefix="kiosk-import-kill9-")
    started = time.monotonic()
    try:
        conf = private_config(tmp)
        text = open(conf).read()
        text = re.sub(r"(?m)^trusted_keys = .*$", f"trusted_keys = {tmp}/keys", text)
        open(conf, "w").write(text)
        os.makedirs(f"{tmp}/keys")
        data = f"{tmp}/var"

        def run(*args, timeout=300):
            r = subprocess.run([ctl, "--config", conf] + list(args), capture_output=True,
                               encoding="utf-8", errors="backslashreplace", timeout=timeout)
            return r.returncode, r.stdout + r.stderr

        def must(what, rc_out):
            if rc_out[0] != 0:
                raise SystemExit(f"setup failed: {what}: exit {rc_out[0]}: {rc_out[1]}")
            return rc_out[1]

        def in_use():
            rc, out = run("status", "--json")
            return json.loads(out[out.index("{"):out.rindex("}") + 1])["content_version"]

        def start_kiosk():
            shots = f"{tmp}/shots"
            shutil.rmtree(shots, ignore_errors=True)
            os.makedirs(shots)
            r = subprocess.run([kiosk, "--config", conf, "--headless", "--script", "-",
                                "--screenshot-dir", shots], input="shot home\nquit\n",
                               capture_output=True, encoding="utf-8", errors="backslashreplace",
                               timeout=120)
            return r.returncode == 0 and os.path.getsize(f"{shots}/home.png") > 0, \
                f"exit {r.returncode}: {r.stderr[-600:]}"

        must("keygen", run("bundle", "keygen", f"{tmp}/staff"))
        shutil.copy(f"{tmp}/staff.pub", f"{tmp}/keys/staff.pub")
        ok, why = start_kiosk()
        if not ok:
            raise SystemExit(f"setup failed: the first start: {why}")

        # Two bundles: the demo content, its four films replaced by random bytes.
        films = sorted(f for f in os.listdir(f"{ROOT}/media") if f.endswith(".mp4"))
        bundles, manifests, last = {}, {}, {}
        for version in (1000, 1001):
            media = f"{tmp}/media-{version}"
            shutil.copytree(f"{ROOT}/media", media)
            for f in films:
                with open(f"{media}/{f}", "wb") as out:
                    for _ in range(mb // len(films)):
                        out.write(rng.randbytes(1 << 20))
            bundles[version] = f"{tmp}/{version}.kiosk"
            must(f"create {version}", run("bundle", "create", "--key", f"{tmp}/staff.key", "--src",
                                          f"{ROOT}/assets/content", "--media", media, "--version",
                                          str(version), "--out", bundles[version]))
            shutil.rmtree(media)
            v, manifests[version], last[version] = manifest_of(bundles[version])
            assert v == version
        size = os.path.getsize(bundles[1000]) >> 20
        print(f"two bundles of {size} MB each ({len(manifests[1000]) - 1} files)", flush=True)

        def watch(version):
            """Starts an import of version: the process and the path of its
            last member in its staging folder."""
            proc = subprocess.Popen([ctl, "--config", conf, "bundle", "import", "--force",
                                     bundles[version]], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            return proc, f"{data}/content/import.staging-{proc.pid}/{last[version]}"

        def wait_staged(proc, staged, t0, limit):
            while proc.poll() is None and not os.path.exists(staged) and \
                    time.monotonic() - t0 < limit:
                time.sleep(0.002)
            return time.monotonic() - t0

        # The import's duration, and that of its end (from the last member
        # staged to the exit: the fsyncs, the switch, the commit), measured on
        # four whole imports (the last two replace a kept folder of their version).
        durations, ends = [], []
        for version in (1000, 1001, 1000, 1001):
            proc, staged = watch(version)
            t0 = time.monotonic()
            at = wait_staged(proc, staged, t0, 300)
            proc.wait()
            durations.append(time.monotonic() - t0)
            ends.append(durations[-1] - at)
            if proc.returncode != 0:
                raise SystemExit(f"setup failed: import {version}: exit {proc.returncode}")
        # The median of each (a busy machine makes one of them slow).
        duration = sorted(durations)[len(durations) // 2]
        end = sorted(ends)[len(ends) // 2]
        print(f"an import takes {duration:.2f} s, its end {1000 * end:.0f} ms; kills land in "
              f"0 .. {1.2 * duration:.2f} s, every other one 0 .. {1200 * end:.0f} ms after the "
              f"last member is staged", flush=True)
        check("the measured imports put 1001 in use", in_use() == 1001)

        outcomes = {"old": 0, "new": 0, "finished before the kill": 0}
        r = kills = 0
        while kills < rounds and r < 3 * rounds:
            r += 1
            old = in_use()
            new = 1000 if old == 1001 else 1001
            proc, staged = watch(new)
            t0 = time.monotonic()
            if r % 2 == 1:
                delay = rng.uniform(0, 1.2 * duration)
            else:
                # Aimed at the end: once the last member is staged come the
                # fsyncs, the removal of an older folder of this version, the
                # rename and the commit.
                delay = wait_staged(proc, staged, t0, 5 * duration) + rng.uniform(0, 1.2 * end)
            try:
                rc = proc.wait(timeout=max(0, delay - (time.monotonic() - t0)))
                outcomes["finished before the kill"] += 1
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                rc = None
                kills += 1
            now = in_use()
            label = f"round {r} ({old} -> {new}, kill at {delay:.2f} s" + \
                (f", exited {rc} before)" if rc is not None else ")")
            if not check(f"{label}: the database names the old or the new version",
                         now in (old, new), f"in use: {now}"):
                continue
            if rc is not None:
                check(f"{label}: an import that finished put the new version in use",
                      rc == 0 and now == new, f"exit {rc}, in use {now}")
            outcomes["new" if now == new else "old"] += 1
            ok, why = whole(f"{data}/content/{now}", manifests[now])
            check(f"{label}: the content in use ({now}) is whole, every file by SHA-256", ok, why)
            for name in os.listdir(f"{data}/content"):
                if name.isdigit() and int(name) in manifests and int(name) != now:
                    ok, why = whole(f"{data}/content/{name}", manifests[int(name)])
                    check(f"{label}: the version folder {name} beside it is whole too "
                          f"(kept for a rollback)", ok, why)
            rc, out = run("db", "check")
            check(f"{label}: db check passes", rc == 0, out)
            ok, why = start_kiosk()
            check(f"{label}: the kiosk starts and shows home", ok, why)
            check(f"{label}: the kiosk keeps the version in use", in_use() == now,
                  f"in use: {in_use()}")
            left = sorted(n for n in os.listdir(f"{data}/content") if n != ".lock")
            check(f"{label}: after the start only version folders are left, at most two",
                  all(n.isdigit() for n in left) and str(now) in left and len(left) <= 2, left)
        # The version kept beside is one a rollback can take: after all these
        # rounds (a kill just after the kept folder of the version being
        # installed went aside leaves none), 1000 (unless in use) and then 1001
        # whole, and back to 1000; the kiosk starts on it.
        if in_use() != 1000:
            must("import 1000", run("bundle", "import", "--force", bundles[1000]))
        must("import 1001", run("bundle", "import", "--force", bundles[1001]))
        rc, out = run("bundle", "rollback")
        ok, why = whole(f"{data}/content/1000", manifests[1000])
        check("after the rounds, bundle rollback names 1000 in use, whole by SHA-256",
              rc == 0 and in_use() == 1000 and ok, f"exit {rc}: {out} {why}")
        ok, why = start_kiosk()
        check("the kiosk starts on the version rolled back to", ok and in_use() == 1000, why)
        print(f"{r} rounds, {kills} of them killed: {outcomes}", flush=True)
        check(f"at least {rounds} imports were killed", kills >= rounds, kills)
        check("both outcomes seen: the old content kept, and the new one in use",
              outcomes["old"] > 0 and outcomes["new"] > 0, outcomes)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{fails} failed, {time.monotonic() - started:.0f} s", flush=True)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
