"""bench/hosts.py — the benchmark's hands on the test world: world.sh up/down, ssh and scp to a host, every host
logged in to at once, the hosts' CPU (their cgroups), the bridge's counters and its uplink shaping, a broker's
Metadata answer. bench.py measures with these.
"""
import json
import os
import socket
import struct
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORLD = os.path.join(ROOT, "tests", "world")
BRIDGE = "kwbr0"
UPLINK = "100mbit"

def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def sh(*args, check=True, **kw):
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} -> {r.returncode}\n{r.stdout}{r.stderr}")
    return r


def metadata_broker_count(address, port):
    """The number of brokers a broker's Metadata answer (v0, all topics) lists; 0 when it does not answer yet."""
    client = b"kw-bench"
    body = struct.pack(">hhih", 3, 0, 1, len(client)) + client + struct.pack(">i", 0)
    try:
        with socket.create_connection((address, port), timeout=1) as c:
            c.settimeout(1)
            c.sendall(struct.pack(">i", len(body)) + body)
            head = b""
            while len(head) < 12:
                chunk = c.recv(12 - len(head))
                if not chunk:
                    return 0
                head += chunk
            return struct.unpack(">i", head[8:12])[0]   # size, correlation id, then the brokers array's length
    except OSError:
        return 0

class World:
    """world.sh up/down; the inventory it writes; ssh to a host; the bridge's counters."""

    def __init__(self):
        self.n = 0
        self.inv = None

    def up(self, n):
        self.down()
        t = time.monotonic()
        try:
            sh("bash", os.path.join(WORLD, "world.sh"), "up", str(n))
        except RuntimeError as e:  # a host slow to start on a loaded machine: once more, from nothing
            log(f"world.sh up {n} failed, once more: {str(e).strip().splitlines()[-1]}")
            self.down()
            sh("bash", os.path.join(WORLD, "world.sh"), "up", str(n))
        with open(os.path.join(WORLD, "state", "inventory.json")) as f:
            self.inv = json.load(f)
        assert len(self.inv["hosts"]) == n, f"inventory lists {len(self.inv['hosts'])} hosts, not {n}"
        self.n = n
        log(f"world: {n} fresh hosts up in {time.monotonic() - t:.1f}s")

    def down(self):
        sh("bash", os.path.join(WORLD, "world.sh"), "down")
        self.n = 0

    def ssh_opts(self):
        return ["-i", self.inv["identity_file"], "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes",
                "-o", f"UserKnownHostsFile={self.inv['known_hosts']}", "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"]

    def ssh(self, i, script):
        return sh("ssh", *self.ssh_opts(), f"root@{self.inv['hosts'][i]['ip']}", script).stdout

    def scp_secs(self, i, local, remote):
        t = time.monotonic()
        sh("scp", "-q", *self.ssh_opts(), local, f"root@{self.inv['hosts'][i]['ip']}:{remote}")
        return time.monotonic() - t

    def ssh_all(self, script, check=True):
        """Runs `script` as root on every host at once (the key exchange libssh2 prefers), waiting for all; the
        seconds it took. With `check`, any host's failure raises."""
        t = time.monotonic()
        procs = [subprocess.Popen(["ssh", *self.ssh_opts(), "-o", "KexAlgorithms=curve25519-sha256",
                                   f"root@{h['ip']}", script]) for h in self.inv["hosts"]]
        codes = [p.wait() for p in procs]
        if check and any(codes):
            raise RuntimeError(f"{script!r} failed on some host: exit codes {codes}")
        return time.monotonic() - t

    def logins_secs(self):
        """Every host logged in to at once (`ssh HOST true`): the floor of any run that touches every host. On this
        machine all hosts share its cores, and a login costs each host ~0.12 s of CPU (sshd, and systemd-logind
        starting root's user manager: Debian's PAM session)."""
        return self.ssh_all("true")

    @staticmethod
    def hosts_cpu_s():
        """The CPU seconds the hosts used so far, all together (`world.sh cpu ms`: their cgroups' cpu.stat); None
        where the machine gives the hosts no cgroup of their own."""
        out = sh("bash", os.path.join(WORLD, "world.sh"), "cpu", "ms").stdout.strip()
        return int(out) / 1000 if out else None

    def settle(self, limit_s=60):
        """Waits until the hosts use under 2 % of a core each (1 s windows; at most `limit_s`): an install
        aborted at its start phase may leave a service starting, whose JVM would otherwise be timed into the next run.
        Returns the seconds waited."""
        t = time.monotonic()
        before = self.hosts_cpu_s()
        while before is not None and time.monotonic() - t < limit_s:
            time.sleep(1)
            now = self.hosts_cpu_s()
            if now - before < 0.02 * max(self.n, 1):
                break
            before = now
        return time.monotonic() - t

    @staticmethod
    def tx_bytes(dev):
        with open(f"/sys/class/net/{dev}/statistics/tx_bytes") as f:
            return int(f.read())


class Shaper:
    """tbf on the bridge's root qdisc: what the main namespace (the wizard) sends to the hosts leaves by it;
    host-to-host traffic is switched port to port and never passes it."""

    def __init__(self):
        self.on = False

    def apply(self):
        sh("tc", "qdisc", "replace", "dev", BRIDGE, "root", "tbf", "rate", UPLINK, "burst", "256kb", "latency", "100ms")
        self.on = True

    def remove(self):
        if self.on:
            sh("tc", "qdisc", "del", "dev", BRIDGE, "root", check=False)
            self.on = False
