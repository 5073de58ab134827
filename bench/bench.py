#!/usr/bin/env python3
"""bench/bench.py — the benchmark's runner (started by bench/run.sh, root: it uses the test world).

Measures the real `kafka-wizard` binary on the test world's hosts (tests/world/world.sh), the release served by the
world's mirror (tests/world/mirror.py) on 127.0.0.1, and prints a table, writes OUT/results.json and OUT/install.png
(`kw-bench plot`). What is measured, how, and against what is in bench/README.md. Holds the world's session lock
(KW_SESSION_LOCK of tests/world/lib.sh) for the whole run, like a test, and removes the uplink shaping and the hosts
on any exit.
"""
import argparse
import fcntl
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from hosts import BRIDGE, UPLINK, WORLD, Shaper, World, log, metadata_broker_count, sh

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SESSION_LOCK = os.environ.get("KW_SESSION_LOCK", "/tmp/kafka-wizard-world.session.lock")
KAFKA = "3.9.2"  # tests/support/world/releases.rs KAFKA_3: ZooKeeper mode and KRaft
JVM_OPTS = 'jvm_opts = ["-XX:TieredStopAtLevel=1"]'  # as the e2e projects (releases.rs JVM_OPTS)
INSTALL_PHASES = {"fetch", "prepare", "install", "configure", "register"}
KAFKA_UNIT, ZOOKEEPER_UNIT = "kafka-server.service", "zookeeper-server.service"  # src/render/systemd.rs


def gzip_isize(path):
    """The uncompressed size a gzip file records in its last four bytes (modulo 4 GiB: a release is far smaller)."""
    with open(path, "rb") as f:
        f.seek(-4, os.SEEK_END)
        return int.from_bytes(f.read(4), "little")


def release_label(raw):
    """The floor of the bytes the wizard sends: the release once — the relay sends its tar (src/apply/relay)."""
    tar = raw.get("tar_mb")
    tar = f", {tar:.1f} MB as the tar the relay carries" if tar else ""
    return f"{raw['tarball_mb']:.1f} MB (the tarball{tar})"


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return {"runs": [], "min": None, "median": None, "max": None}
    return {"runs": values, "min": min(values), "median": statistics.median(values), "max": max(values)}


