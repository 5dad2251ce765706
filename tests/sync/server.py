#!/usr/bin/env python3
"""The server side of the sync tests (issue 12 item 6): Python 3 standard library only.

    python3 tests/sync/server.py --selftest      # checks every piece below (ctest: sync.harness)

A test driver imports it (sys.path.insert(0, "tests/sync"); import server) and uses:

PKI(dir)
    Made with the openssl tool, once per folder (reused when already there): a test CA
    (`ca`), a server certificate for 127.0.0.1 and localhost signed by it (`server_cert`,
    `server_key`, subjectAltName IP:127.0.0.1, DNS:localhost), one signed by the same CA for
    the wrong host `wrong.example` (`wronghost_cert`/`_key`), a second, unrelated CA
    (`other_ca`) and a certificate for 127.0.0.1 signed by that one (`untrusted_cert`/`_key`).
    All valid from 2000-01-01 to 2099-12-31, so a kiosk clock that jumps does not make TLS fail
    by itself.  EC P-256 keys (fast to make).

Nginx(tmpdir, tls=False, auth=None, max_body=None, faults=None, port=None)
    A real nginx (Debian's `nginx` package, ngx_http_dav_module) on 127.0.0.1 with its own
    nginx.conf, pid file, logs and temp paths under tmpdir/nginx/, serving tmpdir/nginx/root/
    with `dav_methods PUT DELETE MKCOL MOVE; create_full_put_path off;`.  It runs in the
    foreground (`daemon off`) in its own process group, master and one worker.
      tls      False (http) | True or "good" (the server certificate) | "wronghost" |
               "untrusted" (a certificate of the other CA); the PKI is tmpdir/pki.
      auth     None | ("basic", user, password) (htpasswd by `openssl passwd -apr1`) |
               ("bearer", token) (`if ($http_authorization != "Bearer TOKEN") { return 401; }`)
      max_body client_max_body_size ("1k", 4096, ...; nginx's default is 1m).
      faults   {path prefix: code} or {prefix: (code, "PUT|MKCOL")} or {prefix: (code, "PUT",
               location)} for redirects: matching requests get that answer (`return`); the
               prefix is matched before auth, so a fault answers without credentials too.
    start(), stop() (SIGQUIT: graceful, in-flight requests finish; SIGKILL after 10 s),
    kill() (SIGKILL to the whole process group: the server gone mid-upload), restart(),
    set_faults(dict) (restarts), `running`, `port` (kept across stop/start, so "down, then up
    again" is stop() ... start()), `url` ("http://127.0.0.1:PORT"), `url_localhost`,
    `ca_file`, `wrong_ca_file`, `root`, files(prefix="feedback/") ({relative path: bytes} of
    what is stored: only whole objects, nginx writes a PUT to a temp file and renames it),
    log() (the access log: a dict per request: method, uri, status, length, user),
    error_log() (text).  A context manager (stops on exit).

Misbehaving(mode="pass", upstream=None, tmpdir=None, tls=False, **options)
    A small threaded server on 127.0.0.1 (free port) for what nginx cannot do.  Every request
    is recorded in `requests` (Request: method, path, headers, body as far as read, complete,
    action, status); `connections` counts accepted connections.  Requests that no fault
    matches pass through: to `upstream` (an Nginx or a URL) when given, else to a small store
    in memory that answers as nginx does (see below).  set_mode(mode, **options) switches at
    any time; faults with count=N apply to the next N matching requests, then it passes
    through again ("fail the first N PUTs, then succeed").  Options common to faults:
    methods (a tuple; "PUT" only by default for status/redirect/cut, every method for
    garbage/stall), prefix (a path prefix), count.
      "pass"      no fault.
      "status"    code=500, headers={...}, body=b"": answer that status (e.g. 507, 401 with
                  WWW-Authenticate).  With `Expect: 100-continue` it answers at once without
                  reading the body and closes, as a real server may.
      "redirect"  location="https://other.example{path}" or "/moved{path}", code=307.
      "garbage"   data=b"...", when="request" (after the request) | "accept" (at once, before
                  any TLS handshake).  Then closes.
      "cut"       after=0.5 (a fraction of Content-Length) or a byte count: reads the headers
                  and that much of the body, then closes (rst=True: with a TCP reset).
      "stall"     when="accept" | "headers" | "body": accepts, reads that far, never answers;
                  held until release_stalls(), set_mode(), stop() or 300 s.
      "down"      no listener (connections refused) and the open, kept-alive connections cut;
                  any other mode listens again on the same port.  Also down() and up().
    start(), stop(), `url`, `port`, files(prefix="feedback/") (the store or the upstream's),
    puts() (the recorded PUTs), wait_requests(n, timeout), release_stalls().  With tls, it
    serves https with the PKI of tmpdir (tls like Nginx's).

free_port() (a free port on 127.0.0.1), response_ids(files) (a Counter of the response ids in
the ndjson objects of files(): "each response on the server exactly once" is
`set(c) == ids_in_db and max(c.values()) == 1`), curl(*args) (exit code, status, body,
stderr of the curl tool).

What nginx 1.22 (Debian 12) answers, checked by the selftest so an upgrade that changes it
shows up: MKCOL of a new folder 201; of an existing one 405 (also when an object, not a
folder, has that name); without the trailing slash 409; with its parent missing 409; with a
body 415.  PUT of a new object 201; over an existing one 204 (the new bytes replace the old);
into a folder that does not exist 500 (not 409: the error log says rename() failed, No such
file or directory); onto a folder's name 409; without Content-Length and not chunked 500.
PROPFIND 405 (no dav-ext module).  Folders are made 0700, objects 0600.

Notes: a fault prefix of Nginx answers in nginx's rewrite phase, so before basic auth (a
bearer check is itself a rewrite-phase `if` at server level and comes first).  The bearer
401 carries no WWW-Authenticate header.  kill() must hit the whole process group: a SIGKILL
to the master alone leaves its worker serving.  A PUT cut off leaves at most a file in
nginx/temp/body, never a partial object.  The curl tool (7.88) sends `Expect: 100-continue`
with every -T upload (1000 bytes too; libcurl's own rules may differ); Misbehaving
answers a status fault without reading the body then (and closes), sends no 100 before
garbage, and sends 100 before reading the half body of a cut.
"""
import argparse
import collections
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http import HTTPStatus

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def response_ids(files, key="response_id"):
    """A Counter of the response ids in {path: bytes} of ndjson objects (from files()).
    Every line must be a JSON object with that key: a torn or foreign line raises."""
    count = collections.Counter()
    for path, data in files.items():
        for n, line in enumerate(data.decode("utf-8").splitlines(), 1):
            obj = json.loads(line)
            if not isinstance(obj, dict) or not isinstance(obj.get(key), str):
                raise ValueError(f"{path}:{n}: no {key}")
            count[obj[key]] += 1
    return count


