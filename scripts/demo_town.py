#!/usr/bin/env python3
"""A small town on one computer: Jejak's whole job, from broadcast to notification.

Runs one venue box and several people's devices, each a real `jejak run` daemon with its own
encrypted store, on the cross-process simulated ether (a shared directory; path loss from the
distance between scripted positions), through two simulated days on an accelerated clock
shared by every process (JEJAK_SIM_CLOCK). Then a local health authority (`jejak authority`,
on 127.0.0.1) gives the patient a verification code, the patient reports with consent, the
export worker publishes, and every device runs the same commands as its daily check unit
(systemd/jejak-check.service). The report compares who was notified with the ground truth
computed from the movement scripts (a confusion matrix, whatever it shows), and counts the bytes each device sent through a counting
proxy in front of the authority.

Nothing printed is hard-coded: the ground truth comes from the scripts below, every other
figure from the `jejak` commands and the proxy. Python standard library only.

  scripts/demo_town.py --bin build/bin            the scenario of ./scripts/demo
  scripts/demo_town.py --bin build/bin --short --check
                                                  the shortened scenario CI runs: exit 1 unless
                                                  every verdict the default rule promises holds
                                                  (long close contacts notified, the passer-by
                                                  and the loner not) and nobody but the patient
                                                  sent anything but chaff
"""

import argparse
import ctypes
import datetime
import http.client
import http.server
import json
import math
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

MINUTE, HOUR, DAY = 60, 3600, 86400
CLOSE_M = 2.0          # ground truth: a close contact is at least CLOSE_MINUTES within
CLOSE_MINUTES = 15     # CLOSE_M of the patient in one UTC day (the common definition)
SAMPLE_S = 10          # ground truth: positions are compared every 10 simulated seconds
ENTRANCE = (0.0, -30.0)  # the cafe's door; the venue box hangs beside it
# The simulated ether is free space (platform/sim/sim_ether.h: path loss 40.05 + 20 log10(d)
# dB, no bodies, walls or fading), where 1.5 m costs 43.6 dB; the phones in the public
# recordings lose about 55 dB there. Every simulated receiver gets the field calibration
# `jejak eval` gives each recording (docs/efficacy.md): the RSSI correction that puts 1.5 m
# at 55 dB, the border of the default rule.
CALIBRATION_M, CALIBRATION_DB = 1.5, 55
SIM_PATH_LOSS = lambda d: 40.05 + 20 * math.log10(max(d, 0.1))
RSSI_CORRECTION_DB = -round(CALIBRATION_DB - SIM_PATH_LOSS(CALIBRATION_M))
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------- the scenario ----------

class Person:
    """One device: who carries it, how it scans, where it goes."""

    def __init__(self, name, profile, role, home, patient=False, promise=None):
        """promise: the verdict the default rule promises (True: notified, False: not, None:
        no promise, the verdict is only reported); --check asserts each promise."""
        self.name, self.profile, self.role, self.patient = name, profile, role, patient
        self.home, self.promise = home, promise
        self.visits = []  # (arrive, leave, (x, y), through the cafe door?)

    def visit(self, arrive, leave, spot, cafe=True):
        self.visits.append((arrive, leave, spot, cafe))
        return self

    def waypoints(self, start):
        """(unix seconds, x, y), strictly increasing: home, then each visit and back."""
        points = [(start, *self.home)]
        for arrive, leave, spot, cafe in sorted(self.visits):
            legs = [(arrive - 10 * MINUTE, self.home)]
            if cafe:
                legs.append((arrive - 2 * MINUTE, ENTRANCE))
            legs += [(arrive, spot), (leave, spot)]
            if cafe:
                legs.append((leave + 2 * MINUTE, ENTRANCE))
            legs.append((leave + 10 * MINUTE, self.home))
            for t, (x, y) in legs:
                if t <= points[-1][0]:
                    raise ValueError(f"{self.name}: visits overlap at {iso(t)}")
                points.append((t, x, y))
        return points


