#!/usr/bin/env python3
"""Print the bench/journey.sh report from out/journey/{meta,measure,latency,
refresh}.tsv (python3, stdlib only).

Units: MB = 10^6 bytes; msgs/s and MB/s use the wall time of the run; latency
is the wall time of a whole process (start, store open, query, output).
"""
import os
import statistics
import sys

TARGET_IMPORT = 50000.0   # messages/s, import with full analysis, all threads
TARGET_MS = 50.0          # median latency of each query command
TARGET_RSS_GROWTH = 1.25  # peak RSS of the full import <= 1.25 x the quarter's


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [l.rstrip("\n").split("\t") for l in f if l.strip()]


def lines(path):
    with open(path, encoding="utf-8") as f:
        return sum(1 for _ in f)


def pct(xs, p):
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def main():
    out = sys.argv[1]
    meta = read_tsv(os.path.join(out, "meta.tsv"))
    for row in meta:
        if row[0] == "store":
            print("store\t%s messages (all silos), %s persons, %s CRM customers, %s events"
                  % tuple(row[1:5]))
        else:
            print("\t".join(row))
    print()

    m = {r[0]: r for r in read_tsv(os.path.join(out, "measure.tsv"))}

    def wall(row):
        return int(m[row][1]) / 1e9

    def rss(row):
        return int(m[row][2]) * 1024 / 1e6

    def cpu(row):
        return float(m[row][3]) + float(m[row][4])

    n_q = None
    for r in m.values():
        if r[0] == "import-msg-1":
            n_q = lines(r[-1].split()[-1])
    nbytes = int(m["import-msg-1"][6])
    n_next = lines(m["import-msg-next"][7].split()[-1]) if "import-msg-next" in m else None

    print("Import and peers (quarter set: %d messages, messages.jsonl %.1f MB)"
          % (n_q, nbytes / 1e6))
    print("%-34s %9s %8s %8s %7s %9s  %s" % ("row", "wall s", "msgs/s", "MB/s", "CPU s",
                                              "peak RSS", "command"))
    labels = [
        ("import-msg-1", "heed import messages, 1 thread"),
        ("import-msg-all", "heed import messages, all threads"),
        ("import-msg-next", "the next month, into that store"),
        ("import-msg-populated", "the same, into a store holding them"),
        ("analyze-1", "heed analyze, 1 thread (no store)"),
        ("analyze-all", "heed analyze, all threads (no store)"),
        ("sqlite3-import", "sqlite3 .import CSV (no analysis)"),
    ]
    for row, label in labels:
        if row not in m:
            continue
        w = wall(row)
        n = n_next if row == "import-msg-next" else n_q
        print("%-34s %9.2f %8.0f %8.2f %7.2f %7.1f MB  %s"
              % (label, w, n / w, int(m[row][6]) / 1e6 / w, cpu(row), rss(row), m[row][7]))
    print()
    a1, i1 = cpu("analyze-1"), cpu("import-msg-1")
    print("where the time goes (1 thread, CPU seconds): analysis %.2f s (%.0f msgs/s per core); "
          "import %.2f s; so storage and the identity pass cost %.2f s (%.0f%% of the import); "
          "a raw sqlite3 load of the same rows takes %.2f s"
          % (a1, n_q / a1, i1, i1 - a1, 100 * (i1 - a1) / i1, cpu("sqlite3-import")))
    print("ratios (wall): import all threads / analyze all threads = %.2f; "
          "import 1 thread / sqlite3 .import = %.1fx slower; "
          "import all threads vs 1 thread = %.2fx"
          % (wall("import-msg-all") / wall("analyze-all"),
             wall("import-msg-1") / wall("sqlite3-import"),
             wall("import-msg-1") / wall("import-msg-all")))
    print()

    print("Import dir (every file), all threads")
    for row in ("import-dir-quarter", "import-dir-full"):
        r = m[row]
        rate = r[5].split() if r[5] else ["?", "0"]
        print("%-20s wall %7.1f s, CPU %7.1f s, peak RSS %6.1f MB; messages.jsonl: %s "
              "messages at %s msgs/s (heed's own count)  [%s]"
              % (row, wall(row), cpu(row), rss(row), rate[0], rate[1], r[7]))
    for row in ("import-tiny-quarter", "import-tiny-full"):
        if row in m:
            print("%-20s wall %7.1f s, CPU %7.1f s, peak RSS %6.1f MB: 10 new messages into "
                  "that store (the identity pass after it)  [%s]"
                  % (row, wall(row), cpu(row), rss(row), m[row][7]))
    print()

    lat = {}
    cmds = {}
    for row, ns, cmd in read_tsv(os.path.join(out, "latency.tsv")):
        lat.setdefault(row, []).append(int(ns) / 1e6)
        cmds[row] = cmd
    ref = read_tsv(os.path.join(out, "refresh.tsv"))
    print("Query latency: whole process runs (start + store open + query + output), "
          "%d runs after 2 warm-ups" % len(next(iter(lat.values()))))
    print("%-16s %9s %9s %9s  %s" % ("command", "median ms", "p95 ms", "max ms", "command"))
    if ref:
        print("%-16s %9.0f %9s %9s  %s (once, after the import)"
              % ("queue refresh", int(ref[0][1]) / 1e6, "-", "-", ref[0][2]))
    for row, xs in lat.items():
        print("%-16s %9.1f %9.1f %9.1f  %s"
              % (row, statistics.median(xs), pct(xs, 95), max(xs), cmds[row]))
    print()

    print("Targets")
    res = []
    rate_all = n_q / wall("import-msg-all")
    res.append(("import, full analysis, all threads >= %d msgs/s" % TARGET_IMPORT,
                "%.0f msgs/s (%.2fx the target)" % (rate_all, rate_all / TARGET_IMPORT),
                rate_all >= TARGET_IMPORT))
    if n_next:
        rate_next = n_next / wall("import-msg-next")
        res.append(("the next month (%d) into a store of %d >= %d msgs/s"
                    % (n_next, n_q, TARGET_IMPORT),
                    "%.0f msgs/s (%.2fx the target)" % (rate_next, rate_next / TARGET_IMPORT),
                    rate_next >= TARGET_IMPORT))
    if "import-msg-populated" in m:
        rate_pop = n_q / wall("import-msg-populated")
        res.append(("the same into a store holding %d messages >= %d msgs/s"
                    % (n_q, TARGET_IMPORT),
                    "%.0f msgs/s (%.2fx the target)" % (rate_pop, rate_pop / TARGET_IMPORT),
                    rate_pop >= TARGET_IMPORT))
    for row in ("queue", "journey-first", "journey-mid", "journey-heavy", "agents", "agent",
                "agent-heavy"):
        if row in lat:
            med = statistics.median(lat[row])
            res.append(("%s < %.0f ms (median)" % (row, TARGET_MS),
                        "%.1f ms (p95 %.1f)" % (med, pct(lat[row], 95)), med < TARGET_MS))
    g = rss("import-dir-full") / rss("import-dir-quarter")
    res.append(("peak RSS of import bounded (full <= %.2fx quarter)" % TARGET_RSS_GROWTH,
                "%.1f MB vs %.1f MB (%.2fx)" % (rss("import-dir-full"),
                                                rss("import-dir-quarter"), g),
                g <= TARGET_RSS_GROWTH))
    for what, got, ok in res:
        print("%-52s %-34s %s" % (what, got, "PASS" if ok else "FAIL"))


if __name__ == "__main__":
    main()