def _wait_port(port, timeout, alive=lambda: True):
    """True once something accepts on 127.0.0.1:port; False if alive() turns false."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not alive():
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def _run(args, **kw):
    kw.setdefault("env", dict(os.environ, KIOSK_TEST_SAN="IP:127.0.0.1"))
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))}: exit {r.returncode}: "
                           f"{r.stderr.decode(errors='replace').strip()}")
    return r.stdout


# ---------------------------------------------------------------------------- PKI

_CA_CNF = """\
[ca]
default_ca = tca
[tca]
dir = {db}
database = $dir/index.txt
new_certs_dir = $dir
serial = $dir/serial
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = $ENV::KIOSK_TEST_SAN
"""


class PKI:
    NOT_BEFORE = "20000101000000Z"
    NOT_AFTER = "20991231235959Z"

    def __init__(self, directory):
        self.dir = os.path.abspath(directory)
        p = lambda name: os.path.join(self.dir, name)  # noqa: E731
        self.ca, self.ca_key = p("ca.pem"), p("ca.key")
        self.other_ca, self.other_ca_key = p("other-ca.pem"), p("other-ca.key")
        self.server_cert, self.server_key = p("server.pem"), p("server.key")
        self.wronghost_cert, self.wronghost_key = p("wronghost.pem"), p("wronghost.key")
        self.untrusted_cert, self.untrusted_key = p("untrusted.pem"), p("untrusted.key")
        if not os.path.exists(p("done")):
            self._make()

    def cert_for(self, tls):
        """(certificate, key) for a tls argument of Nginx or Misbehaving."""
        if tls in (True, "good"):
            return self.server_cert, self.server_key
        if tls == "wronghost":
            return self.wronghost_cert, self.wronghost_key
        if tls == "untrusted":
            return self.untrusted_cert, self.untrusted_key
        raise ValueError(f"tls={tls!r}: False, True/'good', 'wronghost' or 'untrusted'")

    def _make(self):
        os.makedirs(self.dir, exist_ok=True)
        for name, cn in (("ca", "Kiosk Test CA"), ("other-ca", "Unrelated Test CA")):
            self._ca(name, cn)
        self._leaf("ca", "server", "127.0.0.1", "IP:127.0.0.1, DNS:localhost")
        self._leaf("ca", "wronghost", "wrong.example", "DNS:wrong.example")
        self._leaf("other-ca", "untrusted", "127.0.0.1", "IP:127.0.0.1, DNS:localhost")
        open(os.path.join(self.dir, "done"), "w").close()

    def _cnf(self, ca):
        db = os.path.join(self.dir, ca + ".db")
        os.makedirs(db, exist_ok=True)
        if not os.path.exists(os.path.join(db, "serial")):
            open(os.path.join(db, "index.txt"), "w").close()
            with open(os.path.join(db, "serial"), "w") as f:
                f.write(os.urandom(8).hex() + "\n")
        cnf = os.path.join(self.dir, ca + ".cnf")
        with open(cnf, "w") as f:
            f.write(_CA_CNF.format(db=db))
        return cnf

    def _req(self, cnf, name, cn):
        key, csr = os.path.join(self.dir, name + ".key"), os.path.join(self.dir, name + ".csr")
        _run([OPENSSL, "req", "-new", "-config", cnf, "-newkey", "ec",
              "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
              "-keyout", key, "-out", csr, "-subj", "/CN=" + cn])
        return key, csr

    def _sign(self, cnf, csr, out, ext, extra, san="IP:127.0.0.1"):
        env = dict(os.environ, KIOSK_TEST_SAN=san)
        _run([OPENSSL, "ca", "-batch", "-notext", "-config", cnf, "-in", csr, "-out", out,
              "-extensions", ext, "-startdate", self.NOT_BEFORE, "-enddate", self.NOT_AFTER]
             + extra, env=env)

    def _ca(self, name, cn):
        cnf = self._cnf(name)
        key, csr = self._req(cnf, name, cn)
        self._sign(cnf, csr, os.path.join(self.dir, name + ".pem"), "v3_ca",
                   ["-selfsign", "-keyfile", key])

    def _leaf(self, ca, name, cn, san):
        cnf = self._cnf(ca)
        _, csr = self._req(cnf, name, cn)
        self._sign(cnf, csr, os.path.join(self.dir, name + ".pem"), "leaf",
                   ["-cert", os.path.join(self.dir, ca + ".pem"),
                    "-keyfile", os.path.join(self.dir, ca + ".key")], san=san)


# ---------------------------------------------------------------------------- Nginx

_TOKEN_OK = re.compile(r"^[A-Za-z0-9._~+/=-]+$")


def _size(v):
    if isinstance(v, int):
        return str(v)
    if not re.fullmatch(r"\d+[kKmMgG]?", str(v)):
        raise ValueError(f"max_body={v!r}")
    return str(v)


class Nginx:
    def __init__(self, tmpdir, tls=False, auth=None, max_body=None, faults=None, port=None):
        self.tmpdir = os.path.abspath(tmpdir)
        self.dir = os.path.join(self.tmpdir, "nginx")
        self.root = os.path.join(self.dir, "root")
        self.tls, self.auth, self.max_body = tls, auth, max_body
        self.faults = dict(faults or {})
        self.port = port
        self.proc = None
        self.pgids = []  # every process group this object started (one per start)
        self.pki = PKI(os.path.join(self.tmpdir, "pki")) if tls else None
        for d in ("root", "logs", "temp"):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        if auth is not None and auth[0] not in ("basic", "bearer"):
            raise ValueError(f"auth={auth!r}: ('basic', user, password) or ('bearer', token)")
        if auth is not None and auth[0] == "bearer" and not _TOKEN_OK.match(auth[1]):
            raise ValueError("a bearer token of letters, digits and ._~+/=- only")

    # -- paths and URLs
    conf = property(lambda self: os.path.join(self.dir, "nginx.conf"))
    pid_file = property(lambda self: os.path.join(self.dir, "nginx.pid"))
    error_log_file = property(lambda self: os.path.join(self.dir, "logs", "error.log"))
    access_log_file = property(lambda self: os.path.join(self.dir, "logs", "access.log"))
    ca_file = property(lambda self: self.pki.ca if self.pki else None)
    wrong_ca_file = property(lambda self: self.pki.other_ca if self.pki else None)

    @property
    def scheme(self):
        return "https" if self.tls else "http"

    @property
    def url(self):
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def url_localhost(self):
        return f"{self.scheme}://localhost:{self.port}"

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def __enter__(self):
        if not self.running:
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- config
    def _write_conf(self):
        d, t = self.dir, os.path.join(self.dir, "temp")
        lines = []
        if os.geteuid() == 0:
            # A root master would run its worker as nobody, who cannot enter a
            # mkdtemp() folder; the test's own user is what we want anyway.
            lines.append("user root root;")
        lines += [
            "daemon off;", "master_process on;", "worker_processes 1;",
            "worker_shutdown_timeout 5s;",
            f"pid {d}/nginx.pid;", f"error_log {d}/logs/error.log info;",
            "events { worker_connections 128; }",
            "http {",
            "  log_format kiosk '$request_method\\t$request_uri\\t$status\\t$request_length"
            "\\t$remote_user';",
            f"  access_log {d}/logs/access.log kiosk;",
            f"  client_body_temp_path {t}/body;", f"  proxy_temp_path {t}/proxy;",
            f"  fastcgi_temp_path {t}/fastcgi;", f"  uwsgi_temp_path {t}/uwsgi;",
            f"  scgi_temp_path {t}/scgi;",
            "  default_type application/octet-stream;",
            "  server_tokens off;",
            "  server {",
        ]
        if self.tls:
            cert, key = self.pki.cert_for(self.tls)
            lines += [f"    listen 127.0.0.1:{self.port} ssl;",
                      f"    ssl_certificate {cert};", f"    ssl_certificate_key {key};"]
        else:
            lines.append(f"    listen 127.0.0.1:{self.port};")
        lines += [f"    root {self.root};",
                  "    dav_methods PUT DELETE MKCOL MOVE;",
                  "    create_full_put_path off;"]
        if self.max_body is not None:
            lines.append(f"    client_max_body_size {_size(self.max_body)};")
        if self.auth and self.auth[0] == "basic":
            _, user, password = self.auth
            hashed = _run([OPENSSL, "passwd", "-apr1", "-stdin"],
                          input=password.encode()).decode().strip()
            htpasswd = os.path.join(d, "htpasswd")
            with open(htpasswd, "w") as f:
                f.write(f"{user}:{hashed}\n")
            lines += ['    auth_basic "kiosk sync test";', f"    auth_basic_user_file {htpasswd};"]
        elif self.auth:
            lines += [f'    if ($http_authorization != "Bearer {self.auth[1]}") {{ return 401; }}']
        for prefix, spec in self.faults.items():
            code, methods, location = (spec, "PUT", None) if isinstance(spec, int) else \
                (tuple(spec) + ("PUT", None))[:3]
            if not re.fullmatch(r"/[A-Za-z0-9._~/-]*", prefix):
                raise ValueError(f"fault prefix {prefix!r}")
            if not re.fullmatch(r"[A-Z|]+", methods):
                raise ValueError(f"fault methods {methods!r}")
            ret = f"return {int(code)}" + (f' "{location}"' if location else "")
            lines.append(f"    location ^~ {prefix} {{ if ($request_method ~ ^({methods})$) "
                         f"{{ {ret}; }} }}")
        lines += ["  }", "}"]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")

    # -- life
    def start(self, timeout=10):
        if self.running:
            raise RuntimeError("nginx runs already")
        chosen = self.port is None
        for _ in range(5 if chosen else 1):
            if chosen:
                self.port = free_port()
            self._write_conf()
            log = open(os.path.join(self.dir, "logs", "stderr.log"), "ab")
            self.proc = subprocess.Popen(
                [NGINX, "-p", self.dir + "/", "-c", self.conf, "-e", self.error_log_file],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
            log.close()
            self.pgids.append(self.proc.pid)
            if _wait_port(self.port, timeout, alive=lambda: self.proc.poll() is None):
                return self
            self._reap(signal.SIGKILL)
            if "Address already in use" not in self.error_log():
                break
        err = self.error_log()[-2000:]
        if chosen:
            self.port = None
        raise RuntimeError(f"nginx did not start:\n{err}")

    def _reap(self, sig, timeout=10):
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        # The worker can outlive the master by a moment: wait for the group to be empty.
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.02)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc = None

    def stop(self):
        """Graceful: requests under way finish (at most worker_shutdown_timeout, 5 s)."""
        if self.proc is not None and self.proc.poll() is None:
            # SIGQUIT to the master only: it closes the listener and tells the worker.
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGQUIT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self._reap(signal.SIGKILL)

    def kill(self):
        """SIGKILL to master and worker at once: the server gone, mid-upload or not."""
        self._reap(signal.SIGKILL)

    def restart(self):
        self.stop()
        return self.start()

    def set_faults(self, faults):
        self.faults = dict(faults or {})
        if self.running:
            self.restart()

    # -- what it holds and saw
    def files(self, prefix="feedback/"):
        out = {}
        base = os.path.join(self.root, prefix)
        if not os.path.isdir(base):
            return out
        for dirpath, _, names in os.walk(base):
            for n in names:
                full = os.path.join(dirpath, n)
                with open(full, "rb") as f:
                    out[os.path.relpath(full, self.root)] = f.read()
        return out

    def pids(self):
        """Processes of this nginx (master and worker), found by process group."""
        if self.proc is None:
            return []
        out = []
        for p in os.listdir("/proc"):
            if p.isdigit():
                with contextlib.suppress(OSError):
                    if os.getpgid(int(p)) == self.proc.pid:
                        out.append(int(p))
        return out

    def log(self):
        out = []
        with contextlib.suppress(FileNotFoundError), open(self.access_log_file) as f:
            for line in f:
                m, u, s, n, user = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
                out.append({"method": m, "uri": u, "status": int(s), "length": int(n),
                            "user": None if user == "-" else user})
        return out

    def error_log(self):
        with contextlib.suppress(FileNotFoundError), open(self.error_log_file,
                                                          errors="replace") as f:
            return f.read()
        return ""


# ---------------------------------------------------------------------------- Misbehaving

_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "expect",
        "proxy-connection", "proxy-authenticate", "proxy-authorization", "content-length"}


class Request:
    def __init__(self, method, path, headers):
        self.method, self.path, self.headers = method, path, headers  # headers: [(name, value)]
        self.body = b""
        self.complete = False   # the whole body was read
        self.action = None      # "pass", "status", "redirect", "garbage", "cut", "stall"
        self.status = None      # the status answered, if any

    def header(self, name, default=None):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return default

    def __repr__(self):
        return (f"<{self.method} {self.path} {len(self.body)}B complete={self.complete} "
                f"{self.action} {self.status}>")


class _Store:
    """An in-memory WebDAV store that answers as nginx's dav module does."""

    def __init__(self):
        self.lock = threading.Lock()
        self.dirs = {"/"}
        self.objects = {}

    def handle(self, method, path, body):
        path = urllib.parse.unquote(urllib.parse.urlsplit(path).path)
        parent = path.rstrip("/").rsplit("/", 1)[0] + "/"
        with self.lock:
            if method == "MKCOL":
                if body:
                    return 415, b""
                if not path.endswith("/"):
                    return 409, b""
                if path in self.dirs or path.rstrip("/") in self.objects:
                    return 405, b""
                if parent not in self.dirs:
                    return 409, b""
                self.dirs.add(path)
                return 201, b""
            if method == "PUT":
                if path.endswith("/"):
                    return 409, b""
                if parent not in self.dirs:
                    return 500, b""
                existed = path in self.objects
                self.objects[path] = bytes(body)
                return (204 if existed else 201), b""
            if method in ("GET", "HEAD"):
                if path in self.objects:
                    return 200, self.objects[path]
                return 404, b""
            if method == "DELETE":
                if path in self.objects:
                    del self.objects[path]
                    return 204, b""
                return 404, b""
            return 405, b""

    def files(self, prefix):
        with self.lock:
            return {p[1:]: b for p, b in self.objects.items() if p[1:].startswith(prefix)}