def scenario(day1, short):
    """People, start and end (unix seconds). day1 is 00:00 UTC of the first simulated day."""
    def at(day, hh, mm=0):
        return day1 + (day - 1) * DAY + hh * HOUR + mm * MINUTE

    def home(i):
        return (2000.0 + 400.0 * i, 2000.0)  # far apart: nobody hears anybody at home

    if short:
        people = [
            Person("patient", "wearable", "tests positive", home(0), patient=True)
            .visit(at(1, 21), at(1, 23), (0, 0)).visit(at(2, 0, 30), at(2, 1, 30), (0, 0)),
            Person("colleague", "field", "same table, 1.2 m for 100 min", home(1),
                   promise=True)
            .visit(at(1, 20, 58), at(1, 22, 40), (1.2, 0)),
            Person("passer-by", "wearable", "says hello for 3 min", home(2), promise=False)
            .visit(at(1, 22), at(1, 22, 3), (0.8, 0.6)),
            Person("loner", "wearable", "never meets the patient", home(3), promise=False)
            .visit(at(1, 21), at(1, 23), (300, 300), cafe=False),
            Person("near-miss", "field", "next table, 3.5 m for 100 min", home(4))
            .visit(at(1, 21, 5), at(1, 22, 45), (3.5, 0)),
            Person("hug", "field", "a 7-minute hug at 0.4 m", home(5))
            .visit(at(1, 22, 10), at(1, 22, 17), (0, 0.4)),
            Person("two-days", "field", "25 min at 1 m before and after midnight", home(6),
                   promise=True)
            .visit(at(1, 22, 20), at(1, 22, 45), (0, -1.0))
            .visit(at(2, 0, 45), at(2, 1, 10), (0, -1.0)),
        ]
        return people, at(1, 20), at(2, 2, 30)
    people = [
        Person("patient", "wearable", "tests positive", home(0), patient=True)
        .visit(at(1, 9), at(1, 11), (0, 0)).visit(at(2, 13, 30), at(2, 16, 30), (0, 0)),
        Person("colleague", "field", "same table day 1, 100 min at 1.2 m", home(1), promise=True)
        .visit(at(1, 8, 58), at(1, 10, 40), (1.2, 0))
        .visit(at(2, 10), at(2, 12), (301, 300), cafe=False),
        # A wearable scans for a few seconds every 5 minutes and may hear nothing in one
        # scan: its close contacts last long enough to clear the rule with a wide margin.
        Person("friend", "wearable", "same table day 2, 150 min at 1.3 m", home(2), promise=True)
        .visit(at(2, 13, 45), at(2, 16, 15), (0, 1.3)),
        Person("neighbour", "wearable", "next seat day 2, 160 min at 1.1 m", home(3),
               promise=True)
        .visit(at(2, 13, 40), at(2, 16, 20), (-1.0, 0.5)),
        Person("passer-by", "wearable", "stops to say hello for 3 min", home(4), promise=False)
        .visit(at(1, 10), at(1, 10, 3), (0.8, 0.6)),
        Person("chat", "field", "a 20-minute chat at 1.1 m", home(5))
        .visit(at(2, 14, 30), at(2, 14, 50), (1.0, -0.5)),
        Person("far-table", "field", "across the hall, 29 m, 2.5 h", home(6))
        .visit(at(1, 8, 50), at(1, 11, 20), (25, 15)),
        Person("same-seat", "field", "the patient's seat, the next morning", home(7))
        .visit(at(2, 8), at(2, 12), (0, 0)),
        Person("loner", "wearable", "meets the colleague, never the patient", home(8),
               promise=False)
        .visit(at(2, 10), at(2, 12), (300, 300), cafe=False),
        Person("near-miss", "field", "next table day 2, 3.5 m for 140 min", home(9))
        .visit(at(2, 13, 40), at(2, 16), (3.5, 0)),
        Person("hug", "field", "a 7-minute hug at 0.4 m", home(10))
        .visit(at(1, 10, 15), at(1, 10, 22), (0, 0.4)),
        Person("two-days", "field", "25 min at 1 m on each day", home(11), promise=True)
        .visit(at(1, 9, 30), at(1, 9, 55), (0, -1.0))
        .visit(at(2, 14), at(2, 14, 25), (0, -1.0)),
    ]
    return people, at(1, 6), at(3, 6)


