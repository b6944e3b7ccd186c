#!/usr/bin/python3
"""Reference values for the library's evaluation statistics (src/MLNetTransfer/Evaluation/Statistics/*.cs and the
catalog methods EvaluateDiagnostics and CompareAuc), read by tests/MLNetTransfer.Tests/Evaluation/Statistics*Tests.cs.

Usage: /usr/bin/python3 make_statistics_references.py OUTDIR

Needs numpy, scipy and scikit-learn (Debian's python3-numpy, python3-scipy, python3-sklearn); nothing is downloaded.
Every case is drawn from a seeded generator, so two runs write the same file. Written to OUTDIR:

  statistics.json  {"versions": {...},
                    "erfc": [{"x", "erfc", "two_sided_p"}],
                    "delong": [{"name", "scores", "positives", "auc", "roc_auc_score", "variance", "ci"}],
                    "paired": [{"name", "a", "b", "positives", "auc_a", "auc_b", "delta", "variance", "z", "p", "ci"}],
                    "wilson": [{"k", "n", "ci"}],
                    "thresholds": [{"name", "scores", "positives", "choices": [{"method", "target", "threshold",
                                    "tp", "fp", "tn", "fn", "reached"}]}],
                    "calibration_single": [{"name", "classes", "probabilities", "labels", "ece", "bins"}],
                    "calibration_multi": [{"name", "labels", "probabilities", "targets", "ece", "per_label", "bins"}],
                    "log_loss": [{"name", "classes", "probabilities", "labels", "log_loss"}],
                    "temperature_single": [{"name", "classes", "logits", "labels", "temperature", "nll": [[T, nll]]}],
                    "temperature_multi": [{"name", "labels", "logits", "targets", "temperatures", "nll": [[j, T, nll]]}],
                    "quantiles": [{"values", "fractions", "quantiles"}],
                    "diagnostics": [{"name", "task", "classes", "names", "probabilities", "labels" or "targets",
                                     "thresholds", "temperatures", "expected": {...}}],
                    "compare": [{"name", "task", "classes", "a", "b", "labels" or "targets", "class_index", "expected"}]}

JSON has no NaN: a NaN (an undefined value, a missing target) is written as null.

Independent computations, not the C# algorithms:
- AUC: sklearn.metrics.roc_auc_score. DeLong's variance by its definition (DeLong, DeLong and Clarke-Pearson 1988):
  the placements V10, V01 from the m x n matrix of psi(x, y) over every positive/negative pair, sample variances and
  covariances (ddof 1) by numpy; the library uses Sun and Xu's midrank algorithm instead. CI: auc +- z * sqrt(var),
  z = scipy.stats.norm.ppf(0.975), clipped to [0, 1]; paired: z = delta / sqrt(var), p = 2 * norm.sf(|z|), CI clipped
  to [-1, 1]. Undefined (null): the AUC when a class is absent; the variance when a class has fewer than two rows;
  z, p and the CI of a difference whose variance is 0.
- Wilson intervals: scipy.stats.binomtest(k, n).proportion_ci(0.95, method="wilson").
- Thresholds: brute force over every distinct score t (rule p >= t), comparing Youden's J and F1 as exact fractions
  (fractions.Fraction) and keeping the highest threshold on a tie; target sensitivity: the highest t with TP / P >= target;
  target specificity: the lowest t with TN / N >= target, else the highest score with "reached": false.
- ECE: 15 bins (b/15, (b+1)/15], 0 in the first, found by numpy.searchsorted on numpy.arange(16) / 15.0; single-label
  top-label (max probability vs argmax == label), multi-label per label (p vs y over known targets), mean over labels.
- Log loss: sklearn.metrics.log_loss(..., eps=1e-15) on float64 copies of the float32 probabilities.
- Temperature: scipy.optimize.minimize_scalar(method="bounded", bounds=(0.05, 20), xatol=1e-12) of the mean NLL of
  softmax(z / T) (scipy.special.log_softmax) or of each label's sigmoid (log_expit); a label without a known target gets 1.
- Quantiles: numpy.quantile (linear).
"""

