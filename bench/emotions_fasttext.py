#!/usr/bin/env python3
"""emotions_fasttext.py - helpers of bench/emotions_fasttext.sh (stdlib only).

  prep IN.tsv OUT.txt      GoEmotions TSV -> fastText lines "__label__N ... text"
                           (text lower-cased, punctuation split off)
  score DEV.tsv PROBS.txt  macro/micro-F1 on the 28 labels of fastText's
                           `predict-prob ... -1 0` output, with each label's
                           threshold tuned on DEV to maximise its F1 (the rule
                           heed uses: predicted when p >= threshold), plus the
                           2-fold estimate (tune on odd lines, score on even, and
                           back), the way `heed train emotions` prints it.
"""
import re
import sys

K = 28


def gold_of(path):
    gold = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            gold.append({int(x) for x in parts[1].split(",")})
    return gold


def prep(src, dst):
    with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            text = re.sub(r"([^\w\s'])", r" \1 ", parts[0].lower())
            text = " ".join(text.split())
            labels = " ".join("__label__%s" % x for x in parts[1].split(","))
            out.write("%s %s\n" % (labels, text))


def probs_of(path, n):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = [0.0] * K
            tok = line.split()
            for i in range(0, len(tok) - 1, 2):
                p[int(tok[i][len("__label__"):])] = float(tok[i + 1])
            rows.append(p)
    assert len(rows) == n, "fastText gave %d rows for %d lines" % (len(rows), n)
    return rows


def best_threshold(scores, golds):
    """Threshold maximising F1 of `score >= t`; 0.5 when no positive."""
    npos = sum(golds)
    if npos == 0:
        return 0.5
    order = sorted(zip(scores, golds), key=lambda x: -x[0])
    best, best_k, tp = -1.0, 0, 0
    for k in range(1, len(order) + 1):
        tp += order[k - 1][1]
        if k < len(order) and order[k][0] == order[k - 1][0]:
            continue
        f = 2.0 * tp / (k + npos)
        if f > best:
            best, best_k = f, k
    hi = order[best_k - 1][0]
    lo = order[best_k][0] if best_k < len(order) else 0.0
    return (hi + lo) / 2 if lo < (hi + lo) / 2 <= hi else hi


def f1s(probs, gold, thr, rows):
    tp_all = fp_all = fn_all = 0
    macro = 0.0
    for k in range(K):
        tp = fp = fn = 0
        for i in rows:
            p = probs[i][k] >= thr[k]
            g = k in gold[i]
            tp += p and g
            fp += p and not g
            fn += (not p) and g
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        macro += 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
    P = tp_all / (tp_all + fp_all) if tp_all + fp_all else 0.0
    R = tp_all / (tp_all + fn_all) if tp_all + fn_all else 0.0
    return macro / K, (2 * P * R / (P + R) if P + R else 0.0)


def score(dev, probs_path):
    gold = gold_of(dev)
    probs = probs_of(probs_path, len(gold))
    n = len(gold)
    allrows = range(n)
    thr = [best_threshold([probs[i][k] for i in allrows], [k in gold[i] for i in allrows])
           for k in range(K)]
    macro, micro = f1s(probs, gold, thr, allrows)
    cross = 0.0
    for fold in (0, 1):
        tune = range(fold, n, 2)
        test = [i for i in allrows if i % 2 != fold]
        t = [best_threshold([probs[i][k] for i in tune], [k in gold[i] for i in tune])
             for k in range(K)]
        cross += f1s(probs, gold, t, test)[0] / 2
    print("macro-F1 %.4f  micro-F1 %.4f  2-fold macro-F1 %.4f" % (macro, micro, cross))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "prep":
        prep(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "score":
        score(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
