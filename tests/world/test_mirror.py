#!/usr/bin/env python3
"""tests/world/test_mirror.py — tests of the test mirror itself (run by tests/run-all.sh; needs no root).

Owns nothing outside a temporary directory. Checks the gpg --print-md emulator against the real
kafka_2.13-4.0.0.tgz.sha512 (docs/facts/kafka.md §2, verbatim), every serving behaviour and fault mode
of mirror.py against a real server process on 127.0.0.1, and that `publish --sign-with` signs like Apache
(checked the way Apache says: gpg --import KEYS, gpg --verify; needs gpg).
Run: python3 -m unittest discover -s tests/world -p 'test_*.py' -v
"""
import hashlib
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mirror  # noqa: E402

# The real file, verbatim (docs/facts/kafka.md §2, from a Dockerfile that diffs it against `gpg --print-md`).
REAL_4_0_0 = (
    "kafka_2.13-4.0.0.tgz: 00722AB0 A6B954E0 006994B8 D589DCD8 F26E1827 C47F70B6\n"
    "                      E820FB45 AA35945C 19163B0F 188CAF0C AF976C11 F7AB005F\n"
    "                      D368C54E 5851E899 D2DE687A 804A5EB9\n"
)
DIGEST_4_0_0 = bytes.fromhex(
    "00722AB0A6B954E0006994B8D589DCD8F26E1827C47F70B6E820FB45AA35945C"
    "19163B0F188CAF0CAF976C11F7AB005FD368C54E5851E899D2DE687A804A5EB9")


class GpgPrintMd(unittest.TestCase):
    def test_the_emulator_reproduces_the_real_4_0_0_sha512_file_verbatim(self):
        self.assertEqual(mirror.print_hex("kafka_2.13-4.0.0.tgz", DIGEST_4_0_0), REAL_4_0_0)
        self.assertEqual(mirror.print_hex("kafka_2.13-4.0.0.tgz", DIGEST_4_0_0, new=False), REAL_4_0_0)

    def test_a_long_file_name_goes_on_its_own_line(self):
        out = mirror.print_hex("x" * 45, DIGEST_4_0_0)
        first, second = out.split("\n")[:2]
        self.assertEqual(first, "x" * 45 + ": ")
        self.assertTrue(second.startswith("00722AB0 A6B954E0"))

    def test_the_file_written_for_a_tarball_holds_its_real_digest(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "kafka_2.13-9.9.9.tgz")
            with open(p, "wb") as f:
                f.write(os.urandom(1000))
            text = mirror.gpg_sha512_text(p)
            hexpart = "".join(text.split(":", 1)[1].split()).lower()
            with open(p, "rb") as f:
                self.assertEqual(hexpart, hashlib.sha512(f.read()).hexdigest())
            self.assertTrue(text.startswith("kafka_2.13-9.9.9.tgz: "))
            self.assertEqual([len(line) for line in text.splitlines()], [75, 75, 57])


