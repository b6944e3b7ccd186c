#!/usr/bin/python3
"""Reference values for the engine's metrics (src/MLNetTransfer/Torch/Metrics/) and losses (Losses/).

Usage: /usr/bin/python3 make_metric_references.py OUTDIR

Needs Debian's python3-sklearn (scikit-learn 1.2) and python3-torch (PyTorch 1.13); nothing is downloaded.
Every case is drawn from a seeded generator, so two runs write the same file. Written to OUTDIR:

  metrics.json  {"versions": {...}, "binary_auc": [...], "multiclass_auc": [...], "multilabel_auc": [...],
                 "accuracy": [...], "class_weights": [...], "pos_weights": [...], "cross_entropy": [...],
                 "bce": [...]}

JSON has no NaN, so a NaN (a missing multi-label target, an undefined AUC) is written as null. Scores and logits
are float32 values (written exactly: a float32 widened to a double prints back to the same float32), and the
references are computed from those float32 arrays, so C# sees exactly the inputs the references saw.

Where the C# code deliberately differs from the reference library, the script computes the documented C# result
from the library's own per-item values:
  - sklearn's roc_auc_score raises "Only one class present in y_true" (binary) or for an absent class (one-vs-rest);
    MLNetTransfer reports NaN for that item, counts it, and averages over the defined ones (docs/pitfalls.md,
    "AUC is undefined when a class is absent"). The script records sklearn's per-class/per-label binary AUCs on
    the defined items and their mean.
  - A multi-label batch whose targets are all missing has no torch counterpart (0/0); MLNetTransfer returns 0.
"""

import json
import os
import sys

import numpy as np
import sklearn
import torch
import torch.nn.functional as F
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.utils.class_weight import compute_class_weight


def floats(a):
    """float32/float64 array -> list of Python floats, NaN -> None."""
    return [None if np.isnan(v) else float(v) for v in np.asarray(a, dtype=np.float64).reshape(-1)]


def auc_or_nan(y, s):
    """sklearn's binary AUC, NaN where sklearn refuses (one class present)."""
    if len(np.unique(y)) < 2:
        return float("nan")
    return float(roc_auc_score(y, s))


def binary_auc_cases(rng):
    cases = []
    # (name, n, number of distinct score levels or None for continuous, positive rate)
    specs = [
        ("continuous", 50, None, 0.4),
        ("ties_10_levels", 200, 10, 0.3),
        ("ties_3_levels", 31, 3, 0.5),
        ("heavy_ties_large", 3000, 7, 0.1),
        ("rare_positive", 500, None, 0.01),
    ]
    for name, n, levels, rate in specs:
        positives = rng.random(n) < rate
        positives[0], positives[1] = True, False  # both classes present
        # Scores mildly informative, so the AUC is neither 0.5 nor 1.
        raw = rng.random(n) + 0.3 * positives
        if levels is not None:
            raw = np.floor(raw / raw.max() * (levels - 1e-9)) / levels
        scores = raw.astype(np.float32)
        cases.append({"name": name, "scores": floats(scores), "positives": positives.tolist(),
                      "auc": float(roc_auc_score(positives, scores))})
    # Hand-made edge cases: all scores equal (0.5), perfect (1), reversed (0), signed zeros and extremes. (sklearn
    # refuses infinities and NaN: "Input contains infinity"; so does RocAuc.)
    cases.append({"name": "all_equal", "scores": [0.25] * 6, "positives": [True, False, True, False, False, True],
                  "auc": float(roc_auc_score([1, 0, 1, 0, 0, 1], np.full(6, 0.25, np.float32)))})
    s = np.array([0.1, 0.2, 0.3, 0.4], np.float32)
    cases.append({"name": "perfect", "scores": floats(s), "positives": [False, False, True, True],
                  "auc": float(roc_auc_score([0, 0, 1, 1], s))})
    cases.append({"name": "reversed", "scores": floats(s), "positives": [True, True, False, False],
                  "auc": float(roc_auc_score([1, 1, 0, 0], s))})
    big = np.finfo(np.float32).max
    s = np.array([-big, -0.0, 0.0, big, 0.0, -big], np.float32)
    y = [False, True, False, True, True, True]
    cases.append({"name": "signed_zeros_and_extremes", "scores": [float(v) for v in s], "positives": y,
                  "auc": float(roc_auc_score(y, s))})
    return cases


