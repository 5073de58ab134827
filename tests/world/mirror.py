#!/usr/bin/env python3
"""tests/world/mirror.py — an Apache-shaped download mirror for the kafka-wizard tests (Python 3 stdlib only).

Owns: the mirror root it is pointed at (<root>/kafka/<v>/kafka_2.13-<v>.tgz, .sha512, <root>/kafka/KEYS)
and the HTTP server process. Two sub-commands:

  mirror.py publish --root DIR [--sign-with GNUPGHOME] TARBALL...
                                            lay out DIR/kafka/<v>/<file>.tgz (hard link or copy),
                                            <file>.tgz.sha512 written exactly like `gpg --print-md SHA512`;
                                            with --sign-with (tests/world/signing-key.sh makes it), <file>.tgz.asc
                                            made like Apache's (`gpg --armor --detach-sig`) and DIR/kafka/KEYS
                                            holding that key; without, KEYS is a placeholder and there is no .asc
  mirror.py serve --root DIR [--port 0] [--bind 127.0.0.1 ...] [--fault PATH=MODE ...]
                                            serve DIR; prints "PORT=<n>" on stdout once listening
  mirror.py print-md FILE                   print what `gpg --print-md SHA512 FILE` prints

Served like Apache httpd: Apache-like "Index of" pages for directories (/kafka/, /kafka/<v>/), a 301 to
the slash form for a directory without one, HEAD, Accept-Ranges and single-range requests
(206 + Content-Range; 416 for an unsatisfiable range), Last-Modified.

Fault modes, per request path (exact path, e.g. /kafka/4.1.1/kafka_2.13-4.1.1.tgz):
  corrupt          same size, some bytes flipped (XOR 0xFF over 64 bytes in the middle)
  404              answer 404 Not Found as if the file did not exist
  slow:BPS         send the body at about BPS bytes per second
  interrupt:K      send the headers (full Content-Length) and K body bytes, then close the connection
Append @N to apply a fault to the next N requests only (e.g. interrupt:1000000@1), then it clears itself.
Set them with --fault PATH=MODE on the command line, or at run time through the control endpoint:
  GET /_mirror/fault?path=PATH&mode=MODE    (mode=none clears that path)
  GET /_mirror/clear                        clear every fault
  GET /_mirror/log                          JSON list of the requests served so far (method, path, range, status)
"""
import argparse
import email.utils
import hashlib
import html
import json
import os
import re
import shutil
import signal
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEYS_PLACEHOLDER = """This is a placeholder KEYS file written by the kafka-wizard test mirror (tests/world/mirror.py).
These test releases were published without --sign-with: there are no .asc files and no public keys here.
"""

KEYS_HEADER = """This file contains the PGP key used to sign the kafka-wizard test mirror's releases
(tests/world/mirror.py publish --sign-with; made by tests/world/signing-key.sh). A test key: trust it
only in the tests, with `kafka-wizard trust import KEYS`.

"""


def gpg(home, *args):
    """Runs gpg on the signing key's GNUPGHOME; exits with its error when it fails."""
    import subprocess
    r = subprocess.run(["gpg", "--homedir", home, "--batch", "--quiet", *args], capture_output=True)
    if r.returncode != 0:
        sys.exit(f"mirror: gpg {' '.join(args)}: {r.stderr.decode(errors='replace').strip()}")
    return r.stdout


# --------------------------------------------------------------------------------------------------
def print_hex(fname, digest, new=True):
    """Emulate GnuPG g10/gpg.c print_hex() for `gpg --print-md ALGO FILE` (docs/facts/kafka.md Appendix A).

    new=True: GnuPG >= 2.3.4; new=False: GnuPG 1.4/2.0/2.2. Both agree for Kafka's file names."""
    out = []
    indent = 0
    if fname:
        s = f"{fname}: "
        out.append(s)
        indent = len(s)
    if indent > 40:
        out.append("\n")
        indent = 0
    count = indent
    n = len(digest)
    out.append(f"{digest[0]:02X}")
    count += 2

    def nl():
        if new:
            return "\n" + (" " * indent if indent else "")
        return "\n" + (" " * indent if indent else " ")

    for i in range(1, n):
        if n == 16:
            if count + 2 > 79:
                out.append(nl())
                count = indent
            else:
                out.append(" ")
                count += 1
            if not i % 8:
                out.append(" ")
                count += 1
        elif n == 20:
            if not i % 2:
                if count + 4 > 79:
                    out.append(nl())
                    count = indent
                else:
                    out.append(" ")
                    count += 1
            if not i % 10:
                out.append(" ")
                count += 1
        else:
            if not i % 4:
                wrap = (count + 8 >= 79) if new else (count + 8 > 79)
                if wrap:
                    out.append(nl())
                    count = indent
                else:
                    out.append(" ")
                    count += 1
        out.append(f"{digest[i]:02X}")
        count += 2
    out.append("\n")
    return "".join(out)