class Signing(unittest.TestCase):
    def test_a_release_published_with_a_key_verifies_with_gpg_against_the_published_keys_only(self):
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, KW_SIGNING_HOME=os.path.join(d, "signing-key"))
            out = subprocess.run(["bash", os.path.join(HERE, "signing-key.sh")], env=env, check=True,
                                 capture_output=True, text=True).stdout
            home = out.strip().splitlines()[-1]
            src = os.path.join(d, "kafka_2.13-9.9.9.tgz")
            with open(src, "wb") as f:
                f.write(os.urandom(200_000))
            root = os.path.join(d, "root")
            subprocess.run([sys.executable, os.path.join(HERE, "mirror.py"), "publish", "--root", root,
                            "--sign-with", home, src], check=True, capture_output=True)
            vdir = os.path.join(root, "kafka", "9.9.9")
            self.assertEqual(sorted(os.listdir(vdir)),
                             ["kafka_2.13-9.9.9.tgz", "kafka_2.13-9.9.9.tgz.asc", "kafka_2.13-9.9.9.tgz.sha512"])
            with open(os.path.join(root, "kafka", "KEYS")) as f:
                keys = f.read()
            self.assertIn("test key", keys)
            self.assertEqual(keys.count("-----BEGIN PGP PUBLIC KEY BLOCK-----"), 1)
            # As Apache says to check: a fresh keyring holding only KEYS, then --verify.
            check = os.path.join(d, "check")
            os.mkdir(check, 0o700)
            gpg = ["gpg", "--homedir", check, "--batch"]
            subprocess.run(gpg + ["--import", os.path.join(root, "kafka", "KEYS")], check=True, capture_output=True)
            tgz = os.path.join(vdir, "kafka_2.13-9.9.9.tgz")
            r = subprocess.run(gpg + ["--status-fd", "1", "--verify", tgz + ".asc", tgz], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            validsig = [line.split() for line in r.stdout.splitlines() if line.startswith("[GNUPG:] VALIDSIG")]
            primary = subprocess.run(["gpg", "--homedir", home, "--batch", "--with-colons", "--list-keys"],
                                     check=True, capture_output=True, text=True).stdout
            primary_fpr = [line.split(":")[9] for line in primary.splitlines() if line.startswith("fpr")][0]
            self.assertEqual(validsig[0][11], primary_fpr, "VALIDSIG's 10th field is the primary key")
            self.assertNotEqual(validsig[0][2], primary_fpr, "signed with the signing subkey, as release managers do")
            with open(tgz, "r+b") as f:
                f.seek(1000)
                b = f.read(1)
                f.seek(1000)
                f.write(bytes([b[0] ^ 1]))
            r = subprocess.run(gpg + ["--verify", tgz + ".asc", tgz], capture_output=True)
            self.assertNotEqual(r.returncode, 0)
            subprocess.run(["gpgconf", "--homedir", check, "--kill", "all"], capture_output=True)


class MirrorServer(unittest.TestCase):
    V = "9.9.9"
    NAME = f"kafka_2.13-{V}.tgz"
    PATH = f"/kafka/{V}/{NAME}"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        src = os.path.join(cls.tmp.name, cls.NAME)
        cls.data = os.urandom(300_000)
        with open(src, "wb") as f:
            f.write(cls.data)
        cls.root = os.path.join(cls.tmp.name, "root")
        subprocess.run([sys.executable, os.path.join(HERE, "mirror.py"), "publish", "--root", cls.root, src],
                       check=True, capture_output=True)
        cls.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "mirror.py"), "serve", "--root", cls.root,
                                     "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = cls.proc.stdout.readline().strip()
        assert line.startswith("PORT="), line
        cls.port = int(line[5:])

    @classmethod
    def tearDownClass(cls):
        cls.proc.terminate()
        cls.proc.wait(timeout=10)
        cls.proc.stdout.close()
        cls.tmp.cleanup()

    def setUp(self):
        self.get("/_mirror/clear")

    def get(self, path, headers=None, method="GET"):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        c.request(method, path, headers=headers or {})
        r = c.getresponse()
        try:
            body = r.read()
        except http.client.IncompleteRead as e:
            body = e.partial
            r.incomplete = True
        c.close()
        return r, body

    def fault(self, mode, path=None):
        r, body = self.get(f"/_mirror/fault?path={path or self.PATH}&mode={mode}")
        self.assertEqual(r.status, 200, body)

    def test_the_tarball_and_its_gpg_style_checksum_are_served(self):
        r, body = self.get(self.PATH)
        self.assertEqual((r.status, body), (200, self.data))
        self.assertEqual(r.getheader("Accept-Ranges"), "bytes")
        r, body = self.get(self.PATH + ".sha512")
        self.assertEqual(r.status, 200)
        self.assertEqual(body.decode(), mirror.print_hex(self.NAME, hashlib.sha512(self.data).digest()))

    def test_the_keys_file_is_a_placeholder_that_says_so(self):
        r, body = self.get("/kafka/KEYS")
        self.assertEqual(r.status, 200)
        self.assertIn(b"placeholder", body)

    def test_directory_pages_look_like_apache_indexes(self):
        r, body = self.get("/kafka/")
        self.assertEqual(r.status, 200)
        self.assertIn(b"<title>Index of /kafka</title>", body)
        self.assertIn(f'<a href="{self.V}/">{self.V}/</a>'.encode(), body)
        self.assertIn(b'<a href="KEYS">KEYS</a>', body)
        r, body = self.get(f"/kafka/{self.V}/")
        self.assertIn(f'<a href="{self.NAME}">{self.NAME}</a>'.encode(), body)
        self.assertIn(f'<a href="{self.NAME}.sha512">'.encode(), body)
        self.assertIn(b"Parent Directory", body)
        r, _ = self.get(f"/kafka/{self.V}")
        self.assertEqual((r.status, r.getheader("Location")), (301, f"/kafka/{self.V}/"))

    def test_a_missing_file_and_a_path_escape_are_404(self):
        self.assertEqual(self.get("/kafka/1.0.0/nothing.tgz")[0].status, 404)
        self.assertEqual(self.get("/kafka/../../etc/passwd")[0].status, 404)

    def test_a_range_request_gets_206_with_just_those_bytes(self):
        r, body = self.get(self.PATH, {"Range": "bytes=1000-1999"})
        self.assertEqual(r.status, 206)
        self.assertEqual(r.getheader("Content-Range"), f"bytes 1000-1999/{len(self.data)}")
        self.assertEqual(body, self.data[1000:2000])
        r, body = self.get(self.PATH, {"Range": "bytes=299000-"})
        self.assertEqual((r.status, body), (206, self.data[299000:]))
        r, body = self.get(self.PATH, {"Range": "bytes=-10"})
        self.assertEqual((r.status, body), (206, self.data[-10:]))
        r, _ = self.get(self.PATH, {"Range": f"bytes={len(self.data)}-"})
        self.assertEqual((r.status, r.getheader("Content-Range")), (416, f"bytes */{len(self.data)}"))

    def test_the_404_fault_hides_the_file(self):
        self.fault("404")
        self.assertEqual(self.get(self.PATH)[0].status, 404)
        self.fault("none")
        self.assertEqual(self.get(self.PATH)[0].status, 200)

    def test_the_corrupt_fault_keeps_the_size_and_changes_the_digest(self):
        self.fault("corrupt")
        r, body = self.get(self.PATH)
        self.assertEqual(r.status, 200)
        self.assertEqual(len(body), len(self.data))
        self.assertNotEqual(hashlib.sha512(body).digest(), hashlib.sha512(self.data).digest())
        diff = [i for i in range(len(body)) if body[i] != self.data[i]]
        self.assertEqual(len(diff), 64)
        # a range read of the corrupted region is consistent with the whole-file read
        lo = diff[0]
        r, part = self.get(self.PATH, {"Range": f"bytes={lo - 10}-{lo + 9}"})
        self.assertEqual(part, body[lo - 10:lo + 10])

    def test_an_interrupted_transfer_can_be_resumed_with_a_range_request(self):
        self.fault("interrupt:100000@1")
        r, first = self.get(self.PATH)
        self.assertEqual(r.status, 200)
        self.assertEqual(int(r.getheader("Content-Length")), len(self.data))
        self.assertEqual(len(first), 100000)
        r, rest = self.get(self.PATH, {"Range": f"bytes={len(first)}-"})
        self.assertEqual(r.status, 206)
        self.assertEqual(first + rest, self.data)

    def test_the_slow_fault_limits_the_rate(self):
        self.fault("slow:200000")
        t0 = time.monotonic()
        r, body = self.get(self.PATH)
        took = time.monotonic() - t0
        self.assertEqual(body, self.data)
        self.assertGreaterEqual(took, 1.2)  # 300 kB at 200 kB/s = 1.5 s
        self.assertLess(took, 10)

    def test_a_counted_fault_clears_itself_and_the_log_records_requests(self):
        self.fault("404@2")
        self.assertEqual(self.get(self.PATH)[0].status, 404)
        self.assertEqual(self.get(self.PATH)[0].status, 404)
        self.assertEqual(self.get(self.PATH)[0].status, 200)
        _, log = self.get("/_mirror/log")
        statuses = [e["status"] for e in json.loads(log)["log"] if e["path"] == self.PATH][-3:]
        self.assertEqual(statuses, [404, 404, 200])

    def test_an_unknown_fault_mode_is_refused(self):
        r, _ = self.get(f"/_mirror/fault?path={self.PATH}&mode=explode")
        self.assertEqual(r.status, 400)

    def test_head_gives_the_size_without_a_body(self):
        r, body = self.get(self.PATH, method="HEAD")
        self.assertEqual((r.status, body, int(r.getheader("Content-Length"))), (200, b"", len(self.data)))


if __name__ == "__main__":
    unittest.main()