def multiclass_auc_cases(rng):
    cases = []
    # (name, n, classes, classes present in the labels, pool of distinct rows or None)
    specs = [
        ("three_classes", 60, 3, None, None),
        ("five_classes_tied_rows", 300, 5, None, 12),
        ("four_classes_one_absent", 80, 4, [0, 1, 2], None),
        ("four_classes_two_absent_tied", 90, 4, [1, 3], 9),
    ]
    for name, n, classes, present, pool in specs:
        present = list(range(classes)) if present is None else present
        labels = rng.choice(present, size=n)
        labels[: len(present)] = present  # every listed class appears
        logits = rng.normal(size=(n, classes)) + 1.5 * np.eye(classes)[labels]
        if pool is not None:
            # Rows drawn from a small pool: many exact ties in every column, and each row still sums to 1.
            pool_logits = rng.normal(size=(pool, classes))
            logits = pool_logits[rng.integers(0, pool, size=n)]
        probs = torch.softmax(torch.tensor(logits, dtype=torch.float32), dim=1).numpy()
        per_class = [auc_or_nan(labels == c, probs[:, c]) for c in range(classes)]
        defined = [a for a in per_class if not np.isnan(a)]
        case = {"name": name, "classes": classes, "probabilities": floats(probs), "labels": labels.tolist(),
                "per_class": floats(per_class), "macro": float(np.mean(defined)) if defined else None,
                "undefined": int(sum(np.isnan(a) for a in per_class))}
        if len(present) == classes:
            # Every class present: sklearn's own one-vs-rest must agree with the per-class binary AUCs.
            case["sklearn_ovr_none"] = floats(roc_auc_score(labels, probs, multi_class="ovr", average=None,
                                                            labels=list(range(classes))))
            case["sklearn_ovr_macro"] = float(roc_auc_score(labels, probs, multi_class="ovr", average="macro",
                                                            labels=list(range(classes))))
            assert np.allclose(case["sklearn_ovr_none"], per_class, rtol=0, atol=1e-12)
            assert abs(case["sklearn_ovr_macro"] - case["macro"]) < 1e-12
        cases.append(case)
    return cases


def multilabel_targets(rng, n, labels, missing_rate, uncertain_rate=0.0):
    t = (rng.random((n, labels)) < 0.35).astype(np.float32)
    t[rng.random((n, labels)) < uncertain_rate] = -1.0
    t[rng.random((n, labels)) < missing_rate] = np.nan
    return t


def multilabel_auc_cases(rng):
    cases = []
    n, labels = 120, 6
    targets = multilabel_targets(rng, n, labels, missing_rate=0.2)
    targets[:, 4] = np.where(np.isnan(targets[:, 4]), np.nan, 1.0)  # only positives among the known: undefined
    targets[:, 5] = np.nan  # all missing: undefined
    targets[:3, 0] = [1.0, 0.0, 1.0]
    logits = rng.normal(size=(n, labels)) + 1.2 * np.nan_to_num(targets, nan=0.0)
    scores = torch.sigmoid(torch.tensor(logits, dtype=torch.float32)).numpy()
    scores[:, 1] = np.round(scores[:, 1], 1)  # ties in one label
    per_label = []
    accuracies = []
    for j in range(labels):
        known = ~np.isnan(targets[:, j])
        per_label.append(auc_or_nan(targets[known, j] == 1, scores[known, j]))
        if known.any():
            accuracies.append(accuracy_score(targets[known, j] == 1, scores[known, j] > 0.5))
    defined = [a for a in per_label if not np.isnan(a)]
    cases.append({"name": "six_labels_missing", "labels": labels, "scores": floats(scores),
                  "targets": floats(targets), "per_label": floats(per_label),
                  "macro": float(np.mean(defined)), "undefined": int(sum(np.isnan(a) for a in per_label)),
                  "accuracy": float(np.mean(accuracies))})
    return cases


def accuracy_cases(rng):
    cases = []
    n, classes = 97, 4
    labels = rng.integers(0, classes, size=n)
    probs = torch.softmax(torch.tensor(rng.normal(size=(n, classes)) + np.eye(classes)[labels],
                                       dtype=torch.float32), dim=1).numpy()
    probs[0] = [0.25, 0.25, 0.25, 0.25]  # argmax ties: numpy takes the first maximum
    probs[1] = [0.1, 0.4, 0.4, 0.1]
    cases.append({"name": "argmax", "classes": classes, "probabilities": floats(probs), "labels": labels.tolist(),
                  "accuracy": float(accuracy_score(labels, probs.argmax(axis=1)))})
    positives = rng.random(n) < 0.4
    scores = np.clip(rng.random(n) + 0.2 * positives - 0.1, 0, 1).astype(np.float32)
    scores[:3] = 0.5  # exactly at the threshold: negative (strict >, as argmax of two equal softmax outputs)
    for threshold in (0.5, 0.7):
        cases.append({"name": f"binary_threshold_{threshold}", "scores": floats(scores),
                      "positives": positives.tolist(), "threshold": threshold,
                      "accuracy": float(accuracy_score(positives, scores > np.float32(threshold)))})
    return cases


def class_weight_cases(rng):
    cases = []
    for n, classes, probs in [(100, 2, [0.9, 0.1]), (37, 3, None), (500, 5, [0.5, 0.2, 0.15, 0.1, 0.05])]:
        labels = rng.choice(classes, size=n, p=probs)
        labels[:classes] = np.arange(classes)
        w = compute_class_weight("balanced", classes=np.arange(classes), y=labels)
        cases.append({"classes": classes, "labels": labels.tolist(), "weights": floats(w)})
    return cases


def apply_policy(t, policy):
    """CheXpert uncertainty policies (Irvin et al. 2019): U-Ignore masks -1, U-Ones maps it to 1, U-Zeros to 0."""
    t = t.copy()
    u = t == -1.0
    t[u] = {"Ignore": np.nan, "Ones": 1.0, "Zeros": 0.0}[policy]
    return t