class Bench:
    def __init__(self, a):
        self.a = a
        self.tmp = tempfile.mkdtemp(prefix="kw-bench-")
        self.world = World()
        self.shaper = Shaper()
        self.mirror = None
        self.tarball = sh("bash", os.path.join(WORLD, "assemble-kafka.sh"), KAFKA).stdout.strip().splitlines()[-1]
        self.env = {**os.environ, "XDG_CACHE_HOME": f"{self.tmp}/cache", "XDG_DATA_HOME": f"{self.tmp}/data",
                    "XDG_STATE_HOME": f"{self.tmp}/state", "XDG_CONFIG_HOME": f"{self.tmp}/config"}
        self.failures = []

    # -- the mirror and the trust of its key ----------------------------------------------------------------------
    def start_mirror(self):
        out = sh("bash", os.path.join(WORLD, "signing-key.sh")).stdout.splitlines()
        gnupg = [l.strip() for l in out if l.strip().startswith("/")][-1]
        self.keys = os.path.join(os.path.dirname(gnupg), "KEYS")
        root = f"{self.tmp}/mirror"
        mirror = os.path.join(WORLD, "mirror.py")
        sh("python3", mirror, "publish", "--root", root, "--sign-with", gnupg, self.tarball)
        self.mirror = subprocess.Popen(["python3", mirror, "serve", "--port", "0", "--bind", "127.0.0.1", "--root", root],
                                       stdout=subprocess.PIPE, text=True, env={**os.environ, "MIRROR_EXIT_WITH_PARENT": "1"})
        line = self.mirror.stdout.readline()
        assert line.startswith("PORT="), f"mirror.py serve printed {line!r}"
        self.base = f"http://127.0.0.1:{int(line[5:])}/kafka"
        self.published = f"{root}/kafka/{KAFKA}/kafka_2.13-{KAFKA}.tgz"
        sh(self.a.wizard, "trust", "import", self.keys, "--yes", env=self.env)

    # -- projects ---------------------------------------------------------------------------------------------------
    def project(self, n, extra=""):
        """The guide's shape (examples/seed-cluster.toml) on h1..hn: h1–h3 ZooKeeper, the others brokers; with
        fewer than 6 hosts h1–h3 hold both roles."""
        inv = self.world.inv
        s = (f'format = 1\nname = "bench-{n}"\n\n[kafka]\nversion = "{KAFKA}"\nmode = "zookeeper"\n'
             f'install_dir = "/opt"\ndata_dirs = ["/data1", "/data2"]\nheap = "256m"\n{JVM_OPTS}\n'
             f'mirror = "{self.base}"\napache_url = "{self.base}"\n\n{extra}'
             f'[zookeeper]\nchroot = "/bench"\nheap = "256m"\n{JVM_OPTS}\n\n'
             f'[ssh]\nuser = "root"\nidentity_file = "{inv["identity_file"]}"\nknown_hosts = "{inv["known_hosts"]}"\n')
        for i, h in enumerate(inv["hosts"]):
            if i < 3 and n < 6:
                roles, ids = '["zookeeper", "broker"]', f"zookeeper_id = {i + 1}\nid = {i + 1}"
            elif i < 3:
                roles, ids = '["zookeeper"]', f"zookeeper_id = {i + 1}"
            else:
                roles, ids = '["broker"]', f"id = {i - 2 if n >= 6 else i + 1}"
            s += f'\n[[hosts]]\nname = "{h["name"]}"\naddress = "{h["ip"]}"\nroles = {roles}\n{ids}\n'
        path = f"{self.tmp}/bench-{n}.toml"
        with open(path, "w") as f:
            f.write(s)
        return path

    # -- one wizard run ---------------------------------------------------------------------------------------------
    def wizard(self, args, stop_before_start=False):
        """Runs `kafka-wizard ARGS --json`, timestamping each event line as it arrives. With `stop_before_start`
        the run is ended (Ctrl-C ×3: the CLI's abort) when the first phase after the install phases begins.
        Returns seconds (to the end, or to that phase), peak RSS (MB), CPU seconds, bytes sent on the bridge."""
        tx0 = World.tx_bytes(BRIDGE)
        hosts_cpu0 = World.hosts_cpu_s()
        t0 = time.monotonic()
        p = subprocess.Popen([self.a.wizard, *args, "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=self.env, text=True)
        done_at, phases, lines, stopped, hosts = None, [], [], False, set()
        for line in p.stdout:
            lines.append(line)
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if ev.get("event") == "step_finished" and ev.get("target", {}).get("on") == "host":
                hosts.add(ev["target"]["name"])
            if ev.get("event") == "phase_started":
                phases.append((ev.get("phase"), time.monotonic() - t0))
                if stop_before_start and ev.get("phase") not in INSTALL_PHASES and done_at is None:
                    done_at = time.monotonic() - t0
                    tx_done = World.tx_bytes(BRIDGE)
                    for _ in range(3):
                        # os.kill, not Popen.send_signal: that polls first and may reap the exited CLI, and the
                        # wait4 below (for its rusage) would then find no child
                        os.kill(p.pid, signal.SIGINT)
                        time.sleep(0.2)
                    stopped = True
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        end = time.monotonic() - t0
        ok = p.returncode == 0 or stopped
        if not ok:
            raise RuntimeError(f"kafka-wizard {' '.join(args)} exited {p.returncode}: {err.strip()[-2000:]}")
        return {
            "secs": done_at if done_at is not None else end,
            "ok": ok,
            "rss_mb": ru.ru_maxrss / 1024,
            "cpu_s": ru.ru_utime + ru.ru_stime,
            "bytes_sent": (tx_done if done_at is not None else World.tx_bytes(BRIDGE)) - tx0,
            "hosts_cpu_s": None if hosts_cpu0 is None else World.hosts_cpu_s() - hosts_cpu0,
            "phases": phases,
            "changed": sum('"outcome":"changed"' in line for line in lines),
            "hosts_with_steps": sorted(hosts),
        }

    # -- floors -----------------------------------------------------------------------------------------------------
    def floor_scp(self, i=0):
        secs = self.world.scp_secs(i, self.tarball, "/root/floor.tgz")
        return secs

    def floor_unpack(self, i=0):
        out = self.world.ssh(i, "mkdir -p /root/floor && a=$(date +%s%N) && tar xzf /root/floor.tgz -C /root/floor "
                                "&& b=$(date +%s%N) && echo $(( (b - a) / 1000000 ))")
        return int(out.strip()) / 1000

    def floor_jvm(self, i=0):
        """One JVM start of Kafka's main class with the release's full classpath (`kafka.Kafka --version`)."""
        out = self.world.ssh(i, f"cd /root/floor/kafka_2.13-{KAFKA} && a=$(date +%s%N) && "
                                "KAFKA_JVM_PERFORMANCE_OPTS=-XX:TieredStopAtLevel=1 bin/kafka-run-class.sh kafka.Kafka "
                                "--version >/dev/null 2>&1; b=$(date +%s%N); echo $(( (b - a) / 1000000 ))")
        return int(out.strip()) / 1000

    def floor_cluster_start(self, n):
        """The deployed cluster stopped by hand, then every service started at once (ZooKeeper and brokers together,
        the most overlap there can be) and timed until each broker's Metadata answer lists every broker: what the
        hosts themselves need to bring this cluster up from files already in place."""
        brokers = [i for i in range(n) if n < 6 or i >= 3]   # the shape of `project`
        for unit in (KAFKA_UNIT, ZOOKEEPER_UNIT):   # the brokers first, while their ensemble still answers
            self.world.ssh_all(f"systemctl stop {unit} 2>/dev/null; true")
        t = time.monotonic()
        self.world.ssh_all(f"systemctl start --no-block {ZOOKEEPER_UNIT} {KAFKA_UNIT} 2>/dev/null; true")
        waiting = set(brokers)
        while waiting:
            if time.monotonic() - t > 120:
                raise RuntimeError(f"the hand-started cluster did not come up in 120 s (waiting for {sorted(waiting)})")
            for i in sorted(waiting):
                if metadata_broker_count(self.world.inv["hosts"][i]["ip"], 9092) == len(brokers):
                    waiting.discard(i)
            time.sleep(0.05)
        return time.monotonic() - t

    def sha512sum_mb_s(self):
        size = os.path.getsize(self.published)
        t = time.monotonic()
        sh("sha512sum", self.published)
        return size / 1e6 / (time.monotonic() - t)

    # -- scenarios --------------------------------------------------------------------------------------------------
    def deploy6(self, r):
        """Fresh 6-host deploy, no-change re-run, one-property change (rolling restart of the brokers)."""
        fresh, noop, change, floors = [], [], [], []
        for run in range(r):
            self.world.up(6)
            project = self.project(6)
            fresh.append(self.wizard(["deploy", project]))
            noop.append(self.wizard(["deploy", project]))
            self.project(6, extra=f'[kafka.properties]\n"log.retention.hours" = {100 + run}\n\n')
            change.append(self.wizard(["deploy", project]))
            scp, unpack, jvm = self.floor_scp(3), self.floor_unpack(3), self.floor_jvm(3)
            cluster = self.floor_cluster_start(6)
            floors.append({"scp_s": scp, "unpack_s": unpack, "jvm_s": jvm, "sum_s": scp + unpack + jvm,
                           "cluster_start_s": cluster, "by_hand_s": scp + unpack + cluster})
            log(f"deploy6 run {run + 1}: fresh {fresh[-1]['secs']:.1f}s, no-change {noop[-1]['secs']:.2f}s, "
                f"change {change[-1]['secs']:.1f}s, floor {floors[-1]['sum_s']:.1f}s, "
                f"by hand {floors[-1]['by_hand_s']:.1f}s (cluster start {cluster:.1f}s)")
        return {"fresh": fresh, "noop": noop, "change": change, "floors": floors}

    def install_only(self, n, r, shaped):
        runs, reruns, floors, logins = [], [], [], []
        for run in range(r):
            self.world.up(n)
            project = self.project(n)
            try:
                if shaped:
                    self.shaper.apply()
                runs.append(self.wizard(["deploy", project], stop_before_start=True))
                self.world.settle()
                reruns.append(self.wizard(["deploy", project], stop_before_start=True))
                floors.append(self.floor_scp(0))
                logins.append(self.world.logins_secs())
            finally:
                self.shaper.remove()
            log(f"install-only {n} hosts{' shaped' if shaped else ''} run {run + 1}: {runs[-1]['secs']:.1f}s, "
                f"re-run {reruns[-1]['secs']:.2f}s, one scp {floors[-1]:.1f}s, "
                f"{runs[-1]['bytes_sent'] / n / 1e6:.1f} MB sent per host")
        return {"hosts": n, "shaped": shaped, "runs": runs, "reruns": reruns, "scp_floor": floors,
                "login_floor": logins}

    def running(self, n, r):
        """A fresh n-host deploy to healthy, then r no-change re-runs of the running cluster (each with the floor:
        every host logged in to at once)."""
        self.world.up(n)
        project = self.project(n)
        fresh = self.wizard(["deploy", project])
        reruns, logins = [], []
        for run in range(r):
            self.world.settle()
            reruns.append(self.wizard(["deploy", project]))
            logins.append(self.world.logins_secs())
            log(f"running {n} hosts, no-change re-run {run + 1}: {reruns[-1]['secs']:.2f}s "
                f"(every host logged in to at once: {logins[-1]:.2f}s)")
        return {"hosts": n, "fresh": fresh, "reruns": reruns, "login_floor": logins}

    def verify(self, r):
        sig = self.published + ".asc"
        wiz = [json.loads(sh(self.a.kw_bench, "verify", self.published, sig, self.keys).stdout) for _ in range(r)]
        plain = [self.sha512sum_mb_s() for _ in range(r)]
        return {"wizard": wiz, "sha512sum_mb_s": plain}

    def close(self):
        self.shaper.remove()
        shutil.rmtree(self.tmp, ignore_errors=True)
        try:
            self.world.down()
        except Exception as e:  # noqa: BLE001 — reported, the lock is released anyway
            log(f"world.sh down: {e}")
        if self.mirror:
            self.mirror.kill()
            self.mirror.wait()


def summarise(raw, a):
    """results.json: every figure as min/median/max with its floor and goal."""
    res = {"kafka": KAFKA, "runs": a.runs, "quick": a.quick, "failures": raw["failures"], "install_only": [],
           "figures": []}

    def fig(name, values, unit, floor=None, goal=None, met=None):
        s = stats(values)
        res["figures"].append({"name": name, "unit": unit, **s, "floor": floor, "goal": goal, "met": met})

    if "deploy6" in raw:
        d = raw["deploy6"]
        floor = stats([f["by_hand_s"] for f in d["floors"]])["median"]
        parts = stats([f["sum_s"] for f in d["floors"]])["median"]
        fresh = stats([x["secs"] for x in d["fresh"]])
        fig("fresh deploy, 6 hosts, to healthy", fresh["runs"], "s",
            f"{floor:.1f} s (one scp + unpack, then the cluster's services started by hand all at once until every "
            f"broker lists every broker; scp + unpack + one JVM start alone: {parts:.1f} s)",
            "≤ 1.2× floor", fresh["median"] <= 1.2 * floor)
        noop = stats([x["secs"] for x in d["noop"]])
        fig("no-change re-run, 6 hosts", noop["runs"], "s", None, "≤ 0.5 s", noop["median"] <= 0.5)
        fig("one-property change (rolling restart), 6 hosts", [x["secs"] for x in d["change"]], "s",
            f"{stats([f['jvm_s'] for f in d['floors']])['median']:.1f} s (one JVM start)", None, None)
        fig("wizard peak RSS, fresh 6-host deploy", [x["rss_mb"] for x in d["fresh"]], "MB")
        fig("wizard CPU, fresh 6-host deploy", [x["cpu_s"] for x in d["fresh"]], "s")
        fig("bytes sent by the wizard per host, fresh 6-host deploy", [x["bytes_sent"] / 6 / 1e6 for x in d["fresh"]],
            "MB", release_label(raw))
    for e in raw["install_only"]:
        n, shaped = e["hosts"], e["shaped"]
        tag = f"{n} hosts" + (f", uplink {UPLINK}" if shaped else "")
        s = stats([x["secs"] for x in e["runs"]])
        res["install_only"].append({"hosts": n, "shaped": shaped, **s})
        fig(f"install-only, {tag}", s["runs"], "s", f"{stats(e['scp_floor'])['median']:.1f} s (one scp)")
        rer = stats([x["secs"] for x in e["reruns"]])
        goal = {6: 0.5, 24: 1.5}.get(n) if not shaped else None
        logins = e.get("login_floor") or []
        fig(f"no-change install-only re-run, {tag}", rer["runs"], "s",
            f"{stats(logins)['median']:.2f} s (every host logged in to at once)" if logins else None,
            f"≤ {goal} s (no-change re-run)" if goal else None, rer["median"] <= goal if goal else None)
        install_cpu = [x["hosts_cpu_s"] / n for x in e["runs"] if x.get("hosts_cpu_s") is not None]
        if install_cpu:
            cores = os.cpu_count() or 1
            fig(f"hosts' CPU per host, install-only {tag}", install_cpu, "s",
                f"{stats(install_cpu)['median'] * n / cores:.1f} s: the install's time on {n} hosts sharing {cores} "
                "cores can be no less")
        host_cpu = [x["hosts_cpu_s"] / n for x in e["reruns"] if x.get("hosts_cpu_s") is not None]
        if host_cpu:
            fig(f"hosts' CPU per host, no-change install-only re-run, {tag}", host_cpu, "s")
        fig(f"wizard peak RSS, install-only {tag}", [x["rss_mb"] for x in e["runs"]], "MB", None,
            "≤ 150 MB" if n == 24 else None, max(x["rss_mb"] for x in e["runs"]) <= 150 if n == 24 else None)
        fig(f"wizard CPU, install-only {tag}", [x["cpu_s"] for x in e["runs"]], "s")
        fig(f"bytes sent by the wizard per host, install-only {tag}", [x["bytes_sent"] / n / 1e6 for x in e["runs"]],
            "MB", release_label(raw))
    for e in raw.get("running", []):
        n = e["hosts"]
        fig(f"fresh deploy, {n} hosts, to healthy", [e["fresh"]["secs"]], "s")
        fig(f"no-change re-run of the running cluster, {n} hosts", [x["secs"] for x in e["reruns"]], "s",
            f"{stats(e['login_floor'])['median']:.2f} s (every host logged in to at once)",
            "≤ 1.5 s" if n == 24 else None,
            stats([x["secs"] for x in e["reruns"]])["median"] <= 1.5 if n == 24 else None)
    shaped = {e["hosts"]: e["median"] for e in res["install_only"] if e["shaped"]}
    if 3 in shaped and max(shaped) > 3:
        top = max(shaped)
        ratio = shaped[top] / shaped[3]
        fig(f"install-only {top} hosts / 3 hosts, uplink {UPLINK}", [ratio], "×", None, "≤ 2×", ratio <= 2)
    if "verify" in raw:
        v = raw["verify"]
        plain = stats(v["sha512sum_mb_s"])["median"]
        fig("wizard SHA-512 throughput", [w["sha512_mb_s"] for w in v["wizard"]], "MB/s",
            f"{plain:.0f} MB/s (sha512sum)", "≥ 0.9× sha512sum",
            stats([w["sha512_mb_s"] for w in v["wizard"]])["median"] >= 0.9 * plain)
        fig("wizard verify throughput (SHA-512 + OpenPGP signature, one pass)", [w["verify_mb_s"] for w in v["wizard"]],
            "MB/s", f"{plain:.0f} MB/s (sha512sum)", "≥ 0.9× sha512sum",
            stats([w["verify_mb_s"] for w in v["wizard"]])["median"] >= 0.9 * plain)
    res["raw"] = raw
    return res


def table(res):
    rows = [("figure", "min", "median", "max", "floor", "goal", "")]
    for f in res["figures"]:
        n = lambda v: "-" if v is None else (f"{v:.2f}" if v < 10 else f"{v:.1f}")  # noqa: E731
        met = {True: "met", False: "NOT MET", None: ""}[f["met"]]
        rows.append((f"{f['name']} ({f['unit']})", n(f["min"]), n(f["median"]), n(f["max"]), f["floor"] or "-",
                     f["goal"] or "-", met))
    w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w[i]) if i in (0, 4, 5) else c.rjust(w[i]) for i, c in enumerate(r)).rstrip())
    for f in res["failures"]:
        print(f"FAILED: {f}")