def venue_box():
    box = Person("venue-box", "venue", "by the cafe door, scans all day", ENTRANCE)
    return box


# ---------------------------------------------------------------- ground truth ----------

def position(points, t):
    """Linear interpolation between waypoints, holding the ends (as platform/sim/sim_path)."""
    if t <= points[0][0]:
        return points[0][1:]
    for (t0, x0, y0), (t1, x1, y1) in zip(points, points[1:]):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            return (x0 + (x1 - x0) * f, y0 + (y1 - y0) * f)
    return points[-1][1:]


def close_minutes(a, b, start, end):
    """Minutes per UTC day (date string -> minutes) that a and b spent within CLOSE_M."""
    per_day = {}
    for t in range(start, end, SAMPLE_S):
        (ax, ay), (bx, by) = position(a, t), position(b, t)
        if math.hypot(ax - bx, ay - by) <= CLOSE_M:
            day = iso(t)[:10]
            per_day[day] = per_day.get(day, 0) + SAMPLE_S / 60
    return per_day


# ---------------------------------------------------------------- plumbing --------------

def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def say(text=""):
    print(text, flush=True)


def die_with_parent():
    """In the child before exec: SIGTERM when this script dies, even by SIGKILL (a CI
    timeout), so that no daemon outlives the scenario (Linux PR_SET_PDEATHSIG)."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Processes:
    """Every process the scenario starts; stop_all() terminates and reaps each of them."""

    def __init__(self):
        self.procs = []
        self.terminated = set()

    def start(self, argv, env, log_path):
        log = open(log_path, "w")
        proc = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        log.close()
        self.procs.append(proc)
        return proc

    def stop(self, proc, timeout=30):
        """SIGTERM once (a second one could land after the daemon restored the default
        handler while it flushes), wait, and kill only what does not stop."""
        self.stop_nowait(proc)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return proc.returncode

    def stop_nowait(self, proc):
        if proc.poll() is None and proc not in self.terminated:
            proc.send_signal(signal.SIGTERM)
            self.terminated.add(proc)

    def stop_all(self):
        for proc in self.procs:
            self.stop_nowait(proc)
        for proc in self.procs:
            self.stop(proc)


class SimClock:
    """The JEJAK_SIM_CLOCK spec: simulated `start` at real `anchor`, `rate` times faster."""

    def __init__(self, start, anchor, rate):
        self.start, self.anchor, self.rate = start, anchor, rate

    def spec(self):
        return f"start={self.start}&anchor={self.anchor:.6f}&rate={self.rate:g}"

    def now(self):
        return self.start + (time.time() - self.anchor) * self.rate


class Jejak:
    """Runs the jejak binary with a simulation clock; raises with stderr on failure."""

    def __init__(self, binary):
        self.binary = binary
        self.clock = None

    def env(self):
        env = dict(os.environ)
        env["JEJAK_SIM_CLOCK"] = self.clock.spec()
        return env

    def run(self, args, ok=(0,)):
        proc = subprocess.run([self.binary] + args, env=self.env(), capture_output=True,
                              text=True, stdin=subprocess.DEVNULL)
        if proc.returncode not in ok:
            raise RuntimeError(f"jejak {' '.join(args)}: exit {proc.returncode}: "
                               f"{proc.stderr.strip()}")
        return proc

    def json(self, args, ok=(0,)):
        return json.loads(self.run(args, ok).stdout)


class CountingProxy:
    """Loopback HTTP proxy in front of the authority: /d/NAME/... is device NAME's request.

    Counts the bytes each device sends (request line, headers and body as received), split
    into uploads (POST), chaff (POST with X-Chaff: 1) and downloads' requests (GET)."""

    def __init__(self, upstream_port, log_path):
        self.bytes = {}
        self.lock = threading.Lock()
        self.log = open(log_path, "w")
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def forward(self):
                body = b""
                length = int(self.headers.get("Content-Length", "0") or "0")
                if length:
                    body = self.rfile.read(length)
                head = len(self.requestline) + 2 + 2 + sum(
                    len(k) + 2 + len(v) + 2 for k, v in self.headers.items())
                sent = head + len(body)
                parts = self.path.split("/", 3)  # '', 'd', NAME, rest
                if len(parts) < 4 or parts[1] != "d":
                    self.send_error(404)
                    return
                name, rest = parts[2], "/" + parts[3]
                kind = "get" if self.command == "GET" else (
                    "chaff" if self.headers.get("X-Chaff") == "1" else "upload")
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "connection", "expect")}
                upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
                upstream.request(self.command, rest, body=body or None, headers=headers)
                reply = upstream.getresponse()
                data = reply.read()
                upstream.close()
                proxy.count(name, kind, sent, len(data), f"{self.command} {rest} {reply.status}")
                self.send_response(reply.status)
                for k, v in reply.getheaders():
                    if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = forward
            do_POST = forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def count(self, name, kind, sent, received, line):
        with self.lock:
            b = self.bytes.setdefault(name, {"upload": 0, "chaff": 0, "get": 0, "received": 0})
            b[kind] += sent
            b["received"] += received
            self.log.write(f"{name} {kind} sent={sent} received={received} {line}\n")
            self.log.flush()

    def url(self, name):
        return f"http://127.0.0.1:{self.port}/d/{name}/"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.log.close()