def sha512_file(path):
    h = hashlib.sha512()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.digest()


def gpg_sha512_text(path):
    return print_hex(os.path.basename(path), sha512_file(path))


# --------------------------------------------------------------------------------------------------
RELEASE_RE = re.compile(r"^kafka_(\d+\.\d+)-(\d+\.\d+\.\d+)\.tgz$")


def publish(root, tarballs, sign_with=None):
    kafka = os.path.join(root, "kafka")
    os.makedirs(kafka, exist_ok=True)
    for tb in tarballs:
        base = os.path.basename(tb)
        m = RELEASE_RE.match(base)
        if not m:
            sys.exit(f"mirror: {base}: not a kafka_<scala>-<version>.tgz file name")
        vdir = os.path.join(kafka, m.group(2))
        os.makedirs(vdir, exist_ok=True)
        dest = os.path.join(vdir, base)
        if os.path.exists(dest):
            os.unlink(dest)
        try:
            os.link(tb, dest)
        except OSError:
            shutil.copyfile(tb, dest)
        with open(dest + ".sha512", "w") as f:
            f.write(gpg_sha512_text(dest))
        if sign_with:
            if os.path.exists(dest + ".asc"):
                os.unlink(dest + ".asc")
            gpg(sign_with, "--armor", "--output", dest + ".asc", "--detach-sig", dest)
        print(f"mirror: published /kafka/{m.group(2)}/{base}" + (" (signed)" if sign_with else ""))
    with open(os.path.join(kafka, "KEYS"), "w") as f:
        f.write(KEYS_HEADER + gpg(sign_with, "--armor", "--export").decode() if sign_with else KEYS_PLACEHOLDER)


# --------------------------------------------------------------------------------------------------
class Faults:
    MODES = ("corrupt", "404", "slow", "interrupt")

    def __init__(self):
        self.lock = threading.Lock()
        self.by_path = {}  # path -> [mode, arg, remaining or None]
        self.log = []

    @staticmethod
    def parse(spec):
        times = None
        if "@" in spec:
            spec, t = spec.rsplit("@", 1)
            times = int(t)
        mode, _, arg = spec.partition(":")
        if mode not in Faults.MODES and mode != "none":
            raise ValueError(f"unknown fault mode {mode!r} (corrupt, 404, slow:BPS, interrupt:K, none)")
        if mode in ("slow", "interrupt"):
            arg = int(arg)
            if arg <= 0 and mode == "slow":
                raise ValueError("slow needs a positive bytes-per-second")
            if arg < 0:
                raise ValueError("interrupt needs K >= 0")
        else:
            arg = None
        return mode, arg, times

    def set(self, path, spec):
        mode, arg, times = self.parse(spec)
        with self.lock:
            if mode == "none":
                self.by_path.pop(path, None)
            else:
                self.by_path[path] = [mode, arg, times]

    def clear(self):
        with self.lock:
            self.by_path.clear()

    def take(self, path):
        """The fault for this request (consuming one use of a counted fault), or None."""
        with self.lock:
            f = self.by_path.get(path)
            if not f:
                return None
            mode, arg, times = f
            if times is not None:
                f[2] -= 1
                if f[2] <= 0:
                    del self.by_path[path]
            return mode, arg

    def record(self, entry):
        with self.lock:
            self.log.append(entry)

    def snapshot(self):
        with self.lock:
            return {"faults": {p: {"mode": m, "arg": a, "remaining": t} for p, (m, a, t) in self.by_path.items()},
                    "log": list(self.log)}


