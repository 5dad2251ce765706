#!/usr/bin/env python3
"""Sync against a real nginx with WebDAV (issue 12 item 6; DESIGN.md §6, §9).

    test_sync.py KIOSK KIOSKCTL [--cases a,b,...] [--rounds N]

One kiosk database and one server for the whole run.  Responses are made by
the real kiosk (a script of survey taps; rows copied with sqlite3 where
hundreds are needed) and their hour moved into the past so that they are
due.  Every case runs `kioskctl sync` (or the kiosk itself) and is followed
by a check against the database: each response marked sent is on the server
exactly once and nothing else is (server.response_ids over the stored
objects), every response made is still there and, if not sent, pending; a
batch kept for a retry holds exactly its responses; `kioskctl db check`
passes.  Exit codes of `kioskctl sync`: 0 all sent, 5 the server cannot be
reached, 3 config refused, 1 any other refusal.

Cases (--cases picks some; `kill9` runs only when named or with --rounds):
  normal        http with basic auth; responses of the current hour wait; the
                status object; `kioskctl status` shows last_sync
  https         https with the test CA; the other CA, a wrong host name and a
                certificate of the other CA refused (exit 1), nothing sent
  bearer        a bearer token (no user); a wrong one is a 401
  token-mode    token_file mode 0644: exit 3, no request made
  down          nginx stopped: exit 5 quickly, nothing lost; up again: sent
  refusals      500, 403, 401 (a wrong password), 413 (max_body): exit 1 with
                the status; --dry-run counts the kept batch; then a clean sync
  faults        through Misbehaving in front of nginx: 507, a redirect to
                another host (refused) and to the same host (followed),
                redirects in a loop, a 201 whose reply is above 64 KiB,
                garbage, a connection cut (also with a reset), a stall (ends
                within 40 s)
  dry-run       says what it would send; no request, the database unchanged
  clock         kioskctl and the kiosk under libfaketime: a clock back and
                forward; no response twice, none lost, the (apparent) current
                hour waits; a kept batch goes as it is whatever the clock
  kiosk         the kiosk syncs 10 s after its start (virtual clock), not
                before, and after the server was away tries again after its
                backoff (5 to 10 s), not before
  bundle-url    [sync] bundle_url: a bundle fetched with If-None-Match (a 304 when
                unchanged) and installed as from a stick; an untrusted one refused
                and not fetched again until it changes; the kiosk's own pass too
  kill9         kill -9 of `kioskctl sync` at random moments of a pass whose
                answers to PUTs are held back after nginx stored the object,
                --rounds times, then of the kiosk's own pass 10 times;
                after each round the database is healthy, no response is on
                the server twice or marked sent without being there; a final
                clean sync puts every response there exactly once
At the end: the password and tokens never appeared in any output, log line,
the status objects, nginx's logs or the database files.
"""
import argparse
import base64
import collections
import contextlib
import glob
import json
import os
import random
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import server  # noqa: E402
import testlib  # noqa: E402
from testlib import private_config  # noqa: E402

FAKETIME_LIB = (glob.glob("/usr/lib/*/faketime/libfaketime.so.1") +
                ["/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"])[0]
BATCH = 200  # kioskctl's batch size

# A response, then past the thanks screen (it goes home after 8 s).
SURVEY = testlib.SURVEY + "advance 9\n"

STATUS_KEYS = {"kiosk_id", "app_version", "content_version", "feedback_pending",
               "feedback_sent", "last_sync", "last_sync_error", "free_disk_bytes", "uptime_s"}


class Failed(AssertionError):
    pass


def expect(cond, what):
    if not cond:
        raise Failed(what)


def hour_now():
    t = int(time.time())
    return t - t % 3600


def faketime_env(offset):
    """The environment for a process whose wall clock is offset ("+25h", "-2d")."""
    # Under AddressSanitizer libfaketime comes first: ASan must not refuse to start.
    asan = os.environ.get("ASAN_OPTIONS", "")
    return dict(os.environ, LD_PRELOAD=FAKETIME_LIB, FAKETIME=offset,
                FAKETIME_DONT_FAKE_MONOTONIC="1",
                ASAN_OPTIONS=(asan + ":" if asan else "") + "verify_asan_link_order=0")


class Run:
    def __init__(self, rc, out, err, secs):
        self.rc, self.out, self.err, self.secs = rc, out, err, secs

    def __repr__(self):
        return f"exit {self.rc} after {self.secs:.1f} s\nstdout: {self.out}\nstderr: {self.err}"