def check_commands(unit_path):
    """The jejak commands of the daily check unit, in order: (argv after the binary, may_fail)."""
    commands = []
    with open(unit_path) as unit:
        for line in unit:
            if not line.startswith("ExecStart="):
                continue
            command = line[len("ExecStart="):].strip()
            may_fail = command.startswith("-")
            argv = shlex.split(command.lstrip("-"))
            if os.path.basename(argv[0]) != "jejak":
                raise RuntimeError(f"{unit_path}: not a jejak command: {command}")
            args, i = [], 1
            while i < len(argv):  # the unit's own --config and --state-dir are replaced
                if argv[i] in ("--config", "--state-dir"):
                    i += 2
                    continue
                args.append(argv[i])
                i += 1
            commands.append((args, may_fail))
    return commands


def toml_value(v):
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(v)


def write_config(path, sections):
    """A TOML config like /etc/jejak/jejak.toml (flat sections, inline tables in arrays)."""
    with open(path, "w") as out:
        for section, keys in sections.items():
            out.write(f"[{section}]\n")
            for key, value in keys.items():
                if isinstance(value, list):
                    items = ", ".join("{ " + ", ".join(f"{k} = {toml_value(x)}"
                                                         for k, x in item.items()) + " }"
                                      for item in value)
                    out.write(f"{key} = [ {items} ]\n")
                else:
                    out.write(f"{key} = {toml_value(value)}\n")
            out.write("\n")


def write_path(path, points):
    with open(path, "w") as out:
        out.write("# TIME X Y: where this device is (metres), linear in between\n")
        for t, x, y in points:
            out.write(f"{iso(t)} {x:g} {y:g}\n")


# ---------------------------------------------------------------- the run ---------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, "build", "bin"))
    parser.add_argument("--short", action="store_true", help="the shortened CI scenario")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 unless every verdict the default rule promises holds and "
                             "only chaff left devices other than the patient's")
    parser.add_argument("--rate", type=float, default=0,
                        help="simulated seconds per real second (default 1000, short 1500)")
    parser.add_argument("--work", help="directory for everything (default: a new one in /tmp)")
    args = parser.parse_args()
    rate = args.rate or (1500 if args.short else 1000)
    work = args.work or tempfile.mkdtemp(prefix="jejak-town-")
    os.makedirs(work, exist_ok=True)
    procs = Processes()

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    town = Town(args, rate, work, procs)
    try:
        ok = town.run()
    except KeyboardInterrupt:
        say("\ninterrupted: stopping every process")
        ok = False
    except RuntimeError as error:
        say(f"\nerror: {error}")
        ok = False
    finally:
        procs.stop_all()
        town.close()
    if args.check and ok and not args.work:
        shutil.rmtree(work)
        say(f"\nCheck passed; removed {work}")
    else:
        say(f"\nEverything is under {work}")
    return 0 if ok else 1