def index_page(urlpath, dirpath):
    rows = []
    for name in sorted(os.listdir(dirpath)):
        if name.startswith("."):
            continue
        full = os.path.join(dirpath, name)
        st = os.stat(full)
        mtime = time.strftime("%Y-%m-%d %H:%M", time.gmtime(st.st_mtime))
        if os.path.isdir(full):
            name += "/"
            size, icon, alt = "-", "/icons/folder.gif", "[DIR]"
        else:
            size, icon, alt = human_size(st.st_size), "/icons/unknown.gif", "[   ]"
        shown = name if len(name) <= 50 else name[:47] + "..>"
        pad = " " * (51 - len(shown))
        rows.append(f'<img src="{icon}" alt="{alt}"> <a href="{urllib.parse.quote(name)}">{html.escape(shown)}</a>'
                    f'{pad}{mtime}  {size:>4}  \n')
    title = f"Index of {urlpath.rstrip('/') or '/'}"
    parent = urlpath.rstrip("/").rsplit("/", 1)[0] + "/"
    return ("<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html>\n <head>\n"
            f"  <title>{html.escape(title)}</title>\n </head>\n <body>\n<h1>{html.escape(title)}</h1>\n"
            '<pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>'
            '                                               <a href="?C=M;O=A">Last modified</a>      '
            '<a href="?C=S;O=A">Size</a>  <a href="?C=D;O=A">Description</a><hr>'
            f'<img src="/icons/back.gif" alt="[PARENTDIR]"> <a href="{parent}">Parent Directory</a>'
            "                                           -   \n"
            + "".join(rows) + "<hr></pre>\n</body></html>\n")


def human_size(n):
    for unit in ("", "K", "M", "G"):
        if n < 1024 or unit == "G":
            if unit == "":
                return str(n)
            return f"{n:.1f}{unit}" if n < 10 else f"{int(round(n))}{unit}"
        n /= 1024.0
    return str(n)


RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def make_handler(root, faults):
    root = os.path.realpath(root)

    class Handler(BaseHTTPRequestHandler):
        server_version = "Apache/2.4.62 (kafka-wizard test mirror)"
        sys_version = ""
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet; /_mirror/log has the requests
            pass

        def do_HEAD(self):
            self.handle_request(head=True)

        def do_GET(self):
            self.handle_request(head=False)

        def do_POST(self):
            self.handle_request(head=False)

        def send_small(self, status, body, ctype="text/html; charset=iso-8859-1", extra=None, head=False):
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if not head:
                self.wfile.write(data)

        def not_found(self, path, head):
            body = ("<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n"
                    "</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n"
                    "</body></html>\n")
            self.send_small(404, body, head=head)
            return 404

        def control(self, parsed):
            q = urllib.parse.parse_qs(parsed.query)
            if self.command == "POST":
                n = int(self.headers.get("Content-Length") or 0)
                q.update(urllib.parse.parse_qs(self.rfile.read(n).decode()))
            try:
                if parsed.path == "/_mirror/fault":
                    faults.set(q["path"][0], q["mode"][0])
                elif parsed.path == "/_mirror/clear":
                    faults.clear()
                elif parsed.path != "/_mirror/log":
                    return self.send_small(404, "no such control endpoint\n", "text/plain")
            except (KeyError, ValueError) as e:
                return self.send_small(400, f"bad control request: {e}\n", "text/plain")
            self.send_small(200, json.dumps(faults.snapshot(), indent=1) + "\n", "application/json")

        def handle_request(self, head):
            parsed = urllib.parse.urlsplit(self.path)
            path = urllib.parse.unquote(parsed.path)
            if path.startswith("/_mirror/"):
                return self.control(parsed)
            rng = self.headers.get("Range")
            entry = {"method": self.command, "path": path, "range": rng, "status": None, "t": time.time()}
            try:
                entry["status"] = self.serve(path, parsed, rng, head, entry)
            finally:
                faults.record(entry)

        def serve(self, path, parsed, rng, head, entry):
            if "\0" in path or any(part == ".." for part in path.split("/")):
                return self.not_found(path, head)
            full = os.path.realpath(os.path.join(root, path.lstrip("/")))
            if full != root and not full.startswith(root + os.sep):
                return self.not_found(path, head)
            fault = faults.take(path)
            entry["fault"] = fault and f"{fault[0]}" + (f":{fault[1]}" if fault[1] is not None else "")
            if fault and fault[0] == "404":
                return self.not_found(path, head)
            if os.path.isdir(full):
                if not path.endswith("/"):
                    loc = path + "/" + (("?" + parsed.query) if parsed.query else "")
                    self.send_small(301, f'<html><body><a href="{html.escape(loc)}">moved</a></body></html>\n',
                                    extra={"Location": loc}, head=head)
                    return 301
                self.send_small(200, index_page(path, full), head=head)
                return 200
            if not os.path.isfile(full):
                return self.not_found(path, head)
            size = os.path.getsize(full)
            start, end, status = 0, size - 1, 200
            if rng:
                m = RANGE_RE.match(rng.strip())
                if m and (m.group(1) or m.group(2)):
                    if m.group(1):
                        start = int(m.group(1))
                        end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                    else:  # suffix range: the last N bytes
                        start = max(0, size - int(m.group(2)))
                    if start >= size or start > end:
                        self.send_small(416, "", "text/plain", {"Content-Range": f"bytes */{size}"}, head=head)
                        return 416
                    status = 206
                # a malformed Range header is ignored, as Apache does
            length = end - start + 1 if size else 0
            self.send_response(status)
            ctype = ("application/x-gzip" if full.endswith((".tgz", ".gz")) else
                     "text/plain" if full.endswith((".sha512", ".asc", ".md5", ".sha1")) or path.endswith("/KEYS")
                     else "application/octet-stream")
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(length))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Last-Modified", email.utils.formatdate(os.path.getmtime(full), usegmt=True))
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            self.end_headers()
            if head or length == 0:
                return status
            limit = length
            rate = None
            if fault and fault[0] == "interrupt":
                limit = min(length, fault[1])
            if fault and fault[0] == "slow":
                rate = fault[1]
            corrupt_lo = corrupt_hi = -1
            if fault and fault[0] == "corrupt":
                corrupt_lo = max(0, size // 2 - 32)
                corrupt_hi = min(size, corrupt_lo + 64)
            sent = 0
            t0 = time.monotonic()
            chunk_size = 64 * 1024 if rate is None else max(1, min(64 * 1024, rate // 10 or 1))
            with open(full, "rb") as f:
                f.seek(start)
                pos = start
                while sent < limit:
                    data = f.read(min(chunk_size, limit - sent))
                    if not data:
                        break
                    if corrupt_lo >= 0 and pos < corrupt_hi and pos + len(data) > corrupt_lo:
                        b = bytearray(data)
                        for i in range(max(corrupt_lo, pos), min(corrupt_hi, pos + len(data))):
                            b[i - pos] ^= 0xFF
                        data = bytes(b)
                    try:
                        self.wfile.write(data)
                    except (BrokenPipeError, ConnectionResetError):
                        return status
                    sent += len(data)
                    pos += len(data)
                    if rate:
                        ahead = sent / rate - (time.monotonic() - t0)
                        if ahead > 0:
                            time.sleep(ahead)
            if sent < length:  # interrupted on purpose: close without sending the rest
                self.wfile.flush()
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                self.close_connection = True
            return status

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(root, port, binds, fault_specs):
    if not os.path.isdir(root):
        sys.exit(f"mirror: no such root {root}")
    faults = Faults()
    for spec in fault_specs:
        path, _, mode = spec.partition("=")
        faults.set(path, mode)
    handler = make_handler(root, faults)
    servers = []
    for addr in binds:
        srv = Server((addr, port), handler)
        port = srv.server_address[1]  # the first bind chooses the port when --port 0
        servers.append(srv)
    for srv in servers:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    print(f"mirror: serving {root} on " + ", ".join(f"http://{a}:{port}/" for a in binds), file=sys.stderr)
    print(f"PORT={port}", flush=True)
    parent = os.getppid()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        if os.environ.get("MIRROR_EXIT_WITH_PARENT") == "1" and os.getppid() != parent:
            break  # the test process that started us is gone
    for srv in servers:
        srv.shutdown()
        srv.server_close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("publish")
    p.add_argument("--root", required=True)
    p.add_argument("--sign-with", metavar="GNUPGHOME", help="sign each tarball with this GNUPGHOME's key (.asc, KEYS)")
    p.add_argument("tarballs", nargs="+")
    s = sub.add_parser("serve")
    s.add_argument("--root", required=True)
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--bind", action="append", help="address to listen on (repeatable; default 127.0.0.1)")
    s.add_argument("--fault", action="append", default=[], help="PATH=MODE, e.g. /kafka/4.1.1/x.tgz=corrupt")
    m = sub.add_parser("print-md")
    m.add_argument("file")
    a = ap.parse_args()
    if a.cmd == "publish":
        publish(a.root, a.tarballs, a.sign_with)
    elif a.cmd == "serve":
        binds = a.bind or ["127.0.0.1"]
        for b in binds:
            if not (b.startswith("127.") or b.startswith("10.77.0.")):
                sys.exit(f"mirror: refusing to listen on {b}: only loopback and the test bridge (10.77.0.x)")
        serve(a.root, a.port, binds, a.fault)
    else:
        sys.stdout.write(gpg_sha512_text(a.file))


if __name__ == "__main__":
    main()