import json
import os
import sys
import warnings
from fractions import Fraction

import numpy as np
import scipy
import sklearn
from scipy.optimize import minimize_scalar
from scipy.special import erfc, log_expit, log_softmax
from scipy.stats import binomtest, norm
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, log_loss, roc_auc_score

Z95 = norm.ppf(0.975)
EDGES = np.arange(16) / 15.0


def num(v):
    """A float or None for NaN/None."""
    if v is None:
        return None
    v = float(v)
    return None if np.isnan(v) else v


def floats(a):
    """float array -> list of Python floats, NaN -> None."""
    return [num(v) for v in np.asarray(a, dtype=np.float64).reshape(-1)]


def levels(raw, count):
    """Quantises raw scores to `count` levels, so many scores tie."""
    return np.floor(raw / raw.max() * (count - 1e-9)) / count


def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------- DeLong by its definition


def placements(scores, positives):
    x = scores[positives]
    y = scores[~positives]
    psi = (x[:, None] > y[None, :]).astype(np.float64) + 0.5 * (x[:, None] == y[None, :])
    return psi.mean(axis=1), psi.mean(axis=0)


def delong(scores, positives):
    """(auc, variance) by the O(m n) definition; None where undefined."""
    scores = np.asarray(scores, np.float64)
    positives = np.asarray(positives, bool)
    m, n = positives.sum(), (~positives).sum()
    if m == 0 or n == 0:
        return None, None
    v10, v01 = placements(scores, positives)
    auc = v10.mean()
    if m < 2 or n < 2:
        return auc, None
    return auc, np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n


def auc_ci(auc, variance):
    if variance is None:
        return [None, None]
    half = Z95 * np.sqrt(variance)
    return [max(0.0, auc - half), min(1.0, auc + half)]


def paired(a, b, positives):
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    positives = np.asarray(positives, bool)
    m, n = positives.sum(), (~positives).sum()
    out = {"auc_a": None, "auc_b": None, "delta": None, "variance": None, "z": None, "p": None, "ci": [None, None]}
    if m == 0 or n == 0:
        return out
    v10a, v01a = placements(a, positives)
    v10b, v01b = placements(b, positives)
    out.update({"auc_a": v10a.mean(), "auc_b": v10b.mean(), "delta": v10a.mean() - v10b.mean()})
    if m < 2 or n < 2:
        return out
    contrast = np.array([1.0, -1.0])
    s10 = np.cov(np.vstack([v10a, v10b]))
    s01 = np.cov(np.vstack([v01a, v01b]))
    variance = contrast @ s10 @ contrast / m + contrast @ s01 @ contrast / n
    out["variance"] = variance
    if not variance > 1e-300:
        return out
    z = out["delta"] / np.sqrt(variance)
    half = Z95 * np.sqrt(variance)
    out.update({"z": z, "p": 2 * norm.sf(abs(z)),
                "ci": [max(-1.0, out["delta"] - half), min(1.0, out["delta"] + half)]})
    return out


def binary_scores(rng, n, rate, count=None, shift=0.3):
    positives = rng.random(n) < rate
    positives[0], positives[1] = True, False
    if n > 3:
        positives[2], positives[3] = True, False
    raw = rng.random(n) + shift * positives
    if count is not None:
        raw = levels(raw, count)
    return raw.astype(np.float32), positives


