#!/usr/bin/env python3
"""Agreement with human ratings on VADER's four sentence sets (stdlib only).

  agreement.py prepare DATA_VADER_DIR OUTDIR
      For each set writes OUTDIR/<set>.jsonl ({"id":..,"text":..}, the texts of
      <set>_GroundTruth.txt in file order), OUTDIR/<set>.txt (the same texts,
      one per line, for the line-based peer) and OUTDIR/<set>.gold (id TAB gold),
      where gold = the mean of the raw ratings in <set>_anonDataRatings.txt.
      (The tweets GroundTruth means disagree with the raw ratings for some ids;
      see the data README, vader section.)

  agreement.py report OUTDIR
      Reads OUTDIR/<set>.heed (heed analyze JSON lines: "index", "id",
      "valence") and OUTDIR/<set>.vader (one compound per line) and prints
      Pearson r against the gold per set, heed beside vader-sentiment.
      heed results are matched by "id", falling back to "index".
"""
import json
import math
import os
import sys

SETS = ("tweets", "movieReviewSnippets", "nytEditorialSnippets",
        "amazonReviewSnippets")
_BAD = {ord(c): " " for c in "\r\n\v\f\x00\x85\u2028\u2029"}


def pearson(xs, ys):
    n = len(xs)
    if n < 2:
        return float("nan")
    mx = math.fsum(xs) / n
    my = math.fsum(ys) / n
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return float("nan")
    return sxy / math.sqrt(sxx * syy)


def read_gold(vdir, s):
    gold = {}
    with open(os.path.join(vdir, s + "_anonDataRatings.txt"),
              encoding="utf-8") as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) < 4:
                continue
            raw = [float(x) for x in c[3].strip().strip("[]").split(",")
                   if x.strip()]
            if raw:
                gold[c[0]] = math.fsum(raw) / len(raw)
    return gold


def prepare(vdir, out):
    os.makedirs(out, exist_ok=True)
    for s in SETS:
        gold = read_gold(vdir, s)
        rows = []
        missing = 0
        with open(os.path.join(vdir, s + "_GroundTruth.txt"),
                  encoding="utf-8") as f:
            for line in f:
                c = line.rstrip("\n").split("\t", 2)
                if len(c) < 3:
                    continue
                if c[0] not in gold:
                    missing += 1
                    continue
                rows.append((c[0], c[2]))
        with open(os.path.join(out, s + ".jsonl"), "w", encoding="utf-8",
                  newline="\n") as fj, \
             open(os.path.join(out, s + ".txt"), "w", encoding="utf-8",
                  newline="\n") as ft, \
             open(os.path.join(out, s + ".gold"), "w", encoding="utf-8",
                  newline="\n") as fg:
            for rid, text in rows:
                fj.write(json.dumps({"id": rid, "text": text},
                                    ensure_ascii=False) + "\n")
                ft.write(text.translate(_BAD) + "\n")
                fg.write("%s\t%.17g\n" % (rid, gold[rid]))
        print("agreement: %-21s %5d texts%s" %
              (s, len(rows), " (%d without raw ratings skipped)" % missing
               if missing else ""), file=sys.stderr)


def report(out):
    print()
    print("Agreement with human ratings (Pearson r; gold = mean of the raw "
          "ratings in <set>_anonDataRatings.txt)")
    print()
    fmt = "%-22s %6s %8s %17s %12s  %s"
    hdr = ("set", "n", "heed r", "vader-sentiment r", "heed - vader", "")
    print(fmt % hdr)
    print(fmt % (tuple("-" * len(h) for h in hdr[:5]) + ("",)))
    allg, allh, allv = [], [], []
    fails = 0
    for s in SETS:
        ids, gold = [], []
        with open(os.path.join(out, s + ".gold"), encoding="utf-8") as f:
            for line in f:
                rid, g = line.rstrip("\n").split("\t")
                ids.append(rid)
                gold.append(float(g))
        n = len(ids)
        heed = [None] * n
        pos = {rid: i for i, rid in enumerate(ids)}
        problems = []
        with open(os.path.join(out, s + ".heed"), encoding="utf-8") as f:
            for k, line in enumerate(f):
                try:
                    o = json.loads(line)
                    v = float(o["valence"])
                except (ValueError, KeyError, TypeError):
                    problems.append("bad line %d" % k)
                    continue
                i = None
                if "id" in o and str(o["id"]) in pos:
                    i = pos[str(o["id"])]
                elif isinstance(o.get("index"), int) and 0 <= o["index"] < n:
                    i = o["index"]
                if i is None:
                    problems.append("unmatched line %d" % k)
                    continue
                heed[i] = v
        vader = []
        with open(os.path.join(out, s + ".vader"), encoding="utf-8") as f:
            vader = [float(x) for x in f if x.strip()]
        if len(vader) != n:
            problems.append("vader-sentiment gave %d scores for %d texts"
                            % (len(vader), n))
            vader = (vader + [0.0] * n)[:n]
        nmiss = sum(v is None for v in heed)
        if nmiss:
            problems.append("%d texts without a heed result" % nmiss)
        keep = [i for i in range(n) if heed[i] is not None]
        g = [gold[i] for i in keep]
        h = [heed[i] for i in keep]
        v = [vader[i] for i in keep]
        rh, rv = pearson(g, h), pearson(g, v)
        ok = not problems and rh >= rv
        fails += not ok
        allg += g
        allh += h
        allv += v
        print(fmt % (s, n, "%.4f" % rh, "%.4f" % rv, "%+.4f" % (rh - rv),
                     ("PASS" if ok else "FAIL")
                     + ("  (" + "; ".join(problems[:3]) + ")"
                        if problems else "")))
    rh, rv = pearson(allg, allh), pearson(allg, allv)
    print(fmt % ("all four, pooled", len(allg), "%.4f" % rh, "%.4f" % rv,
                 "%+.4f" % (rh - rv), "(information)"))
    print()
    print("target: heed r >= vader-sentiment r on every set: %s"
          % ("PASS" if fails == 0 else "FAIL (%d of %d sets)"
             % (fails, len(SETS))))
    print()


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "report":
        report(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
