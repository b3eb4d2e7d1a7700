#!/usr/bin/env python3
"""Print the benchmark table of one run.sh results directory.

    python3 benches/summarize.py benches/.results/YYYYmmdd-HHMMSS

Reads results.tsv (one row per timed command), tree-N.json (the generator's
counts), crosscheck.tsv and env.txt; prints mean times, ratios against
`du -sb` and `diskus`, ctxsize's peak memory, the peers' times against
ctxsize, and each target with PASS/FAIL.
"""
import csv
import json
import os
import sys

# (label, baseline, max ratio) -- ratio = label mean / baseline mean
TIME_TARGETS = [
    ("ctxsize report --json", "du -sb", 0.70),
    ("ctxsize report --json", "diskus", 1.00),
    ("ctxsize report --json --prune", "du -sb", 0.10),
    ("ctxsize ls", "du -sb", 0.10),
    ("ctxsize check", "du -sb", 0.15),
    ("ctxsize init --dry-run", "ctxsize report --json", 1.50),
]
# (label, baseline, max ratio) of CPU time (user + system)
CPU_TARGETS = [
    ("ctxsize report --json", "du -sb", 1.30),
]
# (peer, ctxsize command it is compared with, min speed-up)
PEER_TARGETS = [
    ("docker-py exclude_paths (.dockerignore)", "ctxsize ls", 5.0),
    ("balena walk (.dockerignore)", "ctxsize ls", 5.0),
    ("docker-py exclude_paths (no ignore file)", "ctxsize ls (no ignore rules)", 5.0),
    ("balena walk (no ignore file)", "ctxsize ls (no ignore rules)", 5.0),
]
RSS_LIMIT_KB = 32 * 1024
RSS_TARGET_MIN_FILES = 300000  # the memory target is stated for the 300k tree


def fmt_time(s):
    if s is None:
        return "n/a"
    if s >= 1:
        return f"{s:.3f} s"
    return f"{s * 1000:.1f} ms"


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return f"{a / b:.2f}×"


def main():
    res = sys.argv[1]
    rows = []
    with open(os.path.join(res, "results.tsv")) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            r["mean"] = None if r["mean_s"] == "n/a" else float(r["mean_s"])
            r["sd"] = None if r["stddev_s"] in ("-", "") else float(r["stddev_s"])
            cpu = r.get("cpu_s") or ""
            r["cpu"] = float(cpu) if cpu not in ("", "-", "n/a") else None
            rows.append(r)
    if os.path.exists(os.path.join(res, "env.txt")):
        print(open(os.path.join(res, "env.txt")).read().rstrip())
    sizes = []
    for r in rows:
        if r["size"] not in sizes:
            sizes.append(r["size"])
    cross = {}
    if os.path.exists(os.path.join(res, "crosscheck.tsv")):
        for line in open(os.path.join(res, "crosscheck.tsv")):
            parts = line.rstrip("\n").split("\t")
            cross[parts[1]] = parts[2:]

    verdicts = []
    for size in sizes:
        rs = [r for r in rows if r["size"] == size]
        by = {r["label"]: r for r in rs}
        print()
        tj = os.path.join(res, f"tree-{size}.json")
        if size == "startup":
            print("== startup: 100-file project")
        elif os.path.exists(tj):
            c = json.load(open(tj))
            print(f"== {size}-file tree: {c['files']:,} files ({c['symlinks']} symlinks), {c['dirs']:,} dirs, "
                  f"{c['apparent_bytes'] / 1e9:.2f} GB apparent, {c['heavy_file_pct']}% of files in heavy dirs")
        else:
            print(f"== {size}")
        du = by.get("du -sb", {}).get("mean")
        dk = by.get("diskus", {}).get("mean")
        w = max(len(r["label"]) for r in rs) + 2
        print(f"{'command':<{w}}{'mean':>11}{'± sd':>11}{'/ du -sb':>10}{'/ diskus':>10}{'max RSS':>10}{'CPU':>11}  note")
        for r in rs:
            rss = r["max_rss_kb"]
            rss_s = f"{int(rss) / 1024:.1f} MB" if rss.isdigit() else "-"
            sd = fmt_time(r["sd"]) if r["sd"] is not None else "-"
            print(f"{r['label']:<{w}}{fmt_time(r['mean']):>11}{sd:>11}{fmt_ratio(r['mean'], du):>10}"
                  f"{fmt_ratio(r['mean'], dk):>10}{rss_s:>10}{fmt_time(r['cpu']):>11}  {r['note']}")
        if size == "startup":
            c = by.get("ctxsize check (100 files)", {}).get("mean")
            print(f"startup: ctxsize check on 100 files: mean {fmt_time(c)}")
            continue

        print("peers against ctxsize (how many times faster ctxsize is):")
        for peer, mine, _ in PEER_TARGETS:
            p, m = by.get(peer, {}).get("mean"), by.get(mine, {}).get("mean")
            if p is not None or m is not None:
                print(f"  {peer} / {mine} = {fmt_ratio(p, m)}")
        if size in cross:
            print("context entries (untimed cross-check):", "; ".join(cross[size]))

        print("targets:")
        for label, base, limit in TIME_TARGETS:
            a, b = by.get(label, {}).get("mean"), by.get(base, {}).get("mean")
            if a is None or b is None:
                v = "n/a"
            else:
                v = "PASS" if a / b <= limit else "FAIL"
            verdicts.append(v)
            print(f"  {label} / {base} = {fmt_ratio(a, b)} (target ≤ {limit:.2f}×) {v}")
        for label, base, limit in CPU_TARGETS:
            a, b = by.get(label, {}).get("cpu"), by.get(base, {}).get("cpu")
            v = "n/a" if a is None or not b else ("PASS" if a / b <= limit else "FAIL")
            verdicts.append(v)
            print(f"  CPU {label} / {base} = {fmt_ratio(a, b)} (target ≤ {limit:.2f}×) {v}")
        for peer, mine, need in PEER_TARGETS:
            p, m = by.get(peer, {}).get("mean"), by.get(mine, {}).get("mean")
            v = "n/a" if p is None or m is None else ("PASS" if p / m >= need else "FAIL")
            verdicts.append(v)
            print(f"  {peer} / {mine} = {fmt_ratio(p, m)} (target ≥ {need:.0f}×) {v}")
        big = size.isdigit() and int(size) >= RSS_TARGET_MIN_FILES
        for r in rs:
            if r["kind"] != "ctxsize":
                continue
            rss = r["max_rss_kb"]
            if not rss.isdigit():
                v = "n/a"
            else:
                v = "PASS" if int(rss) <= RSS_LIMIT_KB else "FAIL"
                if not big:
                    v += " (informational below 300k files)"
                elif "no ignore rules" in r["label"]:
                    # lists all 300k paths sorted: not one of the target commands
                    v += " (informational: not a target command)"
                else:
                    verdicts.append(v)
            rss_s = f"{int(rss) / 1024:.1f} MB" if rss.isdigit() else "n/a"
            print(f"  peak RSS {r['label']} = {rss_s} (target ≤ 32 MB) {v}")
    print()
    print(f"targets: {verdicts.count('PASS')} pass, {verdicts.count('FAIL')} fail, {verdicts.count('n/a')} n/a")


if __name__ == "__main__":
    main()
