#!/usr/bin/env python3
"""Print the bench/run.sh report from out/meta.tsv and out/measure.tsv, after
checking every tool's output (python3, stdlib only).

Units: MB = 10^6 bytes (throughput and RSS alike); msgs/s and MB/s use the
median wall time of the runs; peak RSS is the maximum over the runs.
"""
import hashlib
import json
import os
import statistics
import sys

TARGET_VADER_RATIO = 50.0   # heed 1 thread msgs/s >= 50x vader-sentiment
TARGET_MBS = 30.0           # heed 1 thread >= 30 MB/s
TARGET_RSS_MB = 64.0        # heed peak RSS < 64 MB

LABELS = {
    "heed-1-valence": ("heed analyze --stages valence", "1", "corpus.txt"),
    "heed-1": ("heed analyze (all stages)", "1", "corpus.txt"),
    "heed-all": ("heed analyze (all stages)", "all", "corpus.txt"),
    "heed-1-jsonl": ("heed analyze (all stages)", "1", "corpus.jsonl"),
    "heed-1-turns": ("heed analyze (+ reply stages)", "1", "corpus-turns"),
    "vader-sentiment": ("vader-sentiment (node)", "1", "corpus.txt"),
    "sentiment": ("sentiment/AFINN (node)", "1", "corpus.txt"),
}


def check_heed(path, n, want_ids):
    """heed output: n JSON objects, index 0..n-1 in order, valence in [-1,1]."""
    bad = 0
    idx = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                o = json.loads(line)
                v = float(o["valence"])
                ok = o["index"] == idx and -1.0 <= v <= 1.0
                if want_ids is not None:
                    ok = ok and o.get("id") == want_ids[idx]
            except (ValueError, KeyError, TypeError, IndexError):
                ok = False
            bad += not ok
            idx += 1
    if idx != n:
        return "%d records for %d messages" % (idx, n)
    return "ok" if bad == 0 else "%d bad records" % bad


