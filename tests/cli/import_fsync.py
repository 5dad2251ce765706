#!/usr/bin/env python3
"""Staged files and folders are fsynced before the switch (issue 11, item 6;
DESIGN.md §9): `kioskctl bundle import` runs under strace, and its calls are
checked in order:

  * every file created in the staging folder is fsynced after its last write
    and before the rename that switches;
  * the staging folder and every folder in it are fsynced after their last
    entry was made, before that rename;
  * the staging folder is renamed once, to DATA/content/VERSION;
  * the parent folder (DATA/content) is fsynced after the rename and before
    SQLite's commit syncs its journal (the commit that names the version).

So that every check can fail, the checker is also run on copies of the real
trace with one call taken out or moved (a file's fsync, a folder's fsync,
the parent's fsync, the commit's sync before it), and each must be caught.

  import_fsync.py KIOSKCTL KIOSK      (exit 77, skipped, without strace)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from testlib import ROOT, private_config  # noqa: E402

TRACED = "openat,mkdir,mkdirat,write,fsync,fdatasync,rename,renameat,renameat2"
LINE = re.compile(r"^(?:\d+\s+)?(\w+)\((.*)\)\s+=\s+(-?\d+)(?:<([^>]*)>)?")
FD_PATH = re.compile(r"^\d+<([^>]*)>")
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def parse(text):
    """[(syscall, args, result, path of the result or first fd argument,
    quoted strings)], one for each finished call."""
    calls = []
    for line in text.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        name, args, result, result_path = m.group(1), m.group(2), int(m.group(3)), m.group(4)
        fd = FD_PATH.match(args)
        strings = STRING.findall(args)
        calls.append((name, args, result, result_path or (fd.group(1) if fd else None), strings))
    return calls


def problems(calls, data_dir, version):
    """What is wrong with the order of calls; empty when every rule holds."""
    out = []
    content = os.path.join(data_dir, "content")
    target = os.path.join(content, str(version))
    renames = [(i, c) for i, c in enumerate(calls)
               if c[0].startswith("rename") and c[2] == 0 and len(c[4]) == 2 and
               c[4][1] == target and "import.staging-" in c[4][0]]
    if len(renames) != 1:
        return [f"expected one rename of a staging folder to {target}, saw {len(renames)}"]
    switch, (_, _, _, _, (staging, _)) = renames[0]
    inside = staging + "/"

    syncs = {}       # path -> indices of fsync/fdatasync
    last_write = {}  # path -> index of its last write
    made = {}        # path -> index where it was created (file or folder)
    files = []
    for i, (name, args, result, path, strings) in enumerate(calls):
        if name in ("fsync", "fdatasync") and result == 0 and path:
            syncs.setdefault(path, []).append(i)
        elif name == "write" and path and path.startswith(inside):
            last_write[path] = i
        elif name == "openat" and "O_CREAT" in args and result >= 0 and path and \
                path.startswith(inside):
            files.append(path)
            made[path] = i
        elif name in ("mkdir", "mkdirat") and result == 0 and strings and \
                (strings[-1] == staging or strings[-1].startswith(inside)):
            made[strings[-1]] = i
    if not files:
        out.append(f"no file was created in {staging}")
    for f in files:
        after = max(made[f], last_write.get(f, -1))
        if not any(after < i < switch for i in syncs.get(f, [])):
            out.append(f"{f[len(inside):]}: not fsynced after its last write and before the switch")
    folders = {staging}
    for p in list(made):
        d = os.path.dirname(p)
        while d.startswith(inside) or d == staging:
            folders.add(d)
            d = os.path.dirname(d)
    for d in sorted(folders):
        children = [i for p, i in made.items() if os.path.dirname(p) == d]
        after = max(children, default=-1)
        if not any(after < i < switch for i in syncs.get(d, [])):
            out.append(f"folder {d[len(staging):] or '(the staging folder)'}: not fsynced after "
                       f"its last entry and before the switch")
    parent = [i for i in syncs.get(content, []) if i > switch]
    if not parent:
        out.append(f"{content}: not fsynced after the rename")
    journal = [i for p, idx in syncs.items() if re.search(r"\.sqlite3(-wal|-journal)?$", p)
               for i in idx if i > switch]
    if not journal:
        out.append("no sync of the database after the rename: the commit was not seen")
    elif parent and min(parent) > min(journal):
        out.append(f"{content} is fsynced only after the database's commit was synced")
    return out


def main():
    ctl, kiosk = sys.argv[1], sys.argv[2]
    strace = shutil.which("strace")
    if not strace:
        print("skip: strace is not installed (make test-deps installs it)")
        return 77
    tmp = tempfile.mkdtemp(prefix="kiosk-import-fsync-")
    fails = 0

    def check(what, ok, detail=""):
        nonlocal fails
        print(("ok: " if ok else "FAIL: ") + what + ("" if ok else f"\n  {detail}"), flush=True)
        fails += not ok

    try:
        conf = private_config(tmp)
        text = open(conf).read()
        open(conf, "w").write(re.sub(r"(?m)^trusted_keys = .*$", f"trusted_keys = {tmp}/keys",
                                     text))
        os.makedirs(f"{tmp}/keys")
        data = f"{tmp}/var"

        def run(*args, prefix=()):
            env = dict(os.environ)
            if prefix:  # LeakSanitizer cannot work under ptrace: the sanitizer build's leak
                # check is left to the other tests
                env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
            r = subprocess.run(list(prefix) + [ctl, "--config", conf] + list(args),
                               capture_output=True, encoding="utf-8",
                               errors="backslashreplace", timeout=300, env=env)
            if r.returncode != 0:
                raise SystemExit(f"FAIL: {' '.join(args)}: exit {r.returncode}: {r.stderr}")
            return r.stdout + r.stderr

        run("bundle", "keygen", f"{tmp}/staff")
        shutil.copy(f"{tmp}/staff.pub", f"{tmp}/keys/staff.pub")
        subprocess.run([kiosk, "--config", conf, "--headless", "--script", "-"], input="quit\n",
                       text=True, capture_output=True, timeout=120, check=True)
        run("bundle", "create", "--key", f"{tmp}/staff.key", "--src", f"{ROOT}/assets/content",
            "--media", f"{ROOT}/media", "--version", "100", "--out", f"{tmp}/b.kiosk")
        trace = f"{tmp}/trace"
        run("bundle", "import", f"{tmp}/b.kiosk",
            prefix=(strace, "-f", "-y", "-qq", "-s", "4096", "-e", f"trace={TRACED}", "-o", trace))
        out = run("status", "--json")
        check("the import under strace installed version 100", '"content_version": 100' in out or
              '"content_version":100' in out, out)
        calls = parse(open(trace, encoding="utf-8", errors="backslashreplace").read())
        found = problems(calls, data, 100)
        check("every staged file and folder is fsynced before the switch, the parent after it "
              "and before the commit", not found, "\n  ".join(found))
        staged = [c for c in calls if c[0] == "openat" and "O_CREAT" in c[1] and c[3] and
                  "import.staging-" in c[3]]
        check(f"the trace shows the staged files ({len(staged)})", len(staged) >= 80, len(staged))

        # The checker must catch each of these, made from the real trace.
        def without(pred, first_only=True):
            out, dropped = [], False
            for c in calls:
                if pred(c) and not (first_only and dropped):
                    dropped = True
                    continue
                out.append(c)
            return out

        def is_sync(c, pred):
            return c[0] in ("fsync", "fdatasync") and c[3] and pred(c[3])

        content = f"{data}/content"
        staging_dir = next(c[4][0] for c in calls if c[0].startswith("rename") and c[2] == 0 and
                           "import.staging-" in (c[4][0] if c[4] else ""))
        film = f"{staging_dir}/media/projekt.mp4"
        mutations = {
            "a staged film's fsync left out": without(lambda c: is_sync(c, lambda p: p == film)),
            "a staged folder's fsync left out":
                without(lambda c: is_sync(c, lambda p: p == f"{staging_dir}/pages")),
            "the staging folder's own fsync left out":
                without(lambda c: is_sync(c, lambda p: p == staging_dir)),
            "the parent's fsync after the rename left out":
                without(lambda c: is_sync(c, lambda p: p == content), first_only=False),
        }
        # The commit's sync moved to just before the parent's fsync.
        moved = list(calls)
        switch = next(i for i, c in enumerate(moved) if c[0].startswith("rename") and c[2] == 0
                      and c[4] and c[4][0] == staging_dir)
        j = next(i for i, c in enumerate(moved) if i > switch and
                 is_sync(c, lambda p: p.endswith("-wal") or p.endswith(".sqlite3")))
        p = next(i for i, c in enumerate(moved) if i > switch and is_sync(c, lambda p: p == content))
        if p < j:
            moved.insert(p, moved.pop(j))
        mutations["the database's commit synced before the parent's fsync"] = moved
        # The film's fsync moved to after the rename.
        moved = list(calls)
        k = next(i for i, c in enumerate(moved) if is_sync(c, lambda p: p == film))
        moved.insert(switch, moved.pop(k))
        mutations["a staged film fsynced only after the switch"] = moved
        for what, mutated in mutations.items():
            caught = problems(mutated, data, 100)
            check(f"the checker catches: {what}", mutated != calls and bool(caught),
                  "the mutation changed nothing" if mutated == calls else "not caught")
            if caught:
                print(f"   -> {caught[0]}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{fails} failed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
