#!/usr/bin/python3
"""Reference ROC curves for the library's RocCurve (src/MLNetTransfer/Torch/Metrics/RocAuc.cs), which the evaluators
EvaluatePerClassAuc and EvaluateMultiLabelAuc return per class or label (tests/MLNetTransfer.Tests/Evaluation/RocCurveTests.cs).

Usage: /usr/bin/python3 make_roc_references.py OUTDIR

Needs Debian's python3-sklearn (scikit-learn 1.2) and numpy; nothing is downloaded. Every case is drawn from a seeded
generator, so two runs write the same file. Written to OUTDIR:

  roc.json  {"versions": {...},
             "binary": [{"name", "scores", "positives", "fpr", "tpr", "thresholds", "auc", "roc_auc_score"}, ...],
             "multiclass": [{"name", "classes", "scores" (row-major [n, classes]), "labels",
                             "per_class": [{"fpr", "tpr", "thresholds", "auc"} or null], ...}],
             "multilabel": [{"name", "labels", "scores" (row-major), "targets" (row-major, null = missing),
                             "per_label": [{...} or null], ...}]}

Each curve is sklearn.metrics.roc_curve(y, s, drop_intermediate=False) on float32 scores (written exactly: a float32
widened to a double prints back to the same float32), with "auc" = sklearn.metrics.auc(fpr, tpr). "thresholds" leaves
out the first one: scikit-learn 1.2 writes max(score) + 1 there and 1.3 onwards np.inf, and the C# curve uses +inf.
A class or label whose rows hold one value only is null (roc_curve warns and returns NaN rates there; the evaluators
return no curve for it).
"""

import json
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.metrics import auc, roc_auc_score, roc_curve


def floats(a):
    """float array -> list of Python floats, NaN -> None."""
    return [None if np.isnan(v) else float(v) for v in np.asarray(a, dtype=np.float64).reshape(-1)]


def curve(y, s):
    """The reference curve of scores s for truth y, or None when y holds one value only."""
    y = np.asarray(y, dtype=bool)
    if y.all() or not y.any():
        return None
    fpr, tpr, thresholds = roc_curve(y, s, drop_intermediate=False)
    return {"fpr": floats(fpr), "tpr": floats(tpr), "thresholds": floats(thresholds[1:]), "auc": float(auc(fpr, tpr))}


def levels(raw, count):
    """Quantises raw scores to `count` levels, so many scores tie."""
    return np.floor(raw / raw.max() * (count - 1e-9)) / count


def binary_cases(rng):
    cases = []
    # (name, n, distinct score levels or None for continuous, positive rate)
    specs = [
        ("continuous", 40, None, 0.4),
        ("ties_10_levels", 200, 10, 0.3),
        ("ties_3_levels", 31, 3, 0.5),
        ("heavy_ties_large", 2000, 7, 0.1),
        ("rare_positive", 300, None, 0.02),
    ]
    for name, n, count, rate in specs:
        positives = rng.random(n) < rate
        positives[0], positives[1] = True, False  # both classes present
        raw = rng.random(n) + 0.3 * positives  # mildly informative: AUC neither 0.5 nor 1
        if count is not None:
            raw = levels(raw, count)
        cases.append((name, raw.astype(np.float32), positives))

    # Hand-made edges: all scores equal (one diagonal segment), perfect, reversed, signed zeros with extremes, one positive.
    cases.append(("all_equal", np.full(6, 0.25, np.float32), np.array([1, 0, 1, 0, 0, 1], bool)))
    s = np.array([0.1, 0.2, 0.3, 0.4], np.float32)
    cases.append(("perfect", s, np.array([0, 0, 1, 1], bool)))
    cases.append(("reversed", s, np.array([1, 1, 0, 0], bool)))
    big = np.finfo(np.float32).max
    cases.append(("signed_zeros_extremes", np.array([-big, -0.0, 0.0, big, 0.0, -big], np.float32),
                  np.array([0, 1, 0, 1, 1, 1], bool)))
    cases.append(("single_positive", np.array([0.9, 0.2, 0.9, 0.5, 0.1], np.float32), np.array([0, 0, 1, 0, 0], bool)))

    out = []
    for name, scores, positives in cases:
        c = curve(positives, scores)
        c.update({"name": name, "scores": floats(scores), "positives": positives.tolist(),
                  "roc_auc_score": float(roc_auc_score(positives, scores))})
        out.append(c)
    return out


def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def multiclass_cases(rng):
    out = []
    # (name, n, classes, levels or None, absent classes)
    for name, n, k, count, absent in [("three_classes", 120, 3, None, []), ("five_classes_ties", 150, 5, 8, []),
                                      ("absent_class", 60, 4, None, [2])]:
        labels = rng.integers(0, k, n)
        for a in absent:
            labels[labels == a] = (a + 1) % k
        logits = rng.normal(size=(n, k)) + 1.2 * np.eye(k)[labels]
        probs = softmax(logits)
        if count is not None:
            probs = levels(probs, count)
        probs = probs.astype(np.float32)
        out.append({"name": name, "classes": k, "scores": floats(probs), "labels": labels.tolist(),
                    "per_class": [curve(labels == c, probs[:, c]) for c in range(k)]})
    return out


def multilabel_cases(rng):
    out = []
    n, k = 90, 4
    targets = (rng.random((n, k)) < np.array([0.3, 0.5, 0.1, 0.4])).astype(np.float32)
    targets[rng.random((n, k)) < 0.2] = np.nan  # missing / uncertain-excluded targets
    targets[:, 3] = np.where(np.isnan(targets[:, 3]), np.nan, 0.0)  # label 3: known rows all negative -> undefined
    truth = np.nan_to_num(targets, nan=0.0)
    scores = 1 / (1 + np.exp(-(rng.normal(size=(n, k)) + 1.5 * truth)))
    scores[:, 1] = levels(scores[:, 1], 6)  # ties in one label
    scores = scores.astype(np.float32)
    per_label = []
    for j in range(k):
        known = ~np.isnan(targets[:, j])
        per_label.append(curve(targets[known, j] == 1, scores[known, j]))
    out.append({"name": "four_labels_missing", "labels": k, "scores": floats(scores), "targets": floats(targets),
                "per_label": per_label})
    return out


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(20240905)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an undefined curve must be skipped here, not computed with NaN rates
        doc = {
            "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__},
            "binary": binary_cases(rng),
            "multiclass": multiclass_cases(rng),
            "multilabel": multilabel_cases(rng),
        }
    with open(os.path.join(outdir, "roc.json"), "w") as f:
        json.dump(doc, f, allow_nan=False)


if __name__ == "__main__":
    main()