def delong_cases(rng):
    cases = []
    for name, n, rate, count in [("continuous", 60, 0.4, None), ("ties_10_levels", 200, 0.3, 10),
                                 ("heavy_ties", 500, 0.2, 4), ("imbalanced", 400, 0.03, None), ("tiny", 6, 0.5, None)]:
        cases.append((name,) + binary_scores(rng, n, rate, count))
    cases.append(("single_positive", np.array([0.9, 0.2, 0.7, 0.5, 0.1], np.float32), np.array([0, 0, 1, 0, 0], bool)))
    cases.append(("perfect", np.array([0.1, 0.2, 0.3, 0.4, 0.8, 0.9], np.float32), np.array([0, 0, 0, 1, 1, 1], bool)))
    cases.append(("all_equal", np.full(6, 0.25, np.float32), np.array([1, 0, 1, 0, 0, 1], bool)))
    out = []
    for name, scores, positives in cases:
        auc, variance = delong(scores, positives)
        out.append({"name": name, "scores": floats(scores), "positives": positives.tolist(), "auc": num(auc),
                    "roc_auc_score": float(roc_auc_score(positives, scores)), "variance": num(variance),
                    "ci": [num(v) for v in auc_ci(auc, variance)]})
    return out


def paired_cases(rng):
    cases = []
    for name, n, rate, count, noise in [("correlated", 120, 0.4, None, 0.3), ("ties", 150, 0.3, 6, 0.5),
                                        ("imbalanced", 300, 0.05, None, 0.4), ("tiny", 8, 0.5, None, 0.2)]:
        a, positives = binary_scores(rng, n, rate, count, shift=0.4)
        b = a.astype(np.float64) + noise * rng.normal(size=n)
        if count is not None:
            b = np.floor(b * count) / count
        cases.append((name, a, b.astype(np.float32), positives))
    a, positives = binary_scores(rng, 30, 0.5)
    cases.append(("identical", a, a.copy(), positives))
    cases.append(("no_negative", np.array([0.2, 0.4, 0.6], np.float32), np.array([0.3, 0.1, 0.9], np.float32),
                  np.array([1, 1, 1], bool)))
    out = []
    for name, a, b, positives in cases:
        c = paired(a, b, positives)
        out.append({"name": name, "a": floats(a), "b": floats(b), "positives": positives.tolist(),
                    "auc_a": num(c["auc_a"]), "auc_b": num(c["auc_b"]), "delta": num(c["delta"]),
                    "variance": num(c["variance"]), "z": num(c["z"]), "p": num(c["p"]),
                    "ci": [num(v) for v in c["ci"]]})
    return out


# ---------------------------------------------------------------- Wilson, thresholds


def wilson(k, n):
    if n == 0:
        return [None, None]
    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=0.95, method="wilson")
    return [float(ci.low), float(ci.high)]


def wilson_cases():
    return [{"k": k, "n": n, "ci": wilson(k, n)}
            for k, n in [(0, 1), (1, 1), (0, 10), (10, 10), (3, 7), (5, 20), (50, 100), (999, 1000), (1, 1000), (17, 23)]]


def confusion(positives, decided):
    tn, fp, fn, tp = confusion_matrix(positives, decided, labels=[False, True]).ravel()
    return int(tp), int(fp), int(tn), int(fn)


def choose(scores, positives, method, target):
    """Brute force over every distinct score (rule p >= t), highest first."""
    scores = np.asarray(scores, np.float64)
    positives = np.asarray(positives, bool)
    p, n = int(positives.sum()), int((~positives).sum())
    rows = []
    for t in sorted(set(scores.tolist()), reverse=True):
        tp, fp, tn, fn = confusion(positives, scores >= t)
        rows.append((t, tp, fp, tn, fn))
    reached = True
    if method == "Fixed":
        t = target
        tp, fp, tn, fn = confusion(positives, scores >= t)
        best = (t, tp, fp, tn, fn)
    elif method == "Youden":
        best = max(rows, key=lambda r: Fraction(r[1], p) + Fraction(r[3], n) - 1)  # max keeps the first (highest) on ties
    elif method == "MaxF1":
        best = max(rows, key=lambda r: Fraction(2 * r[1], 2 * r[1] + r[2] + r[4]))
    elif method == "TargetSensitivity":
        best = next(r for r in rows if r[1] / p >= target)
    else:  # TargetSpecificity
        ok = [r for r in rows if r[3] / n >= target]
        best = ok[-1] if ok else rows[0]
        reached = bool(ok)
    t, tp, fp, tn, fn = best
    return {"method": method, "target": target, "threshold": float(t), "tp": tp, "fp": fp, "tn": tn, "fn": fn,
            "reached": reached}


