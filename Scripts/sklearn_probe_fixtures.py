#!/usr/bin/env python3
"""Reference fixture for SkySearch's linear probe, k-NN and zero-shot accuracy (Tests/SkySearchTests/Fixtures/).

sklearn_probe.json: small CLIP-like embeddings (8 overlapping classes on the unit sphere of dimension 16, float32),
split into train / validation / test, and what scikit-learn and numpy compute on them:
- LogisticRegression(C, solver="lbfgs", tol=1e-10, max_iter=10000) for three C values: the test predictions and
  accuracy, the coefficients, the intercepts;
- the probe protocol SkySearch runs: each C of a grid fitted on train, the best validation accuracy chosen (the
  smaller C on a tie), refitted on train + validation, test accuracy;
- KNeighborsClassifier(n_neighbors=k, metric="cosine", algorithm="brute") for k = 1, 5, 20;
- zero-shot top-1 / top-5 accuracy of the test rows against eight class text embeddings at logit scale 100, as
  open_clip's zero-shot evaluation computes it (softmax of scaled cosine, top-k), in numpy.

Usage: pip install scikit-learn numpy && python3 Scripts/sklearn_probe_fixtures.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "SkySearchTests", "Fixtures", "sklearn_probe.json")
CLASSES, DIM = 8, 16
GRID = [0.01, 0.1, 1.0, 10.0, 100.0]


def unit(rows):
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def sample(rng, means, count):
    labels = rng.integers(0, CLASSES, size=count)
    rows = unit(means[labels] + 0.45 * rng.standard_normal((count, DIM)))
    return rows.astype(np.float32), labels


def main():
    rng = np.random.default_rng(17)
    means = unit(rng.standard_normal((CLASSES, DIM)))
    train, train_y = sample(rng, means, 400)
    val, val_y = sample(rng, means, 200)
    test, test_y = sample(rng, means, 1000)
    x, xv, xt = (a.astype(np.float64) for a in (train, val, test))
    fits = []
    for c in [0.1, 1.0, 10.0]:
        model = LogisticRegression(C=c, solver="lbfgs", tol=1e-10, max_iter=10000).fit(x, train_y)
        predicted = model.predict(xt)
        fits.append({"c": c, "accuracy": float((predicted == test_y).mean()), "predictions": predicted.tolist(),
                     "coef": model.coef_.tolist(), "intercept": model.intercept_.tolist()})
    validation = {}
    for c in GRID:
        model = LogisticRegression(C=c, solver="lbfgs", tol=1e-10, max_iter=10000).fit(x, train_y)
        validation[c] = float((model.predict(xv) == val_y).mean())
    best = max(GRID, key=lambda c: (validation[c], -c))
    refit = LogisticRegression(C=best, solver="lbfgs", tol=1e-10, max_iter=10000).fit(
        np.vstack([x, xv]), np.concatenate([train_y, val_y]))
    probe = {"grid": GRID, "validation": [validation[c] for c in GRID], "chosen": best,
             "accuracy": float((refit.predict(xt) == test_y).mean())}
    knn = []
    for k in [1, 5, 20]:
        predicted = KNeighborsClassifier(n_neighbors=k, metric="cosine", algorithm="brute").fit(x, train_y).predict(xt)
        knn.append({"k": k, "accuracy": float((predicted == test_y).mean()), "predictions": predicted.tolist()})
    text = unit(means + 0.3 * rng.standard_normal((CLASSES, DIM))).astype(np.float32)
    logits = 100.0 * unit(xt) @ unit(text.astype(np.float64)).T
    probabilities = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    order = np.argsort(-probabilities, axis=1, kind="stable")
    zero_shot = {"text": text.tolist(), "logit_scale": 100.0,
                 "top1": float((order[:, 0] == test_y).mean()),
                 "top5": float(np.any(order[:, :5] == test_y[:, None], axis=1).mean())}
    fixture = {"sklearn": sklearn.__version__, "classes": CLASSES,
               "train": train.tolist(), "train_labels": train_y.tolist(),
               "validation": val.tolist(), "validation_labels": val_y.tolist(),
               "test": test.tolist(), "test_labels": test_y.tolist(),
               "fits": fits, "probe": probe, "knn": knn, "zero_shot": zero_shot}
    with open(OUT, "w") as handle:
        json.dump(fixture, handle)
    print(f"wrote {OUT}: fits {[f['accuracy'] for f in fits]}, probe C={best} {probe['accuracy']}, "
          f"knn {[k['accuracy'] for k in knn]}, zero-shot {zero_shot['top1']:.3f}/{zero_shot['top5']:.3f}")


if __name__ == "__main__":
    main()
