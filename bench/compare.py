#!/usr/bin/env python3
"""bench/compare.py: the table from bench/run.sh's raw lines (stdin or files).

For each case and procs: the median over the repetitions of goro and of Go,
and goro/Go (below 1: goro is faster or smaller). The metric is ns_per_op,
except timers and afterfunc (p99_us, late_p99_us: the 99th percentile of
lateness) and parked
(rss_per_g: resident bytes per parked goroutine). The network cases add rows:
cpu_ns (the process's CPU time per op, which a loaded machine inflates less
than the wall clock), and for idle_conns rss_per_conn and threads. A side
with failed runs shows FAIL (or its median over the runs that did finish,
marked *).
"""
import re
import statistics
import sys
from collections import defaultdict

METRIC = {"timers": ["p99_us"], "afterfunc": ["late_p99_us"], "parked": ["rss_per_g"],
          "echo_pingpong": ["ns_per_op", "cpu_ns"],
          "echo_stream": ["ns_per_op", "cpu_ns"],
          "idle_conns": ["rss_per_conn", "threads", "ns_per_op", "cpu_ns"]}
UNIT = {"ns_per_op": "ns/op", "p99_us": "p99 us", "late_p99_us": "p99 us",
        "rss_per_g": "B/goroutine",
        "rss_per_conn": "B/conn", "threads": "threads", "cpu_ns": "cpu ns/op"}

line_re = re.compile(r"^(goro|go)\s+BENCH\s+(\S+)\s+(.*)$")
fail_re = re.compile(r"^(goro|go)\s+FAIL\s+(\S+)\s+setting=(\S+)\s+status=(\S+)")


def fmt(x):
    if x is None:
        return "-"
    if x >= 1000:
        return "%.0f" % x
    if x >= 100:
        return "%.1f" % x
    return "%.2f" % x


def main():
    vals = defaultdict(list)       # (case, procs, metric, side) -> [value]
    fails = defaultdict(int)       # (case, setting, side) -> count
    order = []                     # (case, procs) in first-seen order
    setting_procs = {}             # procs flag "1"/"0" -> P, learned from lines
    sides = set()
    case_rank = {}                 # case -> first-seen position
    files = [open(f) for f in sys.argv[1:]] or [sys.stdin]
    for f in files:
        for ln in f:
            m = line_re.match(ln.strip())
            if m:
                side, case, rest = m.groups()
                kv = dict(t.split("=", 1) for t in rest.split() if "=" in t)
                procs = kv.get("procs", "?")
                for metric in METRIC.get(case, ["ns_per_op"]):
                    try:
                        v = float(kv[metric])
                    except (KeyError, ValueError):
                        continue
                    sides.add(side)
                    case_rank.setdefault(case, len(case_rank))
                    vals[(case, procs, metric, side)].append(v)
                    if (case, procs) not in order:
                        order.append((case, procs))
                continue
            m = fail_re.match(ln.strip())
            if m:
                side, case, setting, st = m.groups()
                sides.add(side)
                case_rank.setdefault(case, len(case_rank))
                fails[(case, setting, side)] += 1
    # A failed run names its -procs flag, not P: map "1" to 1 and "0" to the
    # largest P seen.
    ps = [int(p) for _, p in order if p.isdigit()]
    setting_procs = {"1": "1", "0": str(max(ps)) if ps else "all"}
    for (case, setting, side) in fails:
        key = (case, setting_procs.get(setting, setting))
        if key not in order:
            order.append(key)

    order.sort(key=lambda k: (case_rank[k[0]], int(k[1]) if k[1].isdigit() else 1 << 30))

    have_go = "go" in sides
    hdr = ["case", "procs", "metric", "goro", "Go", "goro/Go"] if have_go \
        else ["case", "procs", "metric", "goro"]
    rows = []
    for case, procs, metric in [(c, p, m) for c, p in order
                                for m in METRIC.get(c, ["ns_per_op"])]:
        row = [case, procs, UNIT[metric]]
        med = {}
        for side in (["goro", "go"] if have_go else ["goro"]):
            v = vals.get((case, procs, metric, side), [])
            nf = sum(n for (c, s, sd), n in fails.items()
                     if c == case and sd == side and setting_procs.get(s, s) == procs)
            if v:
                med[side] = statistics.median(v)
                row.append(fmt(med[side]) + ("*" if nf else ""))
            else:
                row.append("FAIL" if nf else "-")
        if have_go:
            if "goro" in med and "go" in med and med["go"] > 0:
                r = med["goro"] / med["go"]
                row.append("%.2f" % r if r >= 0.1 else "%.3g" % r)
            else:
                row.append("-")
        rows.append(row)
    w = [max(len(str(r[i])) for r in rows + [hdr]) for i in range(len(hdr))]
    line = lambda r: "  ".join(str(c).rjust(w[i]) if i >= 3 else str(c).ljust(w[i])
                               for i, c in enumerate(r)).rstrip()
    print(line(hdr))
    print(line(["-" * x for x in w]))
    for r in rows:
        print(line(r))
    nf = sum(fails.values())
    if nf:
        print("\n%d failed run(s):" % nf)
        for (case, setting, side), n in sorted(fails.items()):
            print("  %s %s -procs %s: %d" % (side, case, setting, n))
    print("\nmedians of %s; * = some runs failed; goro/Go < 1: goro faster/smaller"
          % ("each side's repetitions"))
    return 1 if nf else 0


if __name__ == "__main__":
    sys.exit(main())