def threshold_cases(rng):
    cases = []
    for name, n, rate, count in [("continuous", 80, 0.4, None), ("ties", 200, 0.3, 8), ("imbalanced", 300, 0.05, None),
                                 ("tiny", 7, 0.5, None)]:
        cases.append((name,) + binary_scores(rng, n, rate, count))
    # The highest score is shared by a negative: specificity 1 cannot be reached with any candidate.
    cases.append(("top_tie", np.array([0.9, 0.9, 0.5, 0.3, 0.1], np.float32), np.array([1, 0, 1, 0, 0], bool)))
    # Youden and F1 tie between two thresholds: the highest must win.
    cases.append(("j_tie", np.array([0.9, 0.8, 0.7, 0.6, 0.4, 0.2], np.float32), np.array([1, 0, 1, 0, 1, 0], bool)))
    out = []
    for name, scores, positives in cases:
        choices = [choose(scores, positives, "Youden", None), choose(scores, positives, "MaxF1", None)]
        for target in [0.8, 0.9, 0.95, 1.0, 0.0]:
            choices.append(choose(scores, positives, "TargetSensitivity", target))
            choices.append(choose(scores, positives, "TargetSpecificity", target))
        for target in [0.5, 0.25]:
            choices.append(choose(scores, positives, "Fixed", target))
        out.append({"name": name, "scores": floats(scores), "positives": positives.tolist(), "choices": choices})
    return out


# ---------------------------------------------------------------- calibration, log loss, temperature


def bins_of(confidence, hits):
    """(ece, bins) of confidences against 0/1 hits over 15 bins."""
    confidence = np.asarray(confidence, np.float64)
    hits = np.asarray(hits, np.float64)
    index = np.clip(np.searchsorted(EDGES, confidence, side="left") - 1, 0, 14)
    bins = []
    ece = 0.0
    for b in range(15):
        inside = index == b
        count = int(inside.sum())
        if count:
            conf, acc = confidence[inside].mean(), hits[inside].mean()
            ece += count / len(confidence) * abs(acc - conf)
            bins.append({"count": count, "confidence": float(conf), "observed": float(acc)})
        else:
            bins.append({"count": 0, "confidence": None, "observed": None})
    return (ece if len(confidence) else None), bins


def top_label_ece(probabilities, labels):
    probabilities = np.asarray(probabilities, np.float64)
    return bins_of(probabilities.max(axis=1), probabilities.argmax(axis=1) == labels)


def multi_label_ece(probabilities, targets):
    probabilities = np.asarray(probabilities, np.float64)
    per_label = []
    for j in range(probabilities.shape[1]):
        known = ~np.isnan(targets[:, j])
        per_label.append(bins_of(probabilities[known, j], targets[known, j])[0])
    known = ~np.isnan(targets)
    _, pooled = bins_of(probabilities[known], targets[known])
    defined = [e for e in per_label if e is not None]
    return (float(np.mean(defined)) if defined else None), per_label, pooled


