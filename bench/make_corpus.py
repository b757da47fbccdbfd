#!/usr/bin/env python3
"""Build the reproducible benchmark corpus for bench/run.sh (python3, stdlib only).

Sources (train/dev data under the shared data folder, see its README.md):
  goemotions/train.tsv + dev.tsv   text column (Reddit comments)
  banking77/train.csv              text column (banking customer queries)
  bitext_cs/...Dataset.csv         instruction column (customer requests)
  vader/<set>_GroundTruth.txt      text column of the four sentence sets

Every text is normalised to one line: tabs, CR, LF, vertical tab, form feed,
NEL, U+2028/U+2029 and NUL become spaces; leading/trailing space is stripped;
empty texts are dropped. The base pool (~81k texts) is cycled until --count
messages exist; copies after the first get a small deterministic variation
(greeting prefix, closing suffix, lower/upper case) chosen by a hash of the
record id and the pass number. The final order is a deterministic shuffle:
records sorted by SHA-256 of their id. No random-number library is used, so
the output is byte-identical on any machine and Python 3 version.

Writes <out>/corpus.txt (one message per line), <out>/corpus-turns.jsonl (the
same as customer/agent conversations of two turns), <out>/corpus.jsonl
({"id":..,"text":..} per line, same order) and <out>/corpus.sha256.
"""
import argparse
import csv
import hashlib
import json
import os
import sys

SALT = "heed-bench-corpus-v1"
VADER_SETS = ("tweets", "movieReviewSnippets", "nytEditorialSnippets",
              "amazonReviewSnippets")
PREFIXES = ("Hi, ", "Hello, ", "Hey team, ", "Quick question: ",
            "Honestly, ", "Dear support, ", "Ok so ", "Sorry but ")
SUFFIXES = (" Thanks.", " Please help!", " :(", " :)", " Any update?",
            " This is the third time I'm asking.", " Thank you so much!!",
            " I'm really frustrated.", " ASAP please.", " lol")
_BAD = {ord(c): " " for c in "\t\r\n\v\f\x00\x85\u2028\u2029"}


def clean(text):
    return text.translate(_BAD).strip()


def h(s):
    return hashlib.sha256((SALT + ":" + s).encode("utf-8")).digest()


def read_goemotions(data):
    for part in ("train", "dev"):
        path = os.path.join(data, "goemotions", part + ".tsv")
        with open(path, encoding="utf-8", newline="") as f:
            for n, line in enumerate(f):
                cols = line.rstrip("\n").split("\t")
                rid = cols[2] if len(cols) > 2 else str(n)
                yield "goemotions-%s:%s" % (part, rid), cols[0]


def read_csv_column(path, column, tag):
    with open(path, encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f)):
            yield "%s:%d" % (tag, n), row[column]


def read_vader(data):
    for s in VADER_SETS:
        path = os.path.join(data, "vader", s + "_GroundTruth.txt")
        with open(path, encoding="utf-8", newline="") as f:
            for line in f:
                cols = line.rstrip("\n").split("\t", 2)
                if len(cols) == 3:
                    yield "vader-%s:%s" % (s, cols[0]), cols[2]


def base_pool(data):
    pool = []
    seen = set()
    srcs = [
        read_goemotions(data),
        read_csv_column(os.path.join(data, "banking77", "train.csv"),
                        "text", "banking77"),
        read_csv_column(os.path.join(data, "bitext_cs",
                        "Bitext_Sample_Customer_Support_Training_Dataset.csv"),
                        "instruction", "bitext_cs"),
        read_vader(data),
    ]
    for src in srcs:
        for rid, text in src:
            text = clean(text)
            if not text or rid in seen:
                continue
            seen.add(rid)
            pool.append((rid, text))
    return pool


def vary(rid, text, p):
    d = h("%s#%d" % (rid, p))
    kind = d[0] % 4
    if kind == 0:
        return PREFIXES[d[1] % len(PREFIXES)] + text
    if kind == 1:
        return text + SUFFIXES[d[1] % len(SUFFIXES)]
    if kind == 2:
        return (PREFIXES[d[1] % len(PREFIXES)] + text
                + SUFFIXES[d[2] % len(SUFFIXES)])
    return text.upper() if d[1] & 1 else text.lower()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=os.environ.get(
        "HEED_DATA", os.path.join(root, "..", "shared", "data")),
        help="shared data folder (default: $HEED_DATA or ../shared/data "
             "relative to the repo root)")
    ap.add_argument("--out", default=os.path.join(here, "out"))
    ap.add_argument("--count", type=int, default=100000,
                    help="number of messages (default 100000)")
    a = ap.parse_args()

    pool = base_pool(a.data)
    if not pool:
        sys.exit("make_corpus: no texts found under %s" % a.data)
    recs = []
    p = 0
    while len(recs) < a.count:
        for rid, text in pool:
            if len(recs) >= a.count:
                break
            if p == 0:
                recs.append((rid, text))
            else:
                recs.append(("%s~%d" % (rid, p), vary(rid, text, p)))
        p += 1
    recs.sort(key=lambda r: h(r[0]))

    os.makedirs(a.out, exist_ok=True)
    txt = os.path.join(a.out, "corpus.txt")
    jsl = os.path.join(a.out, "corpus.jsonl")
    with open(txt + ".tmp", "w", encoding="utf-8", newline="\n") as ft, \
         open(jsl + ".tmp", "w", encoding="utf-8", newline="\n") as fj:
        for rid, text in recs:
            ft.write(text + "\n")
            fj.write(json.dumps({"id": rid, "text": text},
                                ensure_ascii=False) + "\n")
    os.replace(txt + ".tmp", txt)
    os.replace(jsl + ".tmp", jsl)
    # The same messages as two-turn conversations, the second turn an agent's,
    # so the reply stages run on half of them (a throughput measure: the
    # "replies" are not real agent text).
    trn = os.path.join(a.out, "corpus-turns.jsonl")
    with open(trn + ".tmp", "w", encoding="utf-8", newline="\n") as fr:
        for i, (rid, text) in enumerate(recs):
            fr.write(json.dumps({
                "id": rid, "conversation": "t%d" % (i // 2),
                "role": "agent" if i % 2 else "customer",
                "time": "2026-09-01T%02d:%02d:00Z" % (i // 60 % 24, i % 60),
                "text": text}, ensure_ascii=False) + "\n")
    os.replace(trn + ".tmp", trn)

    sums = []
    for path in (txt, jsl):
        with open(path, "rb") as f:
            sums.append("%s  %s" % (hashlib.sha256(f.read()).hexdigest(),
                                    os.path.basename(path)))
    with open(os.path.join(a.out, "corpus.sha256"), "w") as f:
        f.write("\n".join(sums) + "\n")
    size = os.path.getsize(txt)
    print("make_corpus: %d messages (base pool %d, %d pass(es)), corpus.txt "
          "%d bytes (%.2f MB), mean %.1f bytes/message" %
          (len(recs), len(pool), p, size, size / 1e6, size / len(recs)),
          file=sys.stderr)
    for s in sums:
        print("make_corpus: sha256 " + s, file=sys.stderr)


if __name__ == "__main__":
    main()
