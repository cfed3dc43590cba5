#!/usr/bin/env python3
"""Scrape cost: how long `GET /metrics` takes, and how big it is, with 1, 100 and 1,000
strategies loaded in a real `strategy-host run` (release build) that is paper-trading.

    cargo build --release -p strategy-host && scripts/build-wasm.sh
    deploy/bench/scrape-cost.py [--counts 1,100,1000] [--requests 200] [--bars-per-second 5]
    deploy/bench/scrape-cost.py --after-replay --bars-per-second 2000     # the same, idle

Each count gets a fresh folder of N copies of sma-cross (one compiled component, N instances,
each on its own thread, each handling every bar of the replay), waits for /ready, then scrapes
/metrics REQUESTS times over one keep-alive connection, as Prometheus does, and reports the
median and p90 time to the last byte, the body size and the number of series, with the host's
CPU use and the machine's load average while it was measured. Standard library only."""

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(TOP, "target"))


def get(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


def cpu_seconds(pid):
    """utime + stime of a process, from /proc (clock ticks to seconds)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure(binary, wasm, count, requests, bars_per_second, after_replay, settle):
    work = tempfile.mkdtemp(prefix="scrape-cost-")
    try:
        strategies = os.path.join(work, "strategies")
        os.mkdir(strategies)
        for i in range(count):
            shutil.copy(wasm, os.path.join(strategies, f"s{i:04}.wasm"))
        config = os.path.join(work, "host.toml")
        with open(config, "w") as f:
            # A generous deadline: a thousand strategies on two cores must not trap for lack of CPU.
            f.write(f'[sandbox]\ncall_deadline_ms = 1000\ncache_dir = "{work}/cache"\n')
        started = time.monotonic()
        host = subprocess.Popen(
            [binary, "run", "--listen", "127.0.0.1:0", "--config", config,
             "--strategies-dir", strategies, "--db", os.path.join(work, "book.db"),
             "--bars-per-second", str(bars_per_second)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env=dict(os.environ, RUST_LOG="error"))
        try:
            line = host.stdout.readline()
            if not line.startswith("listening on http://"):
                sys.exit(f"host did not start: {line!r}")
            host_port = line.strip().removeprefix("listening on http://")
            conn = http.client.HTTPConnection(host_port, timeout=60)
            while get(conn, "/ready")[0] != 200:
                time.sleep(0.05)
            ready_after = time.monotonic() - started
            # An idle host: every strategy has handled every bar, nothing runs but the scrape.
            while after_replay and not json.loads(get(conn, "/status")[1])["feed"]["finished"]:
                time.sleep(0.1)
            for _ in range(5):  # warm up: the first scrapes page in the code and size the buffers
                get(conn, "/metrics")
            time.sleep(settle)  # let the load of loading (or of the replay) die down
            load_before = os.getloadavg()[0]
            cpu_before, wall_before = cpu_seconds(host.pid), time.monotonic()
            times, size, series = [], 0, 0
            for _ in range(requests):
                t0 = time.perf_counter()
                status, body = get(conn, "/metrics")
                times.append(time.perf_counter() - t0)
                assert status == 200, status
                size = len(body)
                series = sum(1 for l in body.splitlines() if l and not l.startswith(b"#"))
            cpu_used = cpu_seconds(host.pid) - cpu_before
            cpu = cpu_used / (time.monotonic() - wall_before)
            load_after = os.getloadavg()[0]
            rss = rss_mib(host.pid)
        finally:
            host.terminate()
            try:
                host.wait(timeout=30)
            except subprocess.TimeoutExpired:
                host.kill()
                host.wait()
        times.sort()
        return {
            "strategies": count,
            "median_ms": statistics.median(times) * 1e3,
            "p90_ms": times[int(len(times) * 0.9) - 1] * 1e3,
            "max_ms": times[-1] * 1e3,
            "bytes": size,
            "series": series,
            "ready_s": ready_after,
            "host_cpu": cpu,
            # On an idle host nearly all of it is the scrape: less noisy than wall time on a
            # shared machine (while trading, it includes the strategies' work).
            "cpu_per_scrape_ms": cpu_used / requests * 1e3,
            "rss_mib": rss,
            "load": (load_before, load_after),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=os.path.join(TARGET, "release", "strategy-host"))
    parser.add_argument("--wasm", default=os.path.join(TARGET, "wasm32-wasip2", "wasm", "sma_cross.wasm"))
    parser.add_argument("--counts", default="1,100,1000")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--bars-per-second", type=float, default=5)
    parser.add_argument("--after-replay", action="store_true",
                        help="measure once the replay has finished (an idle host); use a fast --bars-per-second")
    parser.add_argument("--settle", type=float, default=5, help="seconds to wait before measuring")
    args = parser.parse_args()
    for path in (args.binary, args.wasm):
        if not os.path.isfile(path):
            sys.exit(f"{path} is missing: cargo build --release -p strategy-host && scripts/build-wasm.sh")
    when = "after the replay (idle)" if args.after_replay else "during the replay"
    print(f"{os.cpu_count()} cores; {args.requests} scrapes each; replay at {args.bars_per_second} bars/s, measured {when}")
    print("| strategies | median | p90 | max | body | series | host CPU per scrape | host CPU while scraped | RSS | ready after | load avg (1 min) before, after |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for count in (int(c) for c in args.counts.split(",")):
        r = measure(args.binary, args.wasm, count, args.requests, args.bars_per_second, args.after_replay, args.settle)
        print(f"| {r['strategies']:,} | {r['median_ms']:.2f} ms | {r['p90_ms']:.2f} ms | {r['max_ms']:.2f} ms "
              f"| {r['bytes'] / 1024:,.0f} KiB | {r['series']:,} | {r['cpu_per_scrape_ms']:.2f} ms | {r['host_cpu'] * 100:.0f} % | {r['rss_mib']:,.0f} MiB "
              f"| {r['ready_s']:.1f} s | {r['load'][0]:.2f}, {r['load'][1]:.2f} |", flush=True)


if __name__ == "__main__":
    main()
