#!/usr/bin/env python3
"""churnctl score against two peers doing the same computation: pandas and DuckDB SQL.

Generates a data set with `churnctl generate` (once, kept in --data), then runs
`churnctl score --format csv`, bench/peers/at_risk_pandas.py and bench/peers/duckdb/at_risk_duckdb.mjs
alternately --repeats times, checks that all three print the same first --rows rows, and prints
each one's median wall time and peak RSS with the ratios against churnctl.

  make bench-peers                                   # 10 million usage rows, 3 rounds
  bench/peers/run_peers.py --build build --accounts 200 --check   # the ctest: all rows agree

Exit status: 0 when the outputs agree, 1 when they differ or a run fails, 77 when a peer's
runtime (Debian's python3-pandas, node with bench/peers/duckdb/node_modules) is missing and
CI is not "true" (scripts/install-deps.sh bench installs them).
"""

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SKIP = 77


def missing_runtimes(python):
    missing = []
    if subprocess.run([python, "-c", "import pandas"], capture_output=True).returncode != 0:
        missing.append(f"pandas for {python} (apt-get install python3-pandas)")
    if shutil.which("node") is None:
        missing.append("node")
    elif not os.path.isdir(os.path.join(HERE, "duckdb", "node_modules", "@duckdb", "node-api")):
        missing.append("bench/peers/duckdb/node_modules (npm ci in bench/peers/duckdb)")
    return missing


def generate(churnctl, data, accounts, seed, history_days):
    if os.path.isfile(os.path.join(data, "feature_usage.csv")):
        return
    command = [churnctl, "generate", "--out", data, "--accounts", str(accounts), "--seed",
               str(seed), "--history-days", str(history_days)]
    print("generating:", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def run(name, command, out_path):
    """Runs one command with stdout to a file; returns (wall s, CPU s, peak RSS in MiB)."""
    with open(out_path, "wb") as out, open(out_path + ".err", "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        with open(out_path + ".err", errors="replace") as err:
            sys.exit(f"{name} failed ({' '.join(command)}):\n{err.read()[-2000:]}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def first_records(path, count):
    """The header and the first `count` data records (None: all)."""
    records = []
    with open(path, newline="", encoding="utf-8") as f:
        for record in csv.reader(f):
            records.append(record)
            if count is not None and len(records) > count:
                break
    return records


def compare(reference_name, reference, name, other):
    for index in range(max(len(reference), len(other))):
        a = reference[index] if index < len(reference) else None
        b = other[index] if index < len(other) else None
        if a != b:
            return (f"{name} differs from {reference_name} at row {index} (0 = header):\n"
                    f"  {reference_name}: {a}\n  {name}: {b}")
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--churnctl", help="the churnctl binary (default BUILD/tools/churnctl/churnctl)")
    parser.add_argument("--also-churnctl", metavar="PATH",
                        help="another churnctl binary to time alongside (e.g. an earlier build)")
    parser.add_argument("--data", help="data folder, generated when it has no tables (default "
                        "var/peers-data-<accounts>; with --check a new temporary folder)")
    parser.add_argument("--accounts", type=int, default=46000)
    parser.add_argument("--history-days", type=int, default=145)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1000, help="rows compared (0: all)")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    parser.add_argument("--python", default="/usr/bin/python3",
                        help="the interpreter with Debian's python3-pandas")
    parser.add_argument("--check", action="store_true",
                        help="one round, every row compared, no figures (the ctest)")
    args = parser.parse_args()

    missing = missing_runtimes(args.python)
    if missing:
        ci = os.environ.get("CI") == "true"
        print(("FAIL" if ci else "SKIP") + ": the peers need " + ", ".join(missing) +
              " (scripts/install-deps.sh bench)" + (" and CI=true" if ci else ""))
        return 1 if ci else SKIP

    churnctl = args.churnctl or os.path.join(args.build, "tools", "churnctl", "churnctl")
    with tempfile.TemporaryDirectory(prefix="churn-peers-") as work:
        data = args.data or (os.path.join(work, "data") if args.check else
                             os.path.join(ROOT, "var", f"peers-data-{args.accounts}"))
        generate(churnctl, data, args.accounts, args.seed, args.history_days)
        return compare_tools(args, churnctl, data, work)


def compare_tools(args, churnctl, data, work):
    tools = [
        ("churnctl", [churnctl, "score", "--data", data, "--format", "csv"]),
        ("duckdb", ["node", os.path.join(HERE, "duckdb", "at_risk_duckdb.mjs"), data,
                    str(args.threads)]),
        ("pandas", [args.python, os.path.join(HERE, "at_risk_pandas.py"), data]),
    ]
    if args.also_churnctl:
        tools.insert(1, ("churnctl-also", [args.also_churnctl, "score", "--data", data,
                                           "--format", "csv"]))
    repeats = 1 if args.check else args.repeats
    rows = None if args.check or args.rows == 0 else args.rows
    times = {name: [] for name, _ in tools}
    cpu = {name: [] for name, _ in tools}
    memory = {name: [] for name, _ in tools}
    for round_index in range(repeats):
        outputs = {}
        for name, command in tools:
            outputs[name] = os.path.join(work, f"{name}.csv")
            seconds, cpu_seconds, rss = run(name, command, outputs[name])
            times[name].append(seconds)
            cpu[name].append(cpu_seconds)
            memory[name].append(rss)
            if not args.check:
                print(f"round {round_index + 1}: {name:13s} {seconds:7.2f} s wall "
                      f"{cpu_seconds:7.2f} s CPU {rss:8.0f} MiB", flush=True)
        reference = first_records(outputs["churnctl"], rows)
        if len(reference) < 2:
            print("FAIL: churnctl printed no rows")
            return 1
        for name, _ in tools[1:]:
            problem = compare("churnctl", reference, name, first_records(outputs[name], rows))
            if problem:
                print("FAIL:", problem)
                return 1
    compared = "every row" if rows is None else f"the first {rows} rows"
    print(f"agree: {', '.join(name for name, _ in tools)} print the same {compared} "
          f"({len(reference) - 1} compared)")
    if args.check:
        return 0

    size = sum(os.path.getsize(os.path.join(data, f)) for f in os.listdir(data)
               if f.endswith(".csv"))
    print(f"\ndata: {data} ({size / 1e6:.0f} MB of CSV), {os.cpu_count()} cores, "
          f"median of {repeats} alternating rounds, DuckDB threads={args.threads}")
    print(f"{'':13s} {'wall s':>8s} {'CPU s':>8s} {'peak RSS MiB':>13s} "
          f"{'wall / churnctl':>16s} {'CPU / churnctl':>15s} {'RSS / churnctl':>15s}")
    base = {key: statistics.median(values["churnctl"])
            for key, values in (("wall", times), ("cpu", cpu), ("rss", memory))}
    for name, _ in tools:
        t, c, m = (statistics.median(values[name]) for values in (times, cpu, memory))
        print(f"{name:13s} {t:8.2f} {c:8.2f} {m:13.0f} {t / base['wall']:15.2f}x "
              f"{c / base['cpu']:14.2f}x {m / base['rss']:14.2f}x")
    print("(x: that tool's figure over churnctl's: above 1 means churnctl is faster or smaller; "
          "CPU is user + system time, steadier than wall time on a shared machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