class Misbehaving:
    _DEFAULT_METHODS = {"status": ("PUT",), "redirect": ("PUT",), "cut": ("PUT",),
                        "garbage": None, "stall": None, "pass": None, "down": None}

    def __init__(self, mode="pass", upstream=None, tmpdir=None, tls=False, port=None, **options):
        self.upstream = upstream
        self.tls = tls
        self.port = port
        self.store = _Store()
        self.requests = []
        self.connections = 0
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._listener = None
        self._thread = None
        self._stopping = threading.Event()
        self._release = threading.Event()
        self._socks = set()
        self._ctx = None
        if tls:
            if tmpdir is None:
                raise ValueError("tls needs a tmpdir for the PKI")
            self.pki = PKI(os.path.join(os.path.abspath(tmpdir), "pki"))
            self._ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._ctx.load_cert_chain(*self.pki.cert_for(tls))
        else:
            self.pki = None
        self._mode = None
        self.set_mode(mode, **options)

    ca_file = property(lambda self: self.pki.ca if self.pki else None)

    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- modes
    def set_mode(self, mode, **options):
        if mode not in self._DEFAULT_METHODS:
            raise ValueError(f"mode {mode!r}")
        options.setdefault("methods", self._DEFAULT_METHODS[mode])
        with self._lock:
            self._mode = (mode, options)
        self.release_stalls()
        if self._thread is not None:  # started: down/up follow the mode
            if mode == "down":
                self.down()
            elif self._listener is None:
                self.up()

    @property
    def mode(self):
        return self._mode[0]

    def fail_first(self, n, code=500, **options):
        """The next n PUTs get `code`, later ones pass through."""
        self.set_mode("status", code=code, count=n, **options)

    def release_stalls(self):
        self._release.set()
        self._release = threading.Event()

    def _fault_for(self, req):
        """(mode, options) for this request, counting it against count=N."""
        with self._lock:
            mode, o = self._mode
            if mode in ("pass", "down"):
                return "pass", {}
            if req is not None:
                if o.get("methods") is not None and req.method not in o["methods"]:
                    return "pass", {}
                if o.get("prefix") and not req.path.startswith(o["prefix"]):
                    return "pass", {}
            if o.get("count") is not None:
                o["count"] -= 1
                if o["count"] <= 0:
                    self._mode = ("pass", {"methods": None})
            return mode, o

    def _accept_fault(self):
        """A garbage or stall fault with when="accept" acts before any request is read."""
        with self._lock:
            mode, o = self._mode
            if mode not in ("garbage", "stall") or o.get("when") != "accept":
                return "", {}
        return self._fault_for(None)

    # -- life
    def start(self):
        self._stopping.clear()
        self.up()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        if self._mode[0] == "down":
            self.down()
        return self

    def up(self):
        if self._listener is not None:
            return
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port or 0))
        s.listen(64)
        s.settimeout(0.1)
        self.port = s.getsockname()[1]
        self._listener = s

    def down(self):
        """No listener, and the open connections (kept alive by a client) cut: a server gone."""
        s, self._listener = self._listener, None
        if s is not None:
            # shutdown() first: on Linux it stops the listening at once, even while the
            # accept loop still polls this socket (close() alone would wait for that).
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        with self._lock:
            socks = list(self._socks)
        for c in socks:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)

    def stop(self):
        self._stopping.set()
        self.release_stalls()
        self.down()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def _serve(self):
        while not self._stopping.is_set():
            s = self._listener
            if s is None:
                time.sleep(0.05)
                continue
            try:
                conn, _ = s.accept()
            except (socket.timeout, OSError):
                continue
            with self._lock:
                self.connections += 1
                self._socks.add(conn)
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    # -- what it saw
    def puts(self):
        with self._lock:
            return [r for r in self.requests if r.method == "PUT"]

    def wait_requests(self, n, timeout=10):
        end = time.monotonic() + timeout
        with self._cond:
            while len(self.requests) < n:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def files(self, prefix="feedback/"):
        if isinstance(self.upstream, Nginx):
            return self.upstream.files(prefix)
        return self.store.files(prefix)

    # -- one connection
    def _stall(self, conn):
        ev = self._release
        ev.wait(300)

    def _linger(self, conn, seconds=2):
        """Close as nginx's lingering_close does: stop writing, read what the client still
        sends, so the reply is read by it and not lost to a TCP reset."""
        with contextlib.suppress(OSError, ValueError):
            conn.shutdown(socket.SHUT_WR)
            end = time.monotonic() + seconds
            while time.monotonic() < end and not self._stopping.is_set():
                conn.settimeout(max(0.01, min(0.2, end - time.monotonic())))
                try:
                    if not conn.recv(65536):
                        break
                except socket.timeout:
                    continue

    def _close(self, conn, rst=False):
        if rst:
            with contextlib.suppress(OSError):
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            conn.close()
        with self._lock:
            self._socks.discard(conn)

    def _connection(self, conn):
        try:
            conn.settimeout(30)
            mode, o = self._accept_fault()
            if mode == "garbage":
                conn.sendall(o.get("data", b"\x00\x17garbage, not HTTP\r\n\r\n"))
                self._linger(conn)
                return
            if mode == "stall":
                self._stall(conn)
                return
            if self._ctx is not None:
                raw, conn = conn, self._ctx.wrap_socket(conn, server_side=True)
                with self._lock:
                    self._socks.discard(raw)
                    self._socks.add(conn)
            f = conn.makefile("rb")
            while not self._stopping.is_set():
                if not self._one(conn, f):
                    return
        except (OSError, ValueError, ssl.SSLError):
            return
        finally:
            self._close(conn)

    def _one(self, conn, f):
        """Serve one request; False when the connection is to be closed."""
        line = f.readline(65537)
        if not line:
            return False
        try:
            method, target, version = line.decode("latin-1").split()
        except ValueError:
            self._send(conn, 400, {}, b"", close=True)
            return False
        headers = []
        while True:
            h = f.readline(65537)
            if h in (b"\r\n", b"\n", b""):
                break
            k, _, v = h.decode("latin-1").partition(":")
            headers.append((k.strip(), v.strip()))
        req = Request(method, target, headers)
        with self._cond:
            self.requests.append(req)
            self._cond.notify_all()
        mode, o = self._fault_for(req)
        req.action = mode
        expect = (req.header("Expect", "").lower() == "100-continue")
        length = req.header("Content-Length")
        chunked = "chunked" in req.header("Transfer-Encoding", "").lower()
        keep = version == "HTTP/1.1" and req.header("Connection", "").lower() != "close"

        if mode == "stall" and o.get("when", "headers") == "headers":
            self._stall(conn)
            return False
        if mode in ("status", "redirect"):
            if mode == "status":
                code, hdrs, body = o.get("code", 500), dict(o.get("headers", {})), \
                    o.get("body", b"")
            else:
                code, body = o.get("code", 307), b""
                hdrs = {"Location": o.get("location", "https://other.example{path}")
                        .replace("{path}", target)}
            req.status = code
            if expect:
                self._send(conn, code, hdrs, body, close=True)
                self._linger(conn)
                return False
            self._read_body(f, req, length, chunked)
            self._send(conn, code, hdrs, body, close=not keep)
            return keep
        if mode == "cut":
            if expect:
                conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            after = o.get("after", 0.5)
            if isinstance(after, float):
                after = max(1, int(int(length or 2) * after))
            req.body = f.read(after) if after else b""
            req.status = "cut"
            if o.get("rst"):
                self._close(conn, rst=True)
            return False
        if mode == "garbage":  # a server that does not speak HTTP sends no 100 Continue
            if not expect:
                self._read_body(f, req, length, chunked)
            req.status = "garbage"
            conn.sendall(o.get("data", b"\x00\x17garbage, not HTTP\r\n\r\n"))
            self._linger(conn)
            return False
        if expect:
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        self._read_body(f, req, length, chunked)
        if mode == "stall":  # when="body"
            self._stall(conn)
            return False
        code, hdrs, body = self._pass(req)
        req.status = code
        self._send(conn, code, hdrs, b"" if method == "HEAD" else body, close=not keep,
                   length=len(body))
        return keep

    def _read_body(self, f, req, length, chunked):
        if chunked:
            parts = []
            while True:
                size = int(f.readline(1024).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while f.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(f.read(size))
                f.readline(16)
            req.body = b"".join(parts)
        elif length:
            req.body = f.read(int(length))
            if len(req.body) < int(length):
                raise OSError("short body")
        req.complete = True

    def _pass(self, req):
        if self.upstream is None:
            if req.method == "PUT" and req.header("Content-Length") is None and \
                    "chunked" not in req.header("Transfer-Encoding", "").lower():
                return 500, {}, b""  # as nginx
            code, body = self.store.handle(req.method, req.path, req.body)
            return code, {}, body
        url = self.upstream.url if isinstance(self.upstream, Nginx) else self.upstream
        u = urllib.parse.urlsplit(url)
        if u.scheme == "https":
            cafile = getattr(self.upstream, "ca_file", None)
            ctx = ssl.create_default_context(cafile=cafile)
            c = http.client.HTTPSConnection(u.hostname, u.port, timeout=30, context=ctx)
        else:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        try:
            hdrs = {k: v for k, v in req.headers if k.lower() not in _HOP}
            hdrs["Content-Length"] = str(len(req.body))
            c.request(req.method, req.path, body=req.body, headers=hdrs)
            r = c.getresponse()
            body = r.read()
            return r.status, {k: v for k, v in r.getheaders() if k.lower() not in _HOP}, body
        except OSError:
            return 502, {}, b"upstream unreachable\n"
        finally:
            c.close()

    def _send(self, conn, code, headers, body, close, length=None):
        try:
            reason = HTTPStatus(code).phrase
        except ValueError:
            reason = "Unknown"
        head = [f"HTTP/1.1 {code} {reason}"]
        for k, v in headers.items():
            head.append(f"{k}: {v}")
        head.append(f"Content-Length: {len(body) if length is None else length}")
        if close:
            head.append("Connection: close")
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


# ---------------------------------------------------------------------------- selftest

def curl(*args, timeout=20):
    """(curl's exit code, HTTP status or 0, body) of `curl -sS ARGS`."""
    r = subprocess.run(["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", *args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    body, _, code = r.stdout.rpartition(b"\n")
    return r.returncode, int(code or 0), body, r.stderr.decode(errors="replace")


class _Check:
    def __init__(self):
        self.failed = 0

    def __call__(self, cond, what):
        print(("ok    " if cond else "FAIL  ") + what, flush=True)
        if not cond:
            self.failed += 1
        return cond


def _outside_snapshot():
    """Where a stray nginx would write by default: its compiled-in paths."""
    snap = {}
    for d in ("/var/log/nginx", "/var/lib/nginx", "/run", "/etc/nginx"):
        if os.path.isdir(d):
            for dirpath, dirs, names in os.walk(d):
                for n in dirs + names:
                    p = os.path.join(dirpath, n)
                    with contextlib.suppress(OSError):
                        st = os.lstat(p)
                        snap[p] = (st.st_mtime_ns, st.st_size)
    return snap


def _open_files_outside(pids, tmpdir):
    out = []
    for pid in pids:
        fd_dir = f"/proc/{pid}/fd"
        with contextlib.suppress(OSError):
            for fd in os.listdir(fd_dir):
                with contextlib.suppress(OSError):
                    t = os.readlink(os.path.join(fd_dir, fd))
                    if t.startswith("/") and not t.startswith(tmpdir + "/") and t != "/dev/null":
                        out.append((pid, t))
    return out


def _raw(port, data, read=True, timeout=5):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        return s.recv(65536) if read else b""


def selftest():
    for tool in ("curl", OPENSSL, NGINX):
        if not shutil.which(tool) and not os.path.exists(tool):
            print(f"FAIL  {tool} is missing: `make test-deps` installs nginx, curl, openssl")
            return 1
    v = subprocess.run([NGINX, "-V"], stderr=subprocess.PIPE).stderr.decode()
    check = _Check()
    check("--with-http_dav_module" in v, "nginx has ngx_http_dav_module")
    before = _outside_snapshot()
    tmp = tempfile.mkdtemp(prefix="kiosk-sync-harness-")
    started = []
    try:
        _selftest(check, tmp, started)
    finally:
        for s in started:
            with contextlib.suppress(Exception):
                s.stop()
    groups = {g for s in started if isinstance(s, Nginx) for g in s.pgids}
    leftover = [p for p in os.listdir("/proc") if p.isdigit() and
                (_pgid(int(p)) in groups or tmp in _cmdline(p))]
    check(groups and not leftover,
          f"no process left of the {len(groups)} nginx started and stopped {leftover}")
    after = _outside_snapshot()
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p)
                     and "nginx" in p)
    check(not changed, f"nothing written to nginx's default paths {changed}")
    if check.failed:
        print(f"      (kept for a look: {tmp})")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{'FAILED' if check.failed else 'passed'}: {check.failed} failure(s)")
    return 1 if check.failed else 0


def _pgid(pid):
    try:
        return os.getpgid(pid)
    except OSError:
        return None


def _cmdline(pid):
    with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().decode(errors="replace")
    return ""


def _selftest(check, tmp, started):
    t0 = time.monotonic()
    pki = PKI(os.path.join(tmp, "pki"))
    out = _run([OPENSSL, "x509", "-in", pki.server_cert, "-noout", "-ext",
                "subjectAltName"]).decode()
    check("IP Address:127.0.0.1" in out and "DNS:localhost" in out,
          "server certificate names 127.0.0.1 and localhost")
    check(subprocess.run([OPENSSL, "verify", "-CAfile", pki.ca, pki.server_cert],
                         capture_output=True).returncode == 0, "server cert verifies with ca")
    check(subprocess.run([OPENSSL, "verify", "-CAfile", pki.other_ca, pki.server_cert],
                         capture_output=True).returncode != 0, "... and not with other_ca")
    print(f"      (PKI made in {time.monotonic() - t0:.1f} s)")

    # -- plain http: the WebDAV answers the sync module meets
    ng = Nginx(os.path.join(tmp, "plain"))
    started.append(ng)
    ng.start()
    u = ng.url
    pids = ng.pids()
    check(len(pids) == 2, f"nginx runs as master and worker {pids}")
    check(not _open_files_outside(pids, ng.dir), "nginx holds no file outside its tmpdir "
          f"{_open_files_outside(pids, ng.dir)}")
    body = b'{"response_id":"r1"}\n{"response_id":"r2"}\n'
    answers = [
        ("MKCOL no slash", ["-X", "MKCOL", u + "/feedback"], 409),
        ("MKCOL new", ["-X", "MKCOL", u + "/feedback/"], 201),
        ("MKCOL exists", ["-X", "MKCOL", u + "/feedback/"], 405),
        ("MKCOL parent missing", ["-X", "MKCOL", u + "/feedback/a/b/"], 409),
        ("MKCOL with a body", ["-X", "MKCOL", "--data-binary", "x", u + "/feedback/k9/"], 415),
        ("MKCOL kiosk folder", ["-X", "MKCOL", u + "/feedback/k1/"], 201),
        ("PUT folder missing", ["-T", "-", u + "/feedback/k2/b1.ndjson"], 500),
        ("PUT new", ["-T", "-", u + "/feedback/k1/b1.ndjson"], 201),
        ("PUT again", ["-T", "-", u + "/feedback/k1/b1.ndjson"], 204),
        ("PUT other bytes", ["-T", "-", u + "/feedback/k1/b3.ndjson"], 201),
        ("PROPFIND", ["-X", "PROPFIND", u + "/feedback/"], 405),
        ("MKCOL over an object", ["-X", "MKCOL", u + "/feedback/k1/b1.ndjson/"], 405),
        ("PUT onto a folder", ["-T", "-", u + "/feedback/k1"], 409),
        ("PUT without Content-Length", ["-X", "PUT", u + "/feedback/k1/e.ndjson"], 500),
    ]
    for what, args, want in answers:
        r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", *args],
                           input=body, capture_output=True, timeout=20)
        got = int(r.stdout or 0)
        check(got == want, f"nginx: {what} -> {got} (expected {want})")
    check("No such file or directory" in ng.error_log(),
          "the 500 of a PUT into a missing folder is rename() failing (error log)")
    rc, code, got, _ = curl(u + "/feedback/k1/b1.ndjson")
    check(code == 200 and got == body, "GET returns the bytes PUT")
    check(response_ids(ng.files()) == {"r1": 2, "r2": 2}, "response_ids() counts over objects")
    r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", "-",
                        u + "/feedback/k1/b3.ndjson"], input=b"new\n", capture_output=True)
    check(r.stdout == b"204" and curl(u + "/feedback/k1/b3.ndjson")[2] == b"new\n",
          "PUT over an existing object: 204, the new bytes replace the old")
    check(ng.files() == {"feedback/k1/b1.ndjson": body, "feedback/k1/b3.ndjson": b"new\n"},
          f"files() {list(ng.files())}")
    puts = [e for e in ng.log() if e["method"] == "PUT"]
    check([e["status"] for e in puts][:3] == [500, 201, 204], f"log() {puts[:3]}")

    # -- kill mid-upload: a half body is never an object; down, then up on the same port
    port = ng.port
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"PUT /feedback/k1/half.ndjson HTTP/1.1\r\nHost: x\r\n"
              b"Content-Length: 100000\r\n\r\n" + b"x" * 50000)
    time.sleep(0.3)
    ng.kill()
    try:
        s.settimeout(5)
        gone = s.recv(100) == b""
    except OSError:
        gone = True
    s.close()
    check(gone and not ng.running and not ng.pids(), "kill(): connection cut, no process left")
    check(subprocess.run(["curl", "-sS", u + "/"], capture_output=True).returncode == 7,
          "while down: curl cannot connect (exit 7)")
    ng.start()
    check(ng.port == port, "start() again: same port")
    check("feedback/k1/half.ndjson" not in ng.files(), "the half upload left no object")
    rc, code, _, _ = curl("-T", "/dev/null", u + "/feedback/k1/b2.ndjson")
    check(code == 201, "up again: PUT 201")

    # -- graceful stop: an upload under way completes
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"PUT /feedback/k1/slow.ndjson HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nab")
    time.sleep(0.2)
    stopper = threading.Thread(target=ng.stop)
    stopper.start()
    time.sleep(0.3)
    s.sendall(b"cdef")
    s.settimeout(5)
    reply = s.recv(200)
    s.close()
    stopper.join()
    check(reply.startswith(b"HTTP/1.1 201"), f"stop() lets a running PUT finish {reply[:20]!r}")
    check(not ng.running and not ng.pids(), "stop(): no process left")
    check(ng.files().get("feedback/k1/slow.ndjson") == b"abcdef", "... and it is stored")

    # -- TLS
    ngs = Nginx(os.path.join(tmp, "tls"), tls=True)
    started.append(ngs)
    ngs.start()
    u = ngs.url
    rc, code, _, _ = curl("--cacert", ngs.ca_file, "-X", "MKCOL", u + "/feedback/")
    rc2, code2, _, _ = curl("--cacert", ngs.ca_file, "-T", "/etc/os-release",
                            u + "/feedback/x.ndjson")
    rc3, code3, got, _ = curl("--cacert", ngs.ca_file, ngs.url_localhost + "/feedback/x.ndjson")
    check((code, code2, code3) == (201, 201, 200) and got == open("/etc/os-release", "rb").read(),
          f"https MKCOL + PUT + GET with the test CA ({code}, {code2}, {code3})")
    rc, code, _, err = curl("--cacert", ngs.wrong_ca_file, u + "/")
    check(rc == 60 and code == 0, f"https with the wrong CA: curl refuses (exit {rc})")
    rc, code, _, err = curl(u + "/")
    check(rc == 60, f"https with the system CAs only: curl refuses (exit {rc})")
    ctx = ssl.create_default_context(cafile=ngs.ca_file)
    c = http.client.HTTPSConnection("127.0.0.1", ngs.port, context=ctx, timeout=5)
    c.request("GET", "/feedback/x.ndjson")
    check(c.getresponse().status == 200, "http.client with the test CA: 200")
    c.close()
    ngs.stop()
    for variant, what in (("wronghost", "a certificate for wrong.example"),
                          ("untrusted", "a certificate of an unrelated CA")):
        ngw = Nginx(os.path.join(tmp, variant), tls=variant)
        started.append(ngw)
        ngw.start()
        rc, code, _, err = curl("--cacert", ngw.ca_file, ngw.url + "/")
        check(rc == 60 and code == 0, f"https with {what}: curl --cacert ca refuses (exit {rc}: "
              f"{err.strip()[:70]})")
        ngw.stop()

    # -- auth
    nga = Nginx(os.path.join(tmp, "basic"), auth=("basic", "kiosk-7", "s3cret pass:word"))
    started.append(nga)
    nga.start()
    u = nga.url
    check(curl("-X", "MKCOL", u + "/feedback/")[1] == 401, "basic: without credentials 401")
    check(curl("-u", "kiosk-7:wrong", "-X", "MKCOL", u + "/feedback/")[1] == 401,
          "basic: wrong password 401")
    check(curl("-u", "kiosk-7:s3cret pass:word", "-X", "MKCOL", u + "/feedback/")[1] == 201,
          "basic: right password 201")
    check(nga.log()[-1]["user"] == "kiosk-7", "log() names the user")
    nga.stop()
    ngb = Nginx(os.path.join(tmp, "bearer"), auth=("bearer", "tok-123.abc"))
    started.append(ngb)
    ngb.start()
    u = ngb.url
    check(curl("-X", "MKCOL", u + "/feedback/")[1] == 401, "bearer: without a token 401")
    check(curl("-H", "Authorization: Bearer nope", "-X", "MKCOL", u + "/feedback/")[1] == 401,
          "bearer: wrong token 401")
    check(curl("-H", "Authorization: Bearer tok-123.abc", "-X", "MKCOL", u + "/feedback/")[1]
          == 201, "bearer: right token 201")
    ngb.stop()

    # -- nginx faults per prefix, client_max_body_size
    faults = {f"/feedback/k{c}/": c for c in (500, 401, 403, 413, 507)}
    faults["/feedback/moved/"] = (307, "PUT", "https://other.example/feedback/x")
    ngf = Nginx(os.path.join(tmp, "faults"), faults=faults, max_body="1k")
    started.append(ngf)
    ngf.start()
    u = ngf.url
    check(curl("-X", "MKCOL", u + "/feedback/")[1] == 201, "faults: MKCOL still 201")
    for c in (500, 401, 403, 413, 507):
        check(curl("-X", "MKCOL", f"{u}/feedback/k{c}/")[1] == 201 and
              curl("-T", "/dev/null", f"{u}/feedback/k{c}/b.ndjson")[1] == c,
              f"faults: PUT under /feedback/k{c}/ -> {c}, MKCOL there 201")
    rc, code, _, _ = curl("-T", "/dev/null", "-D", "-", u + "/feedback/moved/b.ndjson")
    check(code == 307, "faults: a redirect 307 from nginx")
    big = os.path.join(tmp, "big")
    with open(big, "wb") as f:
        f.write(b"y" * 4096)
    check(curl("-T", big, u + "/feedback/big.ndjson")[1] == 413,
          "max_body=1k: a 4 KiB PUT gets nginx's own 413")
    check(curl("-T", "/dev/null", u + "/feedback/small.ndjson")[1] == 201,
          "... a small one 201")
    ngf.set_faults({})
    check(curl("-T", "/dev/null", u + "/feedback/k507/b.ndjson")[1] == 201,
          "set_faults({}): the same PUT now 201")
    ngf.stop()

    # -- Misbehaving in front of a real nginx
    ng = Nginx(os.path.join(tmp, "upstream"))
    started.append(ng)
    ng.start()
    mb = Misbehaving("pass", upstream=ng)
    started.append(mb)
    mb.start()
    u = mb.url
    check(curl("-X", "MKCOL", u + "/feedback/")[1] == 201 and
          curl("-X", "MKCOL", u + "/feedback/k/")[1] == 201, "pass: MKCOL through to nginx")
    check(curl("-T", "/etc/os-release", u + "/feedback/k/a.ndjson")[1] == 201 and
          "feedback/k/a.ndjson" in ng.files() and mb.files() == ng.files(),
          "pass: PUT stored by nginx")
    mb.fail_first(2, 507)
    codes = [curl("-T", "/dev/null", u + "/feedback/k/b.ndjson")[1] for _ in range(3)]
    check(codes == [507, 507, 201], f"fail_first(2, 507): {codes}")
    for c in (500, 401, 403, 413):
        mb.set_mode("status", code=c, prefix="/feedback/")
        check(curl("-T", "/dev/null", u + "/feedback/k/c.ndjson")[1] == c and
              curl("-X", "MKCOL", u + "/feedback/k/")[1] == 405,
              f"status {c} on PUT; MKCOL passes (405)")
    # Expect: 100-continue: answered at once, body not read, connection closed
    mb.set_mode("status", code=507)
    big = os.path.join(tmp, "big2")
    with open(big, "wb") as f:
        f.write(b"z" * 300000)
    rc, code, _, _ = curl("-H", "Expect: 100-continue", "-T", big, u + "/feedback/k/e.ndjson")
    check(code == 507 and not mb.requests[-1].complete, f"507 before a 300 kB body (rc {rc})")
    mb.set_mode("redirect", location="https://other.example{path}", code=302)
    rc, code, hdr, _ = curl("-T", "/dev/null", "-D", "/dev/stdout", u + "/feedback/k/r.ndjson")
    check(code == 302 and b"Location: https://other.example/feedback/k/r.ndjson" in hdr,
          "redirect to another host and scheme (302)")
    mb.set_mode("redirect", location="/moved{path}", code=307, prefix="/feedback/")
    check(curl("-X", "MKCOL", u + "/moved/")[1] == 201 and
          curl("-X", "MKCOL", u + "/moved/feedback/")[1] == 201 and
          curl("-X", "MKCOL", u + "/moved/feedback/k/")[1] == 201, "MKCOL /moved/... passes")
    rc, code, _, _ = curl("-L", "-T", "/etc/hostname", u + "/feedback/k/s.ndjson")
    check(code == 201 and "moved/feedback/k/s.ndjson" in ng.files("moved/"),
          "redirect to the same host (307): curl -L lands it at /moved/...")
    for what, opts in (("after the request", {}),
                       ("at accept", {"when": "accept", "data": b"SSH-2.0-OpenSSH\r\n"})):
        mb.set_mode("garbage", **opts)
        rcs = [curl(*a, u + "/feedback/k/g.ndjson")[0:2] for a in
               (["-T", "/dev/null"], ["-T", big], ["-X", "MKCOL"])]
        check(all(rc in (1, 8) and code == 0 for rc, code in rcs),
              f"garbage {what}: curl fails, as a reply that is not HTTP (exit, code {rcs})")
    mb.set_mode("cut", after=0.5)
    n = len(mb.requests)
    rc, code, _, err = curl("-T", big, u + "/feedback/k/cut.ndjson")
    r = mb.requests[n]
    check(rc in (52, 55, 56) and code in (0, 100) and len(r.body) == 150000 and not r.complete,
          f"cut: half of the body read, connection closed (curl exit {rc}, "
          f"{len(r.body)} bytes)")
    check("feedback/k/cut.ndjson" not in ng.files(), "cut: nothing stored")
    mb.set_mode("stall")
    t = time.monotonic()
    rc, code, _, _ = curl("--max-time", "2", "-T", "/dev/null", u + "/feedback/k/st.ndjson")
    dt = time.monotonic() - t
    check(rc == 28 and 1.5 < dt < 5, f"stall: curl times out (exit {rc}, {dt:.1f} s)")
    mb.set_mode("pass")
    keep = http.client.HTTPConnection("127.0.0.1", mb.port, timeout=5)
    keep.request("GET", "/feedback/k/a.ndjson")
    resp = keep.getresponse()
    resp.read()
    first = resp.status
    mb.set_mode("down")
    try:
        keep.request("GET", "/feedback/k/a.ndjson")
        second = keep.getresponse().status
    except (OSError, http.client.HTTPException) as e:
        second = type(e).__name__
    keep.close()
    check(first == 200 and not isinstance(second, int),
          f"down: a kept-alive connection is cut too ({first}, then {second})")
    rc = subprocess.run(["curl", "-sS", u + "/"], capture_output=True).returncode
    check(rc == 7, f"down: connection refused (exit {rc})")
    mb.set_mode("pass")
    check(curl("-T", "/dev/null", u + "/feedback/k/up.ndjson")[1] == 201,
          "up again on the same port: PUT 201")
    check(len(mb.puts()) >= 10, f"requests recorded ({len(mb.requests)})")
    mb.stop()
    ng.stop()

    # -- Misbehaving alone (its own store) over TLS
    mt = Misbehaving("pass", tmpdir=tmp, tls=True)
    started.append(mt)
    mt.start()
    u = mt.url
    a = curl("--cacert", mt.ca_file, "-X", "MKCOL", u + "/feedback/")[1]
    b = curl("--cacert", mt.ca_file, "-X", "MKCOL", u + "/feedback/")[1]
    c = curl("--cacert", mt.ca_file, "-T", "/etc/hostname", u + "/feedback/n/x.ndjson")[1]
    check((a, b, c) == (201, 405, 500), f"own store answers as nginx: 201, 405, 500 {a, b, c}")
    mt.set_mode("status", code=507, count=1)
    d = curl("--cacert", mt.ca_file, "-T", "/etc/hostname", u + "/feedback/x.ndjson")[1]
    e = curl("--cacert", mt.ca_file, "-T", "/etc/hostname", u + "/feedback/x.ndjson")[1]
    f_ = curl("--cacert", mt.ca_file, "-T", "/etc/hostname", u + "/feedback/x.ndjson")[1]
    check((d, e, f_) == (507, 201, 204), f"https 507 once, then 201, 204 {d, e, f_}")
    check(mt.files() == {"feedback/x.ndjson": open("/etc/hostname", "rb").read()},
          "files() of the own store")
    rc = curl("--cacert", os.path.join(tmp, "pki", "other-ca.pem"), u + "/")[0]
    check(rc == 60, f"https with the wrong CA refused (exit {rc})")
    mt.stop()
    print(f"      (selftest body {time.monotonic() - t0:.1f} s)")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--selftest", action="store_true", help="check nginx and every fault mode")
    args = ap.parse_args()
    if not args.selftest:
        ap.print_help()
        sys.exit(2)
    sys.exit(selftest())