def check_numbers(path, n):
    cnt = bad = 0
    with open(path) as f:
        for line in f:
            cnt += 1
            try:
                float(line)
            except ValueError:
                bad += 1
    if cnt != n:
        return "%d numbers for %d messages" % (cnt, n)
    return "ok" if bad == 0 else "%d non-numbers" % bad


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    out = sys.argv[1]
    meta = []
    with open(os.path.join(out, "meta.tsv"), encoding="utf-8") as f:
        meta = [l.rstrip("\n").split("\t", 1) for l in f if l.strip()]
    rows = {}
    order = []
    with open(os.path.join(out, "measure.tsv"), encoding="utf-8") as f:
        for l in f:
            c = l.rstrip("\n").split("\t")
            row = c[0]
            if row not in rows:
                rows[row] = []
                order.append(row)
            rows[row].append({"wall": int(c[2]) / 1e9, "rss_kb": int(c[3]),
                              "cpu": float(c[4]) + float(c[5]),
                              "lines": int(c[6]), "bytes": int(c[7]),
                              "cmd": c[8]})
    with open(os.path.join(out, "corpus.txt"), "rb") as f:
        n = sum(1 for _ in f)
    ids = []
    with open(os.path.join(out, "corpus.jsonl"), encoding="utf-8") as f:
        ids = [json.loads(l)["id"] for l in f]

    res = {}
    for row in order:
        runs = rows[row]
        wall = statistics.median(r["wall"] for r in runs)
        res[row] = {
            "wall": wall,
            "cpu": statistics.median(r["cpu"] for r in runs),
            "rss": max(r["rss_kb"] for r in runs) * 1024 / 1e6,
            "mps": n / wall,
            "mbs": runs[0]["bytes"] / 1e6 / wall,
            "walls": [r["wall"] for r in runs],
            "cmd": runs[0]["cmd"],
        }
        p = os.path.join(out, row + ".out")
        if row.startswith("heed"):
            res[row]["check"] = check_heed(
                p, n, ids if row.endswith(("jsonl", "turns")) else None)
        else:
            res[row]["check"] = check_numbers(p, n)

    print()
    print("heed benchmark (bench/run.sh)")
    print("=" * 29)
    for k, v in meta:
        print("%-9s %s" % (k + ":", v))
    print()
    hdr = ("tool", "threads", "input", "msgs/s", "MB/s", "wall s",
           "CPU s", "peak RSS MB", "output")
    fmt = "%-30s %7s %-12s %10s %8s %8s %7s %12s  %s"
    print(fmt % hdr)
    print(fmt % tuple("-" * len(h) for h in hdr))
    for row in order:
        r = res[row]
        tool, thr, inp = LABELS.get(row, (row, "?", "?"))
        print(fmt % (tool, thr, inp, "{:,.0f}".format(r["mps"]),
                     "%.2f" % r["mbs"], "%.3f" % r["wall"], "%.2f" % r["cpu"],
                     "%.1f" % r["rss"], r["check"]))
    print()
    print("wall times of each run (s): " + "; ".join(
        "%s %s" % (row, " ".join("%.3f" % w for w in res[row]["walls"]))
        for row in order))
    if "heed-1" in res and "heed-all" in res:
        same = sha(os.path.join(out, "heed-1.out")) == \
            sha(os.path.join(out, "heed-all.out"))
        print("heed output with 1 thread and all threads byte-identical: %s"
              % ("yes" if same else "NO"))
    for row in ("heed-1", "heed-all"):
        p = os.path.join(out, row + ".err")
        if os.path.exists(p):
            with open(p, encoding="utf-8", errors="replace") as f:
                tail = [l.rstrip("\n") for l in f if l.strip()][-1:]
            if tail:
                print("heed stderr (%s): %s" % (row, tail[0]))
    print()

    h1 = res.get("heed-1")
    if not h1:
        return
    # The peers compute sentiment only: heed's valence-only row is the like-for-
    # like comparison; the all-stages row adds language, emotions, needs,
    # intensity and stress.
    rows = [r for r in ("heed-1-valence", "heed-1") if r in res]
    print("ratios (msgs/s on median wall time; in brackets the same on "
          "median CPU time user+sys, less sensitive to other load):")
    for row in rows:
        h = res[row]
        for peer in ("vader-sentiment", "sentiment"):
            if peer in res:
                print("  %-14s 1 thread / %-17s %7.1fx   (CPU %.1fx)" %
                      (row, peer, h["mps"] / res[peer]["mps"],
                       res[peer]["cpu"] / h["cpu"] if h["cpu"] > 0
                       else float("nan")))
    if "heed-all" in res:
        print("  %-43s %7.2fx" % ("heed all threads / heed 1 thread (all stages)",
                                   res["heed-all"]["mps"] / h1["mps"]))
    print()
    print("targets:")
    results = []
    for row in rows:
        h = res[row]
        if "vader-sentiment" in res:
            ratio = h["mps"] / res["vader-sentiment"]["mps"]
            results.append(("%s msgs/s >= %gx vader-sentiment"
                            % (row, TARGET_VADER_RATIO), "%.1fx" % ratio,
                            ratio >= TARGET_VADER_RATIO))
        else:
            results.append(("%s msgs/s >= %gx vader-sentiment"
                            % (row, TARGET_VADER_RATIO), "not measured", False))
        results.append(("%s >= %g MB/s" % (row, TARGET_MBS),
                        "%.2f MB/s" % h["mbs"], h["mbs"] >= TARGET_MBS))
    rss = max(r["rss"] for k, r in res.items() if k.startswith("heed"))
    results.append(("heed peak RSS < %g MB (max over all heed runs)"
                    % TARGET_RSS_MB, "%.1f MB" % rss, rss < TARGET_RSS_MB))
    allok = all(r["check"] == "ok" for r in res.values())
    results.append(("every tool wrote one valid result per message",
                    "yes" if allok else "NO", allok))
    for what, fig, ok in results:
        print("  %-52s %-14s %s" % (what, fig, "PASS" if ok else "FAIL"))
    print()


if __name__ == "__main__":
    main()