class World:
    """The kiosk's data (one database), its config, and everything it printed."""

    def __init__(self, kiosk, kioskctl, tmp):
        self.kiosk, self.kioskctl, self.tmp = kiosk, kioskctl, tmp
        self.make_conf = private_config(tmp)  # without sync: for making responses
        self.base = open(self.make_conf, encoding="utf-8").read()
        self.conf = os.path.join(tmp, "sync.conf")
        self.db_path = os.path.join(tmp, "var", "kiosk.sqlite3")
        self.texts = []     # every output of kioskctl and the kiosk
        self.secrets = []   # what must never appear anywhere
        self.made = set()   # every response id made
        self.sync = {}
        self.set_sync(url="")
        r = self.kiosk_script("quit\n", conf=self.make_conf)
        expect(r.rc == 0, f"first start of the kiosk: {r}")
        self.kiosk_id = self.status()["kiosk_id"]
        expect(re.fullmatch(r"[A-Za-z0-9._-]+", self.kiosk_id or ""), "a kiosk id")

    # -- config
    def set_sync(self, **kv):
        self.sync.update(kv)
        text = self.base
        for key in ("url", "bundle_url", "user", "token_file", "ca_file", "interval",
                    "trusted_keys"):
            if key in self.sync:
                text, n = re.subn(rf"(?m)^{key} =.*$", f"{key} = {self.sync[key]}", text)
                expect(n == 1, f"the config has one {key} line")
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(text)

    def token_file(self, name, content, mode=0o600):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(content + "\n")
        os.chmod(path, mode)
        self.secrets.append(content)
        return path

    # -- running things
    def kioskctl_run(self, *args, env=None, timeout=90):
        t = time.monotonic()
        r = subprocess.run([self.kioskctl, "--config", self.conf, *args], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=timeout)
        run = Run(r.returncode, r.stdout, r.stderr, time.monotonic() - t)
        self.texts += [r.stdout, r.stderr]
        return run

    def kiosk_script(self, script, conf=None, env=None, timeout=300):
        t = time.monotonic()
        r = subprocess.run([self.kiosk, "--config", conf or self.conf, "--headless",
                            "--script", "-"], input=script, env=env, text=True,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        self.texts += [r.stdout, r.stderr]
        return Run(r.returncode, r.stdout, r.stderr, time.monotonic() - t)

    def status(self):
        r = self.kioskctl_run("status", "--json")
        expect(r.rc == 0, f"kioskctl status: {r}")
        return json.loads(r.out)

    # -- responses
    def make(self, n, env=None, due=True):
        """n responses through the real kiosk (a survey script each); with due, their
        hour is moved two hours back so that sync sends them."""
        rng = random.Random()
        script = "".join(SURVEY.format(a=rng.randint(1, 5), b=rng.randint(1, 5))
                         for _ in range(n)) + "quit\n"
        r = self.kiosk_script(script, conf=self.make_conf, env=env)
        ids = re.findall(r'"event":"submitted","response":"([0-9a-f]{32})"', r.out)
        expect(r.rc == 0 and len(ids) == n == len(set(ids)),
               f"the kiosk made {len(ids)} of {n} responses: exit {r.rc} {r.err[-500:]}")
        self.made.update(ids)
        if due:
            self.shift(ids, -7200)
        return set(ids)

    def db(self):
        con = sqlite3.connect(self.db_path, timeout=10)
        con.execute("PRAGMA foreign_keys = ON")
        return con

    def shift(self, ids, seconds):
        """Moves the hour of these responses (no kiosk or kioskctl may run)."""
        con = self.db()
        with con:
            con.executemany("UPDATE response SET hour = hour + ? WHERE id = ?",
                            [(seconds, i) for i in ids])
        con.close()

    def copy(self, n, hour=None):
        """n more responses, copies of one the kiosk made, with new random ids, their
        answers and their outbox rows; due (two hours back) unless hour is given."""
        con = self.db()
        tpl = con.execute("SELECT id, kiosk_id, survey_id, survey_version, language "
                          "FROM response ORDER BY random() LIMIT 1").fetchone()
        expect(tpl is not None, "a response to copy")
        answers = con.execute("SELECT position, value, question_id FROM answer "
                              "WHERE response_id = ?", (tpl[0],)).fetchall()
        hour = hour_now() - 7200 if hour is None else hour
        ids = [secrets.token_hex(16) for _ in range(n)]
        with con:
            for i in ids:
                con.execute("INSERT INTO response (id, kiosk_id, survey_id, survey_version, "
                            "hour, language) VALUES (?, ?, ?, ?, ?, ?)",
                            (i, tpl[1], tpl[2], tpl[3], hour, tpl[4]))
                con.executemany("INSERT INTO answer (response_id, position, value, "
                                "question_id) VALUES (?, ?, ?, ?)",
                                [(i,) + tuple(a) for a in answers])
                con.execute("INSERT INTO outbox (response_id) VALUES (?)", (i,))
        con.close()
        self.made.update(ids)
        return set(ids)

    def state(self):
        con = self.db()
        st = {
            "responses": {r[0] for r in con.execute("SELECT id FROM response")},
            "outbox": {r[0]: (r[1], r[2]) for r in
                       con.execute("SELECT response_id, batch_id, sent FROM outbox")},
            "batches": {r[0]: (r[1], bytes(r[2])) for r in
                        con.execute("SELECT id, responses, body FROM sync_batch")},
            "hours": dict(con.execute("SELECT id, hour FROM response")),
            "meta": dict(con.execute("SELECT key, value FROM meta")),
            "integrity": con.execute("PRAGMA integrity_check").fetchone()[0],
        }
        con.close()
        st["sent"] = {i for i, (_, s) in st["outbox"].items() if s}
        st["pending"] = {i for i, (_, s) in st["outbox"].items() if not s}
        st["kept"] = {i for i, (b, s) in st["outbox"].items() if b is not None and not s}
        return st


def server_objects(ng):
    """{path: bytes} of the feedback objects stored (wherever a redirect put them)."""
    return {p: b for p, b in ng.files("").items() if not p.startswith("status/")}


def check(w, ng, what, strict=True):
    """The database against the server.  strict: the server holds exactly the responses
    marked sent, each once.  Not strict (after a kill -9): each at most once, every one
    marked sent is there, and any other there is in a batch kept for a retry (which
    writes the same object again)."""
    st = w.state()
    expect(st["integrity"] == "ok", f"{what}: integrity_check: {st['integrity']}")
    r = w.kioskctl_run("db", "check")
    expect(r.rc == 0, f"{what}: kioskctl db check: {r}")
    lost = w.made - st["responses"]
    expect(not lost, f"{what}: {len(lost)} responses lost: {sorted(lost)[:3]}")
    extra = st["responses"] - w.made
    expect(not extra, f"{what}: {len(extra)} responses nobody made")
    expect(set(st["outbox"]) == st["responses"],
           f"{what}: {len(st['responses'] - set(st['outbox']))} responses not in the outbox")
    # Kept batches: their bytes hold exactly the responses given their id.
    for bid, (n, body) in st["batches"].items():
        in_body = server.response_ids({bid: body})
        mine = {i for i, (b, s) in st["outbox"].items() if b == bid}
        expect(set(in_body) == mine and max(in_body.values()) == 1 and n == len(mine),
               f"{what}: kept batch {bid} holds {len(in_body)} responses, {len(mine)} are "
               f"given to it, it says {n}")
        expect(all(not st["outbox"][i][1] for i in mine), f"{what}: batch {bid} kept, "
               "but some of its responses are marked sent")
    # A batch given to responses whose bytes were not kept yet (a kill between
    # the steps of making it) is kept by the next pass (store_batch_unkept);
    # it was never sent.  After a clean pass there is none.
    orphans = {i for i in st["kept"] if st["outbox"][i][0] not in st["batches"]}
    if strict:
        expect(not orphans, f"{what}: {len(orphans)} pending responses belong to a batch "
               "that is not kept")
    unbatched_sent = {i for i in st["sent"] if st["outbox"][i][0] is None}
    expect(not unbatched_sent, f"{what}: {len(unbatched_sent)} sent without a batch")
    # The server.
    objs = server_objects(ng)
    pat = re.compile(rf"(?:moved/)?feedback/{re.escape(w.kiosk_id)}/([0-9a-f]{{32}})\.ndjson")
    for p in objs:
        m = pat.fullmatch(p)
        expect(m, f"{what}: an object the kiosk should not have made: {p}")
        if m.group(1) in st["batches"]:
            expect(objs[p] == st["batches"][m.group(1)][1], f"{what}: {p} differs from the "
                   "bytes kept for its batch")
    count = server.response_ids(objs)
    expect(not (orphans & set(count)), f"{what}: responses of a batch never kept are on "
           "the server")
    twice = [i for i, n in count.items() if n > 1]
    expect(not twice, f"{what}: {len(twice)} responses on the server more than once")
    on = set(count)
    missing = st["sent"] - on
    expect(not missing, f"{what}: {len(missing)} responses marked sent are not on the server")
    if strict:
        expect(on == st["sent"], f"{what}: {len(on - st['sent'])} responses on the server are "
               "not marked sent")
    else:
        expect(on <= st["sent"] | st["kept"], f"{what}: {len(on - st['sent'] - st['kept'])} "
               "responses on the server are neither sent nor in a kept batch")
    return st


def sent_lines(out):
    return sum(int(n) for n in re.findall(r"(?m)^batch [0-9a-f]{32}: (\d+) responses sent$", out))


def sync_ok(w, ng, what, env=None, offset=0):
    """A `kioskctl sync` (its clock offset seconds from the real one) that must send
    everything due: no batch is left and no response of an hour that had ended when it
    started; its lines add up."""
    before = w.state()["sent"]
    t0 = int(time.time()) + offset
    r = w.kioskctl_run("sync", env=env)
    expect(r.rc == 0, f"{what}: sync: {r}")
    st = check(w, ng, what)
    left = due_at(st, t0)
    expect(not st["batches"] and not left, f"{what}: exit 0, but {len(st['batches'])} "
           f"batches and {len(left)} due responses are left")
    new = st["sent"] - before
    expect(sent_lines(r.out) == len(new), f"{what}: the batch lines say {sent_lines(r.out)}, "
           f"{len(new)} were marked sent: {r.out}")
    m = re.search(r"(?m)^(\d+) responses sent in (\d+) batches; (\d+) waiting$", r.out)
    expect(m and int(m.group(1)) == len(new) and int(m.group(3)) == len(st["pending"]),
           f"{what}: the summary line: {r.out}")
    return r, st, new


def sync_fails(w, ng, what, rc, words, env=None, max_secs=None):
    """A `kioskctl sync` that must stop with exit rc and a message with words; nothing is
    marked sent by it."""
    before = w.state()
    r = w.kioskctl_run("sync", env=env)
    expect(r.rc == rc, f"{what}: expected exit {rc}: {r}")
    for word in words:
        expect(word.lower() in r.err.lower(), f"{what}: {word!r} not in the message: {r.err}")
    if max_secs is not None:
        expect(r.secs < max_secs, f"{what}: took {r.secs:.1f} s (at most {max_secs})")
    st = check(w, ng, what)
    expect(st["sent"] == before["sent"], f"{what}: responses were marked sent")
    return r, st


def status_object(w, ng, st, what):
    path = os.path.join(ng.root, "status", w.kiosk_id + ".json")
    expect(os.path.exists(path), f"{what}: no status object")
    text = open(path, encoding="utf-8").read()
    o = json.loads(text)
    expect(set(o) == STATUS_KEYS, f"{what}: the status object's keys: {sorted(o)}")
    expect(o["kiosk_id"] == w.kiosk_id, f"{what}: status kiosk_id")
    expect(o["feedback_pending"] == len(st["pending"]) and
           o["feedback_sent"] == len(st["sent"]),
           f"{what}: status says {o['feedback_pending']} pending, {o['feedback_sent']} sent; "
           f"the database {len(st['pending'])}, {len(st['sent'])}")
    expect(isinstance(o["last_sync"], str) and
           re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", o["last_sync"]),
           f"{what}: status last_sync {o['last_sync']!r}")
    leaked = [i for i in w.made if i in text]
    expect(not leaked and "answers" not in text and "projekt" not in text,
           f"{what}: the status object holds response content")
    return o


# ---------------------------------------------------------------------------- the cases

def case_normal(w, ng, env):
    expect(w.status()["last_sync"] is None, "last_sync before any sync")
    due = w.make(40)
    current = w.make(10, due=False)
    hour = hour_now()
    # Into this hour, each of them (a scripted kiosk's wall clock moves on with
    # its virtual one, so ten surveys may have crossed into the next hour).
    hours = w.state()["hours"]
    for i in current:
        w.shift([i], hour - hours[i])
    r, st, new = sync_ok(w, ng, "normal")
    same_hour = hour_now() == hour
    expect(new == due if same_hour else new == due | current,
           f"normal: sent {len(new)}, due were {len(due)}")
    if same_hour:
        expect(current <= st["pending"] and not (current & st["kept"]),
               "normal: responses of the current hour did not wait")
        expect("10 waiting" in r.out, f"normal: {r.out}")
    users = {e["user"] for e in ng.log() if e["method"] == "PUT"}
    expect(users == {"kiosk"}, f"normal: the PUTs' basic auth users: {users}")
    o = status_object(w, ng, st, "normal")
    s = w.status()
    expect(s["last_sync"] and s["last_sync"] == o["last_sync"] and s["last_sync_error"] is None,
           f"normal: kioskctl status last_sync {s['last_sync']!r}, the object's "
           f"{o['last_sync']!r}")
    # Nothing new due: a pass sends nothing and says so.
    if same_hour:
        r, st, new = sync_ok(w, ng, "normal, again")
        expect(not new, "normal, again: sent something")


def case_https(w, ng, env):
    ng.tls = True
    ng.restart()
    w.set_sync(url=ng.url, ca_file=ng.ca_file)
    w.make(20)
    sync_ok(w, ng, "https with the test CA")
    w.make(10)
    n_log = len(ng.log())
    # A ca_file missing or not PEM is the config's fault (exit 3), not the server's.
    garbage = os.path.join(w.tmp, "garbage-ca.pem")
    with open(garbage, "w") as f:
        f.write("not a certificate\n")
    for path in (os.path.join(w.tmp, "missing-ca.pem"), garbage):
        w.set_sync(ca_file=path)
        sync_fails(w, ng, f"https, ca_file {os.path.basename(path)}", 3, ["ca_file", path])
    w.set_sync(ca_file=ng.wrong_ca_file)
    sync_fails(w, ng, "https, the other CA", 1, ["TLS"])
    for tls in ("wronghost", "untrusted"):
        ng.tls = tls
        ng.restart()
        w.set_sync(ca_file=ng.ca_file)
        sync_fails(w, ng, f"https, certificate {tls}", 1, ["TLS"])
    w.set_sync(ca_file="")
    ng.tls = True
    ng.restart()
    sync_fails(w, ng, "https, the system's CAs only", 1, ["TLS"])
    expect(len(ng.log()) == n_log, "https: a request got through a refused TLS handshake")
    w.set_sync(ca_file=ng.ca_file)
    sync_ok(w, ng, "https, the test CA again")
    # back to http for the cases that follow
    ng.tls = False
    ng.restart()
    w.set_sync(url=ng.url, ca_file="")


def case_bearer(w, ng, env):
    token = secrets.token_urlsafe(24)
    ng.auth = ("bearer", token)
    ng.restart()
    w.set_sync(user="", token_file=w.token_file("bearer.token", token))
    w.make(10)
    sync_ok(w, ng, "bearer")
    w.make(5)
    w.set_sync(token_file=w.token_file("bearer-wrong.token", secrets.token_urlsafe(24)))
    sync_fails(w, ng, "bearer, a wrong token", 1, ["401"])
    w.set_sync(token_file=os.path.join(w.tmp, "bearer.token"))
    sync_ok(w, ng, "bearer, the right token")
    ng.auth = env["basic"]
    ng.restart()
    w.set_sync(user=env["basic"][1], token_file=env["basic_file"])
    sync_ok(w, ng, "basic again")


def case_token_mode(w, ng, env):
    w.make(5)
    n_log = len(ng.log())
    os.chmod(env["basic_file"], 0o644)
    try:
        r, _ = sync_fails(w, ng, "token_file 0644", 3, ["token_file", "644", "chmod 600"])
    finally:
        os.chmod(env["basic_file"], 0o600)
    expect(len(ng.log()) == n_log, "token_file 0644: requests were made")
    sync_ok(w, ng, "token_file 0600 again")


def case_down(w, ng, env):
    w.make(15)
    ng.stop()
    try:
        r, st = sync_fails(w, ng, "server down", 5, ["nothing is lost"], max_secs=5)
    finally:
        ng.start()
    sync_ok(w, ng, "server up again")


def refusal(w, ng, what, rc, words, reset, kept=True):
    """kept: the refusal comes at the PUT (the batch is kept for the next pass), else
    already at the MKCOL (no batch made)."""
    w.make(10)
    try:
        sync_fails(w, ng, what, rc, words)
        st = w.state()
        expect(len(st["batches"]) == (1 if kept else 0) and
               len(st["kept"]) >= (10 if kept else 0),
               f"{what}: {len(st['batches'])} batches kept")
    finally:
        reset()
    sync_ok(w, ng, what + ", then healthy")


def case_refusals(w, ng, env):
    for code in (500, 403):
        ng.set_faults({"/feedback/": code})
        refusal(w, ng, f"nginx answers {code}", 1, [str(code)], lambda: ng.set_faults({}))
    wrong = w.token_file("basic-wrong.token", "wrong-" + secrets.token_hex(8))
    w.set_sync(token_file=wrong)
    refusal(w, ng, "a wrong password (401)", 1, ["401", "check [sync] user"],
            lambda: w.set_sync(token_file=env["basic_file"]), kept=False)
    ng.max_body = "1k"
    ng.restart()

    def unlimited():
        ng.max_body = None
        ng.restart()
    refusal(w, ng, "nginx max_body 1k (413)", 1, ["413"], unlimited)


def case_dry_run(w, ng, env):
    # A batch kept from a refused pass, and new responses not yet in a batch.
    w.make(10)
    ng.set_faults({"/feedback/": 500})
    try:
        sync_fails(w, ng, "dry-run: a batch kept", 1, ["500"])
    finally:
        ng.set_faults({})
    w.make(7)
    w.copy(250)
    before, n_log = w.state(), len(ng.log())
    r = w.kioskctl_run("sync", "--dry-run")
    expect(r.rc == 0, f"dry-run: {r}")
    due = due_at(before, int(time.time()))
    m = re.search(r"would send (\d+) responses \((\d+) of them in (\d+) batch(?:es)? made "
                  rf"before\) to (\S+)/feedback/{re.escape(w.kiosk_id)}/; nothing sent", r.out)
    expect(m and int(m.group(1)) == len(due) and int(m.group(2)) == len(before["kept"]) == 10
           and int(m.group(3)) == 1 and m.group(4) == ng.url,
           f"dry-run: expected {len(due)} responses, 10 of them in 1 batch: {r.out}")
    after = w.state()
    for k in ("outbox", "batches", "meta", "hours"):
        expect(after[k] == before[k], f"dry-run: the database's {k} changed")
    expect(len(ng.log()) == n_log, "dry-run: it made requests")
    check(w, ng, "dry-run")
    r, st, new = sync_ok(w, ng, "after the dry run")
    expect(len(new) == len(due), f"after the dry run: sent {len(new)}, {len(due)} were said")


class Proxy(server.Misbehaving):
    """Misbehaving in front of nginx; with delay, a PUT's answer is held back for up to
    that many seconds after nginx stored the object (the window in which a kill -9 leaves
    an object on the server that the database has not marked sent)."""
    delay = 0.0

    def _pass(self, req):
        answer = super()._pass(req)
        if self.delay and req.method == "PUT" and "/feedback/" in req.path:
            time.sleep(random.uniform(0, self.delay))
        return answer


def case_faults(w, ng, env):
    mb = Proxy("pass", upstream=ng).start()
    try:
        w.set_sync(url=mb.url)
        w.make(5)
        sync_ok(w, ng, "through the proxy")

        def fault(what, rc, words, mode, max_secs=None, then=None, **opts):
            w.make(5)
            mb.set_mode(mode, **opts)
            n = len(mb.requests)
            try:
                r, _ = sync_fails(w, ng, what, rc, words, max_secs=max_secs)
                if then:
                    then(mb.requests[n:], r)
            finally:
                mb.set_mode("pass")
            sync_ok(w, ng, what + ", then healthy")
            return r

        fault("507", 1, ["507", "disk is full"], "status", code=507)

        def not_followed(reqs, r):
            puts = [q for q in reqs if q.method == "PUT" and "/feedback/" in q.path]
            expect(len(puts) == 1, f"redirect to another host: {len(puts)} PUTs: {puts}")
        fault("a redirect to another host", 1, ["307", "redirect", "not followed"],
              "redirect", location=f"http://localhost:{mb.port}{{path}}", code=307,
              prefix="/feedback/", then=not_followed)
        # To the same host: followed, and the object is where the redirect said.
        os.makedirs(os.path.join(ng.root, "moved", "feedback", w.kiosk_id), exist_ok=True)
        w.make(5)
        mb.set_mode("redirect", location="/moved{path}", code=307, prefix="/feedback/")
        try:
            before = set(server_objects(ng))
            sync_ok(w, ng, "a redirect to the same host")
            new = set(server_objects(ng)) - before
            expect(new and all(p.startswith("moved/feedback/") for p in new),
                   f"a redirect to the same host: new objects {new}")
        finally:
            mb.set_mode("pass")
        fault("redirects in a loop", 1, ["more than 3 redirects"], "redirect",
              location="{path}", code=307, prefix="/feedback/")
        # A 2xx whose reply is above the cap: cut off, and not taken for a receipt.
        fault("a reply above 64 KiB", 1, ["above 64 KiB"], "status", code=201,
              body=b"x" * (100 * 1024))
        fault("garbage", 1, ["PUT"], "garbage", methods=("PUT",))
        fault("a connection cut mid-upload", 5, ["nothing is lost"], "cut", after=0.5)
        fault("a connection cut mid-upload (reset)", 5, ["nothing is lost"], "cut",
              after=0.5, rst=True)
        r = fault("a stall after the body", 5, ["nothing is lost"], "stall", when="body",
                  max_secs=40)
        expect(r.secs > 15, f"a stall: it gave up after {r.secs:.1f} s, before the 20 s")
    finally:
        mb.stop()
        w.set_sync(url=ng.url)


def due_at(st, t):
    """What a pass at wall clock t must send: the kept batches' responses and the pending
    ones of hours before t's."""
    return st["kept"] | {i for i in st["pending"] if st["hours"][i] < t - t % 3600}


def sync_at(w, ng, what, offset):
    """kioskctl sync with its clock offset seconds from the real one; it sends exactly
    what is due at that clock (read before and after: an hour may end meanwhile)."""
    before = w.state()
    expected = [due_at(before, int(time.time()) + offset)]
    r, st, new = sync_ok(w, ng, what, env=faketime_env(f"{offset:+d}"), offset=offset)
    expected.append(due_at(before, int(time.time()) + offset))
    expect(new in expected, f"{what}: sent {len(new)}, expected {len(expected[0])}")
    return r, st, new


def case_clock(w, ng, env):
    expect(os.path.exists(FAKETIME_LIB), f"{FAKETIME_LIB}: `make test-deps` installs faketime")
    day = 86400
    # Made while the kiosk's clock was a day ahead: their hour is in the future.
    ahead = w.make(12, env=faketime_env(f"+{day}"), due=False)
    hours = w.state()["hours"]
    expect(all(hours[i] >= hour_now() + day - 3600 for i in ahead),
           "clock: the kiosk under faketime +1 d did not store tomorrow's hour")
    due = w.make(8)
    r, st, new = sync_at(w, ng, "clock: real", 0)
    expect(due <= new and ahead <= st["pending"] and not ahead & st["kept"],
           "clock: responses of a future hour did not wait")
    # The clock two days back: nothing is due, nothing goes.
    more = w.make(6)
    r, st, new = sync_at(w, ng, "clock: two days back", -2 * day)
    expect(not new and "0 responses sent" in r.out, f"clock back: sent {len(new)}")
    # A day ahead: the real current hour has (apparently) ended; the day-ahead hour is
    # the apparent current one and waits.
    now = w.make(4, due=False)
    r, st, new = sync_at(w, ng, "clock: a day ahead", day)
    expect(more | now <= new, "clock ahead: responses of an apparently ended hour waited")
    expect(ahead <= st["pending"], "clock ahead: responses of the apparent current hour went")
    # A day and two hours ahead: they go too.
    r, st, new = sync_at(w, ng, "clock: 26 h ahead", day + 2 * 3600)
    expect(ahead <= new, "clock 26 h ahead: the responses made a day ahead did not go")
    # A batch made while the clock was ahead and refused, then sent after the clock went
    # back: the kept batch goes as it is (the same bytes: check() compares them), once.
    now = w.make(5, due=False)
    ng.set_faults({"/feedback/": 500})
    try:
        sync_fails(w, ng, "clock: 3 h ahead, refused", 1, ["500"],
                   env=faketime_env(f"+{3 * 3600}"))
        st = w.state()
        expect(now <= st["kept"], "clock ahead: the batch with this hour's responses is not "
               "kept")
    finally:
        ng.set_faults({})
    r, st, new = sync_at(w, ng, "clock: back to a day behind", -day)
    expect(new == now, f"clock back: the kept batch: sent {len(new)}, expected {len(now)}")
    # The kiosk itself with its clock a day behind: it passes, and sends nothing, as no
    # hour of these responses has ended in its eyes.
    late = w.make(3)
    start = w.state()["sent"]
    con = w.db()
    with con:  # so that only the kiosk's pass can note one
        con.execute("DELETE FROM meta WHERE key = 'last_sync'")
    con.close()
    n_log = len(ng.log())
    t0 = time.time()
    r = w.kiosk_script("advance 11\nwait 3000\nquit\n", env=faketime_env(f"-{day}"))
    expect(r.rc == 0, f"clock: the kiosk a day behind: {r}")
    noted = int(w.state()["meta"].get("last_sync", 0))
    # A scripted kiosk's wall clock may move on with its virtual one (advance 11).
    expect(t0 - day - 5 <= noted <= time.time() - day + 30,
           f"clock: the kiosk a day behind made no pass (last_sync {noted}): {r.err[-500:]}")
    expect(len(ng.log()) > n_log, "clock: the kiosk a day behind made no request")
    st = check(w, ng, "clock: the kiosk a day behind")
    expect(st["sent"] == start and late <= st["pending"],
           "clock: the kiosk a day behind sent responses of hours it has not yet seen end")
    sync_at(w, ng, "clock: real again", 0)


def wait_for(cond, timeout, what, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(step)
    raise Failed(f"{what}: not within {timeout} s")


class LiveKiosk:
    """The kiosk headless with a script on a pipe, its stderr read as it comes."""

    def __init__(self, w):
        self.w = w
        self.p = subprocess.Popen([w.kiosk, "--config", w.conf, "--headless", "--script", "-"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, bufsize=1)
        self.err, self.out = [], []
        self.threads = [threading.Thread(target=self._read, args=(self.p.stderr, self.err)),
                        threading.Thread(target=self._read, args=(self.p.stdout, self.out))]
        for t in self.threads:
            t.start()

    def _read(self, f, into):
        for line in f:
            into.append(line)

    def say(self, *lines):
        self.p.stdin.write("".join(line + "\n" for line in lines))
        self.p.stdin.flush()

    def log(self):
        return "".join(self.err)

    def sync_point(self, *lines):
        """Says the lines and waits until the kiosk has run them (a dump after them)."""
        n = sum('"end":"dump"' in x for x in self.out)
        self.say(*lines, "dump")
        wait_for(lambda: sum('"end":"dump"' in x for x in self.out) > n, 20,
                 f"the kiosk running {lines}")

    def quit(self):
        with contextlib.suppress(BrokenPipeError, OSError):
            self.say("quit")
            self.p.stdin.close()
        try:
            rc = self.p.wait(30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        for t in self.threads:
            t.join()
        self.w.texts += [self.log(), "".join(self.out)]
        return rc


def kiosk_pass(w, ng, k, before, what):
    """Waits for the kiosk's pass that sends what was due; its log line counts them."""
    t0 = int(time.time())
    m = wait_for(lambda: re.search(r"synced (\d+) responses in (\d+) batches", k.log()), 20,
                 what)
    st = check(w, ng, what)
    new = st["sent"] - before["sent"]
    expect(int(m.group(1)) == len(new), f"{what}: the log says {m.group(1)} responses, "
           f"{len(new)} were marked sent")
    # (the kiosk's wall clock may run ahead with its virtual one: advance 11, wait 3000)
    expect(new in (due_at(before, t0), due_at(before, int(time.time())),
                   due_at(before, int(time.time()) + 30)),
           f"{what}: sent {len(new)}, {len(due_at(before, t0))} were due")
    return new


def case_kiosk(w, ng, env):
    w.set_sync(interval=60)
    due = w.make(20)
    before = w.state()
    n_log = len(ng.log())
    k = LiveKiosk(w)
    try:
        k.sync_point("advance 8")
        # Nothing to wait for: a pass started now would reach nginx within this.
        time.sleep(0.5)
        expect(len(ng.log()) == n_log, "the kiosk synced before its first 10 s")
        k.say("advance 3", "wait 3000")
        new = kiosk_pass(w, ng, k, before, "the kiosk's first pass")
        expect(due <= new, "the kiosk's first pass: not all due responses went")
    finally:
        rc = k.quit()
    expect(rc == 0, f"the kiosk exited {rc}: {k.log()[-800:]}")
    check(w, ng, "the kiosk's own pass")
    # The server away at the first pass: a try again after the backoff (5 to 10 s after a
    # first failure with an interval of 60 s), not before.
    more = w.make(15)
    before = w.state()
    ng.stop()
    k = LiveKiosk(w)
    try:
        k.say("advance 11", "wait 500")
        m = wait_for(lambda: re.search(r"the sync server is away; next try in (\d+) s",
                                       k.log()), 20, "the kiosk's failed pass")
        delay = int(m.group(1))
        expect(5 <= delay <= 10, f"the first backoff is {delay} s")
        check(w, ng, "the kiosk, server away")
        ng.start()
        n_log = len(ng.log())
        k.sync_point(f"advance {delay - 2}")
        # Nothing to wait for: a pass started now would reach nginx within this.
        time.sleep(0.5)
        expect(len(ng.log()) == n_log, f"the kiosk tried again before its {delay} s backoff")
        k.say("advance 3", "wait 3000")
        new = kiosk_pass(w, ng, k, before, "the kiosk's pass after the backoff")
        expect(more <= new, "the kiosk's pass after the backoff: not all due responses went")
    finally:
        rc = k.quit()
        if not ng.running:
            ng.start()
    expect(rc == 0, f"the kiosk exited {rc}: {k.log()[-800:]}")
    check(w, ng, "the kiosk's pass after the backoff")
    w.set_sync(interval=900)


def kill9_round(w, ng, rng, kinds, n, kiosk):
    """One pass of kioskctl sync (or of the kiosk's sync worker) killed with SIGKILL after
    k batches were confirmed and a random moment more: while a batch is made, PUT, stored
    and held back by the proxy, or marked sent."""
    st = w.state()
    due = len({i for i in st["pending"] if st["hours"][i] < hour_now()})
    if due < 3 * BATCH:
        w.copy(3 * BATCH + rng.randint(0, BATCH) - due)
    before = w.state()
    k = rng.randrange(-(-len(due_at(before, int(time.time()))) // BATCH))
    if kiosk:
        p = subprocess.Popen([w.kiosk, "--config", w.conf, "--headless", "--script", "-"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        p.stdin.write("advance 11\nwait 60000\nquit\n")
        p.stdin.close()
        progress = (lambda out, err: sum("responses received by the server" in x for x in err))
    else:
        p = subprocess.Popen([w.kioskctl, "--config", w.conf, "sync"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        progress = (lambda out, err: sum(x.startswith("batch ") for x in out))
    out, err = [], []
    threads = [threading.Thread(target=lambda: out.extend(p.stdout)),
               threading.Thread(target=lambda: err.extend(p.stderr))]
    for t in threads:
        t.start()
    what = f"kill -9 round {n} ({'the kiosk' if kiosk else 'kioskctl sync'})"
    wait_for(lambda: progress(out, err) >= k or p.poll() is not None, 30, f"{what}: {k} batches")
    time.sleep(rng.uniform(0.0, 0.3 if k == 0 else 0.1))
    p.send_signal(signal.SIGKILL)
    p.wait()
    for t in threads:
        t.join()
    w.texts += ["".join(out), "".join(err)]
    st = check(w, ng, what, strict=False)
    on = set(server.response_ids(server_objects(ng)))
    if p.returncode != -signal.SIGKILL or any(re.search(r"synced \d+ responses", x) for x in err):
        kinds["finished before the kill"] += 1
    elif on - st["sent"]:
        kinds["killed with an object stored but not marked sent"] += 1
    elif st["sent"] - before["sent"]:
        kinds["killed after some batches"] += 1
    else:
        kinds["killed before any batch was confirmed"] += 1


def case_kill9(w, ng, env, rounds, kiosk_rounds=10):
    """rounds kills of kioskctl sync and kiosk_rounds of the kiosk that land in a pass
    (one that ended before the kill does not count)."""
    rng = random.Random(int(os.environ.get("SEED", time.time())))
    mb = Proxy("pass", upstream=ng).start()
    mb.delay = 0.15
    w.set_sync(url=mb.url)
    w.make(20)  # the kiosk's own, and models for the copies
    report = []
    try:
        for kiosk, want in ((False, rounds), (True, kiosk_rounds)):
            kinds = collections.Counter()
            n = 0
            while n - kinds["finished before the kill"] < want:
                expect(n < 2 * want, f"kill -9: {kinds['finished before the kill']} of {n} "
                       "passes ended before the kill")
                n += 1
                kill9_round(w, ng, rng, kinds, n, kiosk)
            report.append((kiosk, kinds))
        mb.delay = 0
        sync_ok(w, ng, "kill -9: the final clean sync")
    finally:
        mb.stop()
        w.set_sync(url=ng.url)
    for kiosk, kinds in report:
        print(f"      kill -9 of {'the kiosk' if kiosk else 'kioskctl sync'}: {dict(kinds)}",
              flush=True)
    expect(report[0][1]["killed with an object stored but not marked sent"] >= 1,
           "kill -9: no kill landed between a stored object and its mark: the test proves "
           "too little")


def no_secret_printed(w, what):
    text = "\n".join(w.texts)
    for s in w.secrets:
        expect(s not in text, f"{what}: a password or token was printed or logged")


def final_secrets(w, ng):
    """The password and tokens never appear anywhere."""
    places = {"outputs": "\n".join(w.texts).encode()}
    for name in ("access.log", "error.log", "stderr.log"):
        with contextlib.suppress(FileNotFoundError):
            places["nginx " + name] = open(os.path.join(ng.dir, "logs", name), "rb").read()
    for dirpath, _, names in os.walk(os.path.join(ng.root)):
        for n in names:
            places[os.path.relpath(os.path.join(dirpath, n), ng.root)] = \
                open(os.path.join(dirpath, n), "rb").read()
    for n in os.listdir(os.path.dirname(w.db_path)):
        p = os.path.join(os.path.dirname(w.db_path), n)
        if os.path.isfile(p):
            places["var/" + n] = open(p, "rb").read()
    r = w.kioskctl_run("export", "--format", "json")
    places["export"] = r.out.encode()
    needles = []
    for s in w.secrets:
        needles += [s.encode(), base64.b64encode(s.encode())]
    user, pw = w.basic
    needles.append(base64.b64encode(f"{user}:{pw}".encode()))
    for where, data in places.items():
        for nd in needles:
            expect(nd not in data, f"a secret appears in {where}")
    return len(places)


def case_bundle_url(w, ng, env):
    """Content from the server ([sync] bundle_url): fetched with If-None-Match,
    installed exactly as a bundle from a stick, a refused one left alone."""
    keys = os.path.join(w.tmp, "keys")
    os.makedirs(keys, exist_ok=True)
    for who in ("staff", "stranger"):
        if not os.path.exists(os.path.join(w.tmp, who + ".key")):
            r = w.kioskctl_run("bundle", "keygen", os.path.join(w.tmp, who))
            expect(r.rc == 0, f"bundle-url: keygen {r}")
    shutil.copy(os.path.join(w.tmp, "staff.pub"), keys)
    folder = os.path.join(ng.root, "content")
    os.makedirs(folder, exist_ok=True)
    served = os.path.join(folder, "kiosk.kiosk")

    def serve(version, key="staff"):
        r = w.kioskctl_run("bundle", "create", "--key", os.path.join(w.tmp, key + ".key"),
                           "--src", os.path.join(ROOT, "assets", "content"), "--media",
                           os.path.join(ROOT, "media"), "--version", str(version),
                           "--out", served + ".new")
        expect(r.rc == 0, f"bundle-url: create {version}: {r}")
        os.chmod(served + ".new", 0o644)
        # nginx's ETag is the file's mtime in seconds and its size: each new
        # bundle gets a later second, as a real update would.
        serve.mtime = getattr(serve, "mtime", int(time.time())) + 10
        os.utime(served + ".new", (serve.mtime, serve.mtime))
        os.rename(served + ".new", served)

    w.set_sync(bundle_url=ng.url + "/content/kiosk.kiosk", trusted_keys=keys)
    try:
        serve(7000)
        r = w.kioskctl_run("sync")
        expect(r.rc == 0 and "content version 7000 from the server installed" in r.out,
               f"bundle-url: the first sync installs it: {r}")
        expect(w.status()["content_version"] == 7000, "bundle-url: version 7000 in use")
        gets = [e for e in ng.log() if e["method"] == "GET" and "kiosk.kiosk" in e["uri"]]
        r = w.kioskctl_run("sync")
        gets2 = [e for e in ng.log() if e["method"] == "GET" and "kiosk.kiosk" in e["uri"]]
        expect(r.rc == 0 and "installed" not in r.out and len(gets2) == len(gets) + 1 and
               gets2[-1]["status"] == 304,
               f"bundle-url: unchanged on the server, a 304 and nothing installed: {r} "
               f"{gets2[-1:]}")
        serve(7100, key="stranger")
        r = w.kioskctl_run("sync")
        expect(r.rc == 0 and "not installed" in r.err and "not among the trusted keys" in r.err
               and w.status()["content_version"] == 7000,
               f"bundle-url: an untrusted bundle is refused as from a stick: {r}")
        r = w.kioskctl_run("sync")
        expect("not installed" not in r.err, f"bundle-url: a refused bundle is not fetched "
               f"again until it changes: {r}")
        serve(7200)
        r = w.kioskctl_run("sync")
        expect("content version 7200 from the server installed" in r.out and
               w.status()["content_version"] == 7200, f"bundle-url: a newer one: {r}")
        # The kiosk itself: its pass fetches, its import worker installs.
        serve(7300)
        r = w.kiosk_script("advance 11\nwait 5000\nquit\n")
        expect(r.rc == 0 and w.status()["content_version"] == 7300,
               f"bundle-url: the kiosk installs it on its own: {r.err[-800:]}")
    finally:
        w.set_sync(bundle_url="")
        shutil.rmtree(folder, ignore_errors=True)  # the server holds only the kiosk's again


ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

CASES = ["normal", "https", "bearer", "token-mode", "down", "refusals", "faults", "dry-run",
         "clock", "kiosk", "bundle-url", "kill9"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kiosk")
    ap.add_argument("kioskctl")
    ap.add_argument("--cases", default="")
    ap.add_argument("--rounds", type=int, default=0, help="kill -9 rounds (kill9 case)")
    a = ap.parse_args()
    cases = [c for c in a.cases.split(",") if c] or \
        [c for c in CASES if c != "kill9" or a.rounds]
    unknown = set(cases) - set(CASES)
    if unknown:
        ap.error(f"unknown cases {sorted(unknown)}")
    if "kill9" in cases and not a.rounds:
        a.rounds = 30
    tmp = tempfile.mkdtemp(prefix="kiosk-sync-test-")
    t0 = time.monotonic()
    failed = False
    ng = None
    try:
        w = World(os.path.abspath(a.kiosk), os.path.abspath(a.kioskctl), tmp)
        password = "pw-" + secrets.token_hex(12)
        w.basic = ("kiosk", password)
        ng = server.Nginx(tmp, tls=True, auth=("basic", "kiosk", password))
        ng.tls = False
        ng.start()
        env = {"basic": ("basic", "kiosk", password),
               "basic_file": w.token_file("basic.token", password)}
        w.set_sync(url=ng.url, user="kiosk", token_file=env["basic_file"], ca_file="")
        for c in cases:
            t = time.monotonic()
            try:
                fn = globals()["case_" + c.replace("-", "_")]
                if c == "kill9":
                    fn(w, ng, env, a.rounds)
                else:
                    fn(w, ng, env)
                check(w, ng, c + ": at its end")
                no_secret_printed(w, c)
                print(f"ok    {c} ({time.monotonic() - t:.1f} s)", flush=True)
            except Exception:
                failed = True
                print(f"FAIL  {c} ({time.monotonic() - t:.1f} s)", flush=True)
                traceback.print_exc()
                break
        if not failed:
            n = final_secrets(w, ng)
            print(f"ok    no secret in {n} places (outputs, nginx's logs, the objects, the "
                  "database files, an export)")
            st = w.state()
            print(f"ok    {len(w.made)} responses made, {len(st['sent'])} on the server once "
                  f"each, {len(st['pending'])} pending; {time.monotonic() - t0:.1f} s")
    except Exception:
        failed = True
        traceback.print_exc()
    finally:
        if ng is not None:
            ng.stop()
        if os.environ.get("KEEP") or (failed and os.environ.get("KEEP_FAILED")):
            print("kept", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