def calibration_cases(rng):
    single = []
    for name, n, k, scale in [("three_classes", 150, 3, 2.0), ("binary", 120, 2, 3.0), ("ten_classes", 300, 10, 1.0)]:
        labels = rng.integers(0, k, n)
        probs = softmax(scale * rng.normal(size=(n, k)) + 1.5 * np.eye(k)[labels]).astype(np.float32).astype(np.float64)
        ece, bins = top_label_ece(probs, labels)
        single.append({"name": name, "classes": k, "probabilities": floats(probs), "labels": labels.tolist(),
                       "ece": num(ece), "bins": bins})
    # Confidences exactly on the double edges b / 15.0 (and 1): each belongs to the bin below the edge.
    c = np.array([b / 15.0 for b in range(8, 16)] + [0.55, 0.99])
    probs = np.stack([c, 1 - c], axis=1)
    labels = np.array([0, 1, 0, 0, 1, 0, 0, 1, 0, 0])
    ece, bins = top_label_ece(probs, labels)
    single.append({"name": "edges", "classes": 2, "probabilities": floats(probs), "labels": labels.tolist(),
                   "ece": num(ece), "bins": bins})

    multi = []
    n, k = 100, 4
    targets = (rng.random((n, k)) < np.array([0.3, 0.6, 0.1, 0.5])).astype(np.float64)
    targets[rng.random((n, k)) < 0.15] = np.nan
    targets[:, 3] = np.nan  # a label with no known target: left out of the mean
    probs = 1 / (1 + np.exp(-(rng.normal(size=(n, k)) + 2.0 * np.nan_to_num(targets) - 0.5)))
    probs[:5, 0] = [0.0, 1.0, 1 / 15.0, 2 / 15.0, 0.5]
    ece, per_label, pooled = multi_label_ece(probs, targets)
    multi.append({"name": "four_labels_missing", "labels": k, "probabilities": floats(probs), "targets": floats(targets),
                  "ece": num(ece), "per_label": [num(e) for e in per_label], "bins": pooled})
    return single, multi


def log_loss_cases(rng):
    out = []
    n, k = 50, 3
    labels = rng.integers(0, k, n)
    probs = softmax(rng.normal(size=(n, k)) * 2).astype(np.float32)
    out.append(("softmax", k, probs, labels))
    # Exact 0 and 1 (clipped) and rows that do not sum to 1 (renormalised).
    extremes = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.2, 0.2, 0.2], [0.5, 0.6, 0.1], [0.0, 0.0, 1.0]], np.float32)
    out.append(("extremes", 3, extremes, np.array([1, 1, 0, 2, 2])))
    return [{"name": name, "classes": k, "probabilities": floats(p), "labels": l.tolist(),
             "log_loss": float(log_loss(l, p.astype(np.float64), eps=1e-15, labels=list(range(k))))}
            for name, k, p, l in out]


def fit_temperature(nll):
    result = minimize_scalar(nll, bounds=(0.05, 20), method="bounded", options={"xatol": 1e-12, "maxiter": 5000})
    return float(result.x)


def softmax_nll(logits, labels, t):
    return float(-np.mean(log_softmax(logits / t, axis=1)[np.arange(len(labels)), labels]))


def sigmoid_nll(z, y, t):
    return float(-np.mean(y * log_expit(z / t) + (1 - y) * log_expit(-z / t)))