def run_all(a, b, raw):
    """Every scenario in order; each one's figures go into `raw` as soon as it is done."""
    b.start_mirror()
    if a.kw_bench:
        raw["verify"] = b.verify(1 if a.quick else max(a.runs, 3))
    raw["install_only"] = []
    if a.quick:
        raw["install_only"].append(b.install_only(3, 1, False))
        return
    raw["deploy6"] = b.deploy6(a.runs)
    for shaped in ([False] if a.no_shaped else [False, True]):
        for n in [int(x) for x in a.hosts.split(",")]:
            r = a.runs if n < 12 or a.big_runs is None else a.big_runs
            raw["install_only"].append(b.install_only(n, r, shaped))
    raw["running"] = [b.running(int(n), a.runs) for n in a.running.split(",") if n]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wizard", required=True, help="the kafka-wizard binary")
    ap.add_argument("--kw-bench", help="the kw-bench binary (verify, plot); without it neither is done")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="CI form: 3 hosts, install-only + its re-run, verify")
    ap.add_argument("--hosts", default="3,6,12,24", help="install-only fleet sizes")
    ap.add_argument("--big-runs", type=int, default=None, help="runs for 12+ hosts (default: --runs)")
    ap.add_argument("--no-shaped", action="store_true", help="skip the shaped-uplink install-only runs")
    ap.add_argument("--running", default="", help="fleet sizes deployed to healthy, then re-run without change "
                    "(e.g. 24; none by default: 24 JVMs take minutes to start on a small machine)")
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--font", default="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: root is required (the test world: systemd-nspawn, network namespaces, tc)")
    os.makedirs(a.out, exist_ok=True)
    lock = open(SESSION_LOCK, "a")
    log(f"waiting for the test world's session lock {SESSION_LOCK}")
    fcntl.flock(lock, fcntl.LOCK_EX)
    b = Bench(a)
    raw = {"tarball_mb": os.path.getsize(b.tarball) / 1e6, "tar_mb": gzip_isize(b.tarball) / 1e6}
    started = time.monotonic()
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, lambda *_: sys.exit(1))
    try:
        run_all(a, b, raw)
    except Exception as e:  # noqa: BLE001 — the first failure ends the run; its figures so far are kept
        b.failures.append(str(e))
        log(f"FAILED: {e}")
    finally:
        b.close()
        raw["failures"] = b.failures
        raw["total_s"] = time.monotonic() - started
    res = summarise(raw, a)
    with open(os.path.join(a.out, "results.json"), "w") as f:
        json.dump(res, f, indent=2)
    png, plotted = os.path.join(a.out, "install.png"), False
    if a.kw_bench:
        plotted = subprocess.run([a.kw_bench, "plot", os.path.join(a.out, "results.json"), png, a.font]).returncode == 0
    table(res)
    print(f"\nresults: {a.out}/results.json, plot: {png if plotted else '(none)'}; {raw['total_s']:.0f} s in all")
    sys.exit(1 if b.failures or (a.kw_bench and not plotted) else 0)


if __name__ == "__main__":
    main()