def pos_weight_cases(rng):
    # negatives / positives per label over the known targets (the recipe in torch's BCEWithLogitsLoss docs).
    cases = []
    n, labels = 40, 4
    raw = multilabel_targets(rng, n, labels, missing_rate=0.25, uncertain_rate=0.1)
    raw[:2, :] = [[1.0] * labels, [0.0] * labels]
    for policy in ("Ignore", "Ones", "Zeros"):
        t = apply_policy(raw, policy)
        pos = np.nansum(t == 1.0, axis=0)
        neg = np.nansum(t == 0.0, axis=0)
        cases.append({"policy": policy, "labels": labels, "targets": floats(raw),
                      "weights": floats(neg / pos)})
    return cases


def cross_entropy_cases(rng):
    cases = []
    # (n, classes, weighted, label_smoothing, logit scale)
    specs = [(8, 2, False, 0.0, 1.0), (16, 3, True, 0.0, 2.0), (16, 3, False, 0.1, 2.0), (33, 5, True, 0.1, 3.0),
             (64, 4, True, 0.3, 1.0), (5, 2, True, 0.2, 40.0), (12, 6, True, 1.0, 1.0)]
    for n, classes, weighted, smoothing, scale in specs:
        logits = torch.tensor(rng.normal(size=(n, classes)) * scale, dtype=torch.float32)
        targets = torch.tensor(rng.integers(0, classes, size=n), dtype=torch.int64)
        weights = torch.tensor(rng.uniform(0.2, 3.0, size=classes), dtype=torch.float32) if weighted else None
        loss = F.cross_entropy(logits, targets, weight=weights, label_smoothing=smoothing)
        # The formula SingleLabelLoss documents (LossNLL.cpp, cross_entropy_loss_label_smoothing): both terms are
        # normalised by the weights of the targets.
        lp = F.log_softmax(logits.double(), dim=1)
        w = torch.ones(classes, dtype=torch.float64) if weights is None else weights.double()
        den = w[targets].sum()
        documented = ((1 - smoothing) * -(w[targets] * lp[torch.arange(n), targets]).sum() / den
                      + smoothing / classes * -(lp * w).sum() / den)
        assert abs(float(documented) - float(loss)) <= 1e-5 * abs(float(loss)), (float(documented), float(loss))
        cases.append({"classes": classes, "logits": floats(logits.numpy()), "targets": targets.tolist(),
                      "weights": None if weights is None else floats(weights.numpy()),
                      "label_smoothing": smoothing, "loss": float(loss)})
    return cases


def bce_cases(rng):
    cases = []
    # (n, labels, missing rate, uncertain rate, pos_weight, policy)
    specs = [(10, 3, 0.0, 0.0, False, "Ignore"), (24, 5, 0.2, 0.0, True, "Ignore"), (24, 5, 0.2, 0.15, True, "Ignore"),
             (24, 5, 0.2, 0.15, True, "Ones"), (24, 5, 0.2, 0.15, False, "Zeros"), (7, 14, 0.5, 0.2, True, "Ones")]
    for n, labels, missing, uncertain, weighted, policy in specs:
        logits = torch.tensor(rng.normal(size=(n, labels)) * 2.5, dtype=torch.float32)
        raw = multilabel_targets(rng, n, labels, missing, uncertain)
        pos_weight = torch.tensor(rng.uniform(0.5, 8.0, size=labels), dtype=torch.float32) if weighted else None
        t = torch.tensor(apply_policy(raw, policy))
        known = ~torch.isnan(t)
        elementwise = F.binary_cross_entropy_with_logits(logits, torch.nan_to_num(t, nan=0.0), pos_weight=pos_weight,
                                                         reduction="none")
        loss = elementwise[known].sum() / known.sum()
        cases.append({"labels": labels, "logits": floats(logits.numpy()), "targets": floats(raw),
                      "pos_weight": None if pos_weight is None else floats(pos_weight.numpy()), "policy": policy,
                      "loss": float(loss)})
        if missing == 0.0 and uncertain == 0.0 and not weighted:
            assert abs(float(loss) - float(F.binary_cross_entropy_with_logits(logits, t))) < 1e-6
    return cases


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    torch.manual_seed(0)
    rng = np.random.default_rng(20240607)
    doc = {
        "versions": {"sklearn": sklearn.__version__, "torch": torch.__version__, "numpy": np.__version__},
        "binary_auc": binary_auc_cases(rng),
        "multiclass_auc": multiclass_auc_cases(rng),
        "multilabel_auc": multilabel_auc_cases(rng),
        "accuracy": accuracy_cases(rng),
        "class_weights": class_weight_cases(rng),
        "pos_weights": pos_weight_cases(rng),
        "cross_entropy": cross_entropy_cases(rng),
        "bce": bce_cases(rng),
    }
    with open(os.path.join(outdir, "metrics.json"), "w") as f:
        json.dump(doc, f, allow_nan=False, indent=1)


if __name__ == "__main__":
    main()