def temperature_cases(rng):
    single = []
    for name, n, k, scale in [("overconfident", 200, 4, 4.0), ("underconfident", 150, 3, 0.3),
                              ("binary", 100, 2, 2.5)]:
        labels = rng.integers(0, k, n)
        clean = rng.normal(size=(n, k)) + 1.0 * np.eye(k)[labels]
        logits = (scale * clean).astype(np.float32)
        z = logits.astype(np.float64)
        t = fit_temperature(lambda t: softmax_nll(z, labels, t))
        single.append({"name": name, "classes": k, "logits": floats(logits), "labels": labels.tolist(), "temperature": t,
                       "nll": [[tt, softmax_nll(z, labels, tt)] for tt in [t, 1.0, 2.0, 0.5]]})
    # Separable: the NLL falls as T falls, so the fit stops at the bound 0.05. (The margin is small enough that the NLL
    # still changes there in double precision; with a wide one it is flat near 0.05 and Brent stops anywhere.)
    labels = np.array([0, 1, 2, 0, 1, 2])
    logits = (np.eye(3)[labels] * 0.1).astype(np.float32)
    z = logits.astype(np.float64)
    t = fit_temperature(lambda t: softmax_nll(z, labels, t))
    single.append({"name": "separable", "classes": 3, "logits": floats(logits), "labels": labels.tolist(), "temperature": t,
                   "nll": [[t, softmax_nll(z, labels, t)]]})

    multi = []
    n, k = 160, 3
    targets = (rng.random((n, k)) < np.array([0.4, 0.2, 0.5])).astype(np.float64)
    targets[rng.random((n, k)) < 0.2] = np.nan
    logits = (np.array([3.0, 0.5, 1.0]) * (rng.normal(size=(n, k)) + 1.5 * np.nan_to_num(targets) - 0.7)).astype(np.float32)
    targets_all = np.concatenate([targets, np.full((n, 1), np.nan)], axis=1)  # a fourth label never known
    logits_all = np.concatenate([logits, rng.normal(size=(n, 1)).astype(np.float32)], axis=1)
    temperatures, nll = [], []
    for j in range(k + 1):
        known = ~np.isnan(targets_all[:, j])
        if not known.any():
            temperatures.append(1.0)
            continue
        zj, yj = logits_all[known, j].astype(np.float64), targets_all[known, j]
        t = fit_temperature(lambda t: sigmoid_nll(zj, yj, t))
        temperatures.append(t)
        nll += [[j, tt, sigmoid_nll(zj, yj, tt)] for tt in [t, 1.0]]
    multi.append({"name": "three_labels_missing", "labels": k + 1, "logits": floats(logits_all),
                  "targets": floats(targets_all), "temperatures": temperatures, "nll": nll})
    return single, multi


def quantile_cases(rng):
    out = []
    for values in [rng.normal(size=37), np.round(rng.random(1000) * 20) / 20, np.array([0.5])]:
        fractions = [0.025, 0.975, 0.5, 0.0, 1.0, (1 - 0.95) / 2, 1 - (1 - 0.95) / 2]
        out.append({"values": floats(values), "fractions": fractions,
                    "quantiles": [float(np.quantile(values, f)) for f in fractions]})
    return out


# ---------------------------------------------------------------- end to end: EvaluateDiagnostics, CompareAuc


def rate(k, n):
    return {"value": num(k / n) if n else None, "ci": wilson(k, n)}


def class_diagnostics(name, scores, positives, decided, threshold):
    auc, variance = delong(scores, positives)
    tp, fp, tn, fn = confusion(positives, decided)
    return {"name": name, "positives": int(positives.sum()), "negatives": int((~positives).sum()),
            "auc": num(auc), "auc_ci": [num(v) for v in auc_ci(auc, variance)], "threshold": num(threshold),
            "tp": tp, "fp": fp, "tn": tn, "fn": fn,
            "sensitivity": rate(tp, tp + fn), "specificity": rate(tn, tn + fp),
            "ppv": rate(tp, tp + fp), "npv": rate(tn, tn + fn),
            "f1": float(f1_score(positives, decided)) if 2 * tp + fp + fn else None,
            "undefined": auc is None or variance is None or 0 in (tp + fn, tn + fp, tp + fp, tn + fn)}


def mean_defined(values):
    defined = [v for v in values if v is not None]
    return float(np.mean(defined)) if defined else None


def single_label_expected(probs, labels, names, threshold, temperature):
    """threshold and temperature are float32 values (the catalog takes IReadOnlyList<float>)."""
    k = probs.shape[1]
    p64 = probs.astype(np.float64)
    if k == 2:
        t = 0.5 if threshold is None else threshold
        decided = (p64[:, 1] >= t).astype(int)
    else:
        decided = p64.argmax(axis=1)
    per_class = [class_diagnostics(names[c], p64[:, c], labels == c, decided == c,
                                   (0.5 if threshold is None else threshold) if k == 2 and c == 1 else None)
                 for c in range(k)]
    ece, bins = top_label_ece(p64, labels)
    uncalibrated = None
    if temperature is not None:
        with np.errstate(divide="ignore"):
            uncalibrated = top_label_ece(softmax(temperature * np.log(p64)), labels)[0]
    return {"rows": len(labels), "per_class": per_class, "accuracy": float(accuracy_score(labels, decided)),
            "auc": per_class[1]["auc"] if k == 2 else mean_defined([d["auc"] for d in per_class]),
            "f1": per_class[1]["f1"] if k == 2 else mean_defined([d["f1"] for d in per_class]),
            "ece": num(ece), "ece_uncalibrated": num(uncalibrated), "bins": bins,
            "log_loss": float(log_loss(labels, p64, eps=1e-15, labels=list(range(k))))}