class Town:
    def __init__(self, args, rate, work, procs):
        self.args, self.rate, self.work, self.procs = args, rate, work, procs
        self.proxy = None
        self.jejak = Jejak(os.path.join(args.bin, "jejak"))
        today = int(time.time()) // DAY * DAY
        # Day 1 is tomorrow (UTC): never before the build day the daemon's clock check uses.
        self.people, self.start, self.end = scenario(today + DAY, args.short)
        self.people.append(venue_box())

    def close(self):
        if self.proxy is not None:
            self.proxy.close()

    def dir(self, *parts):
        path = os.path.join(self.work, *parts)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return path

    def run(self):
        wall0 = time.monotonic()
        self.simulate()
        self.authority_and_checks()
        truth = self.ground_truth()
        ok = self.report(truth)
        say(f"\nWall time of the scenario (after the build): {time.monotonic() - wall0:.0f} s")
        return ok

    # -- phase 1: two simulated days -------------------------------------------------------

    def simulate(self):
        days = (self.end - self.start) / DAY
        say(f"== 1. {len(self.people)} devices, {days:g} simulated days from {iso(self.start)} "
            f"to {iso(self.end)}, {self.rate:g}x faster than real time")
        ether = self.dir("ether", "x")[:-2]
        anchor = time.time() + 2.0  # every daemon starts before the shared anchor
        self.jejak.clock = SimClock(self.start, anchor, self.rate)
        say(f"   JEJAK_SIM_CLOCK={self.jejak.clock.spec()}")
        self.daemons = {}
        for seed, p in enumerate(self.people, start=1):
            p.points = p.waypoints(self.start)
            p.state = self.dir("devices", p.name, "state", "x")[:-2]
            p.config = self.dir("devices", p.name, "jejak.toml")
            write_path(self.dir("paths", p.name + ".path"), p.points)
            radio = (f"sim:{ether}?path={self.dir('paths', p.name + '.path')}&seed={seed}"
                     f"&noise=2")
            write_config(p.config, {
                "radio": {"profile": p.profile, "spec": radio, "summary_interval_s": 6 * 3600},
                "store": {"flush_interval_s": 600},
                "risk": {"calibration": {"rssi_correction_db": RSSI_CORRECTION_DB}},
            })
            # --duration (simulated seconds) is only a backstop: the script stops them itself.
            backstop = int(self.end - self.jejak.clock.now() + 2 * HOUR)
            argv = [self.jejak.binary, "--config", p.config, "--state-dir", p.state, "run",
                    "--duration", str(backstop)]
            self.daemons[p.name] = self.procs.start(argv, self.jejak.env(),
                                                    self.dir("logs", p.name + ".log"))
            say(f"   {p.name:<10} {p.profile:<8} {p.role}")
        say(f"   (movement scripts: {self.dir('paths', '')}; daemon logs: {self.dir('logs', '')})")
        wait = self.end - self.jejak.clock.now()
        say(f"   running for {wait / self.rate:.0f} s of real time ...")
        last = -1
        while self.jejak.clock.now() < self.end:
            for name, proc in self.daemons.items():
                if proc.poll() == 0:  # a clean stop it was not asked for: an interrupt
                    raise KeyboardInterrupt
                if proc.poll() is not None:
                    raise RuntimeError(f"daemon {name} exited with {proc.returncode}: see "
                                       f"{self.dir('logs', name + '.log')}")
            day = int(self.jejak.clock.now()) // DAY
            if day != last and self.jejak.clock.now() >= self.start:
                say(f"   simulated time {iso(int(self.jejak.clock.now()))}")
                last = day
            time.sleep(0.5)
        for proc in self.daemons.values():  # all at once, then wait for each
            self.procs.stop_nowait(proc)
        for name, proc in self.daemons.items():
            code = self.procs.stop(proc)
            if code != 0:
                raise RuntimeError(f"daemon {name} stopped with exit {code}")
        say(f"   all daemons stopped at {iso(int(self.jejak.clock.now()))} (SIGTERM: flush, exit 0)")
        for p in self.people:
            # Exit 1 is expected here: "needs attention" (the daemon has stopped).
            status = self.jejak.json(["--config", p.config, "--state-dir", p.state, "status",
                                      "--json"], ok=(0, 1))
            p.status = status
        self.print_daemon_table()

    def print_daemon_table(self):
        say("   device      rotations  TEKs  adverts heard  sightings stored")
        for p in self.people:
            counters = p.status["daemon"]["status"]["counters"]
            say(f"   {p.name:<10} {counters.get('rotations', '?'):>10} "
                f"{counters.get('teks_generated', '?'):>5} {counters.get('adverts_heard', '?'):>14} "
                f"{counters.get('sightings_stored', '?'):>17}")

    # -- phase 2: the authority, the report, the checks ------------------------------------

    def authority_and_checks(self):
        # From here on the simulation continues in real time, so the health authority's
        # one-hour codes and certificates behave as they would on a real day.
        resume = int(self.jejak.clock.now()) + MINUTE
        self.report_day = iso(resume)[:10]
        self.jejak.clock = SimClock(resume, time.time(), 1)
        say(f"\n== 2. The health authority on loopback (simulated time now runs at real speed, "
            f"from {iso(resume)})")
        ha = self.dir("authority", "state")  # made 0700 by init
        init = self.jejak.json(["--state-dir", ha, "authority", "init", "--region", "ZZ",
                                "--json"])
        pem = self.dir("authority", "export-public.pem")
        with open(pem, "w") as out:
            out.write(init["export_public_key_pem"])
        server = self.procs.start([self.jejak.binary, "--state-dir", ha, "authority", "serve",
                                   "--listen", "127.0.0.1:0"], self.jejak.env(),
                                  self.dir("logs", "authority.log"))
        port = self.wait_for_port(server, self.dir("logs", "authority.log"))
        proxy = CountingProxy(port, self.dir("logs", "proxy.log"))
        self.proxy = proxy
        say(f"   jejak authority serve on 127.0.0.1:{port}; devices reach it through a "
            f"byte-counting proxy on 127.0.0.1:{proxy.port}")
        for p in self.people:
            write_config(p.config, {
                "radio": {"profile": p.profile, "summary_interval_s": 6 * 3600},
                "store": {"flush_interval_s": 600},
                "risk": {"calibration": {"rssi_correction_db": RSSI_CORRECTION_DB}},
                "diagnosis": {"server_url": proxy.url(p.name) + "exports/",
                              "allow_http_loopback": True,
                              "public_keys": [{"key_id": init["export_key_id"],
                                               "key_version": init["export_key_version"],
                                               "pem_file": pem}]},
                "upload": {"verification_url": proxy.url(p.name).rstrip("/"),
                           "publish_url": proxy.url(p.name).rstrip("/"),
                           "api_key": init["api_key"],
                           "health_authority_id": init["health_authority_id"],
                           "allow_http_loopback": True},
            })
        patient = next(p for p in self.people if p.patient)
        code = self.jejak.json(["--state-dir", ha, "authority", "issue-code", "--type",
                                "confirmed", "--test-date", iso(resume)[:10], "--json"])
        say(f"   the patient's test is positive: `jejak authority issue-code --type confirmed` "
            f"gave a code valid until {iso(code['expires_at_unix'])}")
        say("\n== 3. The patient reports. Consent: the script answers for the patient with --yes "
            "after showing what will leave the device:")
        report = self.jejak.run(["--config", patient.config, "--state-dir", patient.state,
                                 "report", "--code", code["code"], "--yes"])
        for line in (report.stdout + report.stderr).strip().splitlines():
            say("   | " + line)
        now = int(self.jejak.clock.now())
        exported = self.jejak.json(["--state-dir", ha, "authority", "export", "--now", str(now),
                                    "--json"])
        say(f"   `jejak authority export --now {now}` ({iso(now)}): "
            f"{json.dumps(exported, sort_keys=True)}")
        say("\n== 4. Every device runs its daily check (the commands of "
            "systemd/jejak-check.service):")
        commands = check_commands(os.path.join(ROOT, "systemd", "jejak-check.service"))
        for args, may_fail in commands:
            say(f"   jejak {' '.join(args)}" + ("   (a failure here is tolerated, as in the unit)"
                                                if may_fail else ""))
        for p in self.people:
            p.check = None
            for args, may_fail in commands:
                if args[0] == "match" and "--json" not in args:
                    args = args + ["--json"]  # the same check, its outcome as JSON for the report
                argv = ["--config", p.config, "--state-dir", p.state] + args
                result = self.jejak.run(argv, ok=(0, 1) if may_fail else (0,))
                if args[0] == "match":
                    if not result.stdout.lstrip().startswith("{"):
                        raise RuntimeError(f"{p.name}: jejak {' '.join(args)}: "
                                           f"{result.stdout.strip()}")
                    p.check = json.loads(result.stdout)
                    with open(self.dir("checks", p.name + ".json"), "w") as out:
                        out.write(result.stdout)
            if p.check is None:
                raise RuntimeError("the check unit ran no `jejak match`")
        self.procs.stop(server)

    def wait_for_port(self, proc, log_path):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with open(log_path) as log:
                for line in log:
                    if line.startswith("listening on http://"):
                        return int(line.strip().rsplit(":", 1)[1].split("/")[0])
            if proc.poll() is not None:
                raise RuntimeError(f"jejak authority serve exited: see {log_path}")
            time.sleep(0.1)
        raise RuntimeError("jejak authority serve did not say where it listens")

    # -- the report ------------------------------------------------------------------------

    def ground_truth(self):
        """name -> (most minutes within 2 m of the patient in one UTC day, close contact?,
        that day, {day: minutes}). Close: at least CLOSE_MINUTES within CLOSE_M in one day."""
        patient = next(p for p in self.people if p.patient)
        truth = {}
        for p in self.people:
            if p.patient:
                continue
            per_day = close_minutes(p.points, patient.points, self.start, self.end)
            day, best = max(per_day.items(), key=lambda kv: kv[1], default=(None, 0))
            truth[p.name] = (best, best >= CLOSE_MINUTES, day, per_day)
        return truth

    def report(self, truth):
        check = self.people[0].check
        say(f"\n== 5. Report. Rule: {check['preset']} (the default), notifies at a daily score of "
            f"{check['threshold']['score_sum']:g} weighted seconds. Ground truth from the "
            f"movement scripts: a close contact is >= {CLOSE_MINUTES} min within {CLOSE_M:g} m "
            f"of the patient in one UTC day. Receivers calibrated to {CALIBRATION_DB} dB at "
            f"{CALIBRATION_M:g} m (rssi_correction_db {RSSI_CORRECTION_DB}).")
        say("   device      close?  min<=2m/day  notified  days  score   closest dB  sent: upload"
            "  chaff  GET requests")
        verdicts, ok = {}, True
        for p in self.people:
            sent = self.proxy.bytes.get(p.name, {"upload": 0, "chaff": 0, "get": 0})
            notified = bool(p.check.get("notify"))
            summaries = p.check.get("daily_summaries", [])
            # The highest daily score of the check, notified or not; the days over the threshold.
            score = max((d["score_sum"] for d in summaries), default=None)
            days = sum(1 for d in summaries if d["score_sum"] >= check["threshold"]["score_sum"])
            closest = p.check.get("closest_attenuation_db")
            if p.patient:
                close, minutes, verdict = "-", "-", "patient"
            else:
                _, is_close, _, per_day = truth[p.name]
                close = "yes" if is_close else "no"
                minutes = "/".join(f"{m:.0f}" + ("*" if d >= self.report_day else "")
                                   for d, m in sorted(per_day.items())) or "0"
                verdict = ("TP" if notified else "FN") if is_close else ("FP" if notified else "TN")
                verdicts[p.name] = verdict
                if p.promise is not None and notified != p.promise:
                    verdict += "  !! the default rule promises " + (
                        "a notification" if p.promise else "none")
                    ok = False
            say(f"   {p.name:<10} {close:>6} {minutes:>12} {('yes' if notified else 'no'):>9} "
                f"{days:>5} {(f'{score:g}' if score is not None else '-'):>6} "
                f"{(str(closest) if closest is not None else '-'):>11} "
                f"{sent['upload']:>13} {sent['chaff']:>6} {sent['get']:>13}   {verdict}")
            if not p.patient and sent["upload"] != 0:
                say(f"   !! {p.name} sent {sent['upload']} bytes that were not chaff")
                ok = False
        if any(d >= self.report_day for t in truth.values() for d in t[3]):
            say(f"   * minutes on {self.report_day}, the day of the report: the patient's key of "
                "that day was still in use, and a day's key is published only after the day ends, "
                "so no check can score them yet")
        self.print_confusion(verdicts)
        patient = next(p for p in self.people if p.patient)
        if self.proxy.bytes.get(patient.name, {}).get("upload", 0) == 0:
            say("   !! the patient's upload did not pass the proxy")
            ok = False
        promised = [p.name for p in self.people if p.promise is not None]
        say(f"   --check asserts the verdicts the default rule promises ({', '.join(promised)}: "
            "long close contacts notified, the passer-by and the loner not) and that only the "
            "patient uploaded; the other verdicts are reported, right or wrong.")
        say("   bytes: HTTP request line, headers and body of every request each device sent, "
            "as the counting proxy received them (log: " + self.dir("logs", "proxy.log") + ")")
        self.pictures(truth)
        say("\n" + ("Every promised verdict holds." if ok else "MISMATCH: see above."))
        return ok

    def print_confusion(self, verdicts):
        """The confusion matrix of the verdicts above, whatever they are."""
        counts = {v: sum(1 for x in verdicts.values() if x == v) for v in ("TP", "FP", "TN", "FN")}
        say(f"   confusion matrix ({len(verdicts)} devices besides the patient's):")
        say(f"                         notified   not notified")
        say(f"     close contact     {counts['TP']:>10} {counts['FN']:>14}      (TP, FN)")
        say(f"     not close         {counts['FP']:>10} {counts['TN']:>14}      (FP, TN)")
        names = {v: [n for n, x in verdicts.items() if x == v] for v in ("FP", "FN")}
        for v, who in names.items():
            if who:
                say(f"     {v}: {', '.join(who)}")

    def pictures(self, truth):
        """One exposed person's day and, the same way, a cafe visitor who never came close."""
        exposed = next((n for n, (_, close, _, _) in truth.items() if close), None)
        never = [p for p in self.people if not p.patient and truth[p.name][0] == 0]
        # Rather someone who was in the cafe (their picture shows the patient far away).
        never.sort(key=lambda p: not any(cafe for *_, cafe in p.visits))
        spared = never[0].name if never else None
        for name in (exposed, spared):
            if name is None:
                continue
            p = next(q for q in self.people if q.name == name)
            day = truth[name][2] or (iso(min(v[0] for v in p.visits))[:10] if p.visits
                                     else truth[exposed][2] if exposed else iso(self.start)[:10])
            svg = self.dir("pictures", f"{name}-{day}.svg")
            self.jejak.run(["--config", p.config, "--state-dir", p.state, "encounters", "--day",
                            day, "--svg", svg])
            kind = "exposed" if truth[name][1] else "never within 2 m of the patient"
            say(f"   picture of {name}'s {day} ({kind}; `jejak encounters --svg`): {svg}")


if __name__ == "__main__":
    sys.exit(main())