def multi_label_expected(probs, targets, names, thresholds, temperatures):
    """targets: 1, 0, NaN (missing) and -1 (uncertain: left out, like missing); thresholds, temperatures: float32 values."""
    targets = np.where(targets == -1, np.nan, targets)
    p64 = probs.astype(np.float64)
    per_label, accuracies, losses = [], [], []
    for j, name in enumerate(names):
        known = ~np.isnan(targets[:, j])
        y = targets[known, j] == 1
        decided = p64[known, j] >= thresholds[j]
        per_label.append(class_diagnostics(name, p64[known, j], y, decided, thresholds[j]))
        accuracies.append(float(accuracy_score(y, decided)) if known.any() else None)
        losses.append(float(log_loss(y, p64[known, j], eps=1e-15, labels=[False, True])) if known.any() else None)
    ece, _, bins = multi_label_ece(p64, targets)
    uncalibrated = None
    if temperatures is not None:
        with np.errstate(divide="ignore"):
            logit = np.log(p64) - np.log(1 - p64)
        uncalibrated = multi_label_ece(1 / (1 + np.exp(-np.asarray(temperatures) * logit)), targets)[0]
    return {"rows": len(targets), "per_class": per_label, "accuracy": mean_defined(accuracies),
            "auc": mean_defined([d["auc"] for d in per_label]), "f1": mean_defined([d["f1"] for d in per_label]),
            "ece": num(ece), "ece_uncalibrated": num(uncalibrated), "bins": bins, "log_loss": mean_defined(losses)}


def diagnostics_cases(rng):
    out = []
    for name, n, k, threshold, temperature, absent, count in [
            ("binary", 90, 2, 0.4, 1.7, None, None), ("binary_default", 60, 2, None, None, None, None),
            ("three_classes", 120, 3, None, 0.7, None, None), ("absent_class_ties", 80, 4, None, None, 3, 8)]:
        labels = rng.integers(0, k, n)
        if absent is not None:
            labels[labels == absent] = 0
        probs = softmax(1.5 * rng.normal(size=(n, k)) + 1.3 * np.eye(k)[labels])
        if count is not None:
            probs = levels(probs, count)
            probs = probs / probs.sum(axis=1, keepdims=True)
        probs = probs.astype(np.float32)
        names = ["neg", "pos"] if k == 2 else [f"c{c}" for c in range(k)]
        threshold = None if threshold is None else float(np.float32(threshold))
        temperature = None if temperature is None else float(np.float32(temperature))
        out.append({"name": name, "task": "single", "classes": k, "names": names, "probabilities": floats(probs),
                    "labels": labels.tolist(), "thresholds": None if threshold is None else [threshold],
                    "temperatures": None if temperature is None else [temperature],
                    "expected": single_label_expected(probs, labels, names, threshold, temperature)})

    n, k = 110, 4
    targets = (rng.random((n, k)) < np.array([0.35, 0.5, 0.2, 0.4])).astype(np.float32)
    truth = targets.copy()
    targets[rng.random((n, k)) < 0.1] = np.nan
    targets[rng.random((n, k)) < 0.1] = -1
    targets[:, 3] = np.where(np.isnan(targets[:, 3]) | (targets[:, 3] == -1), targets[:, 3], 0)  # no positive: AUC undefined
    probs = (1 / (1 + np.exp(-(1.3 * rng.normal(size=(n, k)) + 2.0 * truth - 1.0)))).astype(np.float32)
    names = ["effusion", "edema", "nodule", "mass"]
    thresholds = [float(np.float32(t)) for t in [0.5, 0.3, 0.6, 0.5]]
    temperatures = [float(np.float32(t)) for t in [1.5, 0.8, 1.0, 2.0]]
    out.append({"name": "four_labels", "task": "multi", "classes": k, "names": names, "probabilities": floats(probs),
                "targets": floats(targets), "thresholds": thresholds, "temperatures": temperatures,
                "expected": multi_label_expected(probs, targets, names, thresholds, temperatures)})
    return out


def compare_cases(rng):
    out = []
    for name, n, k, index in [("binary", 100, 2, -1), ("three_classes", 150, 3, 2)]:
        labels = rng.integers(0, k, n)
        base = rng.normal(size=(n, k)) + 1.2 * np.eye(k)[labels]
        a = softmax(base + 0.4 * rng.normal(size=(n, k))).astype(np.float32)
        b = softmax(0.6 * base + 0.8 * rng.normal(size=(n, k))).astype(np.float32)
        c = k - 1 if index == -1 else index
        e = paired(a[:, c], b[:, c], labels == c)
        out.append({"name": name, "task": "single", "classes": k, "a": floats(a), "b": floats(b), "labels": labels.tolist(),
                    "class_index": index, "expected": {key: num(v) for key, v in e.items() if key != "ci"}
                    | {"ci": [num(v) for v in e["ci"]], "rows": n, "positives": int((labels == c).sum())}})
    n, k = 90, 3
    targets = (rng.random((n, k)) < 0.4).astype(np.float32)
    truth = targets.copy()
    targets[rng.random((n, k)) < 0.15] = np.nan
    targets[rng.random((n, k)) < 0.1] = -1
    a = (1 / (1 + np.exp(-(rng.normal(size=(n, k)) + 1.5 * truth)))).astype(np.float32)
    b = (1 / (1 + np.exp(-(rng.normal(size=(n, k)) + 0.8 * truth)))).astype(np.float32)
    known = (targets[:, 1] == 0) | (targets[:, 1] == 1)
    e = paired(a[known, 1], b[known, 1], targets[known, 1] == 1)
    out.append({"name": "multi_label", "task": "multi", "classes": k, "a": floats(a), "b": floats(b),
                "targets": floats(targets), "class_index": 1,
                "expected": {key: num(v) for key, v in e.items() if key != "ci"}
                | {"ci": [num(v) for v in e["ci"]], "rows": int(known.sum()), "positives": int((targets[known, 1] == 1).sum())}})
    return out


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(20241203)
    xs = [-6.0, -3.5, -1.2, -0.3, 0.0, 1e-8, 0.1, 0.5, 1.0, 1.2247, 1.2248, 1.5, 2.0, 3.0, 5.0, 8.0, 15.0, 26.0]
    erfc_cases = [{"x": x, "erfc": float(erfc(x)), "two_sided_p": float(2 * norm.sf(abs(x)))} for x in xs]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NaN from an undefined case must be written as null on purpose, not computed
        calibration_single, calibration_multi = calibration_cases(rng)
        temperature_single, temperature_multi = temperature_cases(rng)
        doc = {
            "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "sklearn": sklearn.__version__},
            "erfc": erfc_cases,
            "delong": delong_cases(rng),
            "paired": paired_cases(rng),
            "wilson": wilson_cases(),
            "thresholds": threshold_cases(rng),
            "calibration_single": calibration_single,
            "calibration_multi": calibration_multi,
            "log_loss": log_loss_cases(rng),
            "temperature_single": temperature_single,
            "temperature_multi": temperature_multi,
            "quantiles": quantile_cases(rng),
            "diagnostics": diagnostics_cases(rng),
            "compare": compare_cases(rng),
        }
    with open(os.path.join(outdir, "statistics.json"), "w") as f:
        json.dump(doc, f, allow_nan=False)


if __name__ == "__main__":
    main()
