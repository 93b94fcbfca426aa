#!/usr/bin/env python3
"""scikit-learn peer of `attune-bench segmentation`.

attune-bench writes the very inputs it times itself as raw little-endian files and runs this
script once per task; the script times the scikit-learn equivalent (one fit, wall clock) and
prints one JSON line (wall seconds and process CPU seconds, all threads).

  kmeans PATH N D K SEED                 KMeans(n_clusters=K, n_init=10, init="k-means++")
                                         -> {"seconds", "inertia"}
  tree PATH LABELS N D                   DecisionTreeClassifier(max_depth=4) on int32 labels
                                         -> {"seconds", "fidelity"} (training accuracy)
  dbscan PATH N D EPS MIN_SAMPLES OUT    DBSCAN(eps, min_samples) (algorithm="auto")
                                         -> {"seconds", "clusters"}; labels written to OUT as int64
"""

import json
import sys
import time

import numpy as np


def load(path, n, d):
    return np.fromfile(path, dtype="<f8").reshape(int(n), int(d))


def main(argv):
    task = argv[1]
    if task == "kmeans":
        from sklearn.cluster import KMeans
        x = load(argv[2], argv[3], argv[4])
        start, cpu = time.perf_counter(), time.process_time()
        model = KMeans(n_clusters=int(argv[5]), n_init=10, init="k-means++", random_state=int(argv[6]) % (2**32)).fit(x)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "inertia": float(model.inertia_)}))
    elif task == "tree":
        from sklearn.tree import DecisionTreeClassifier
        x = load(argv[2], argv[4], argv[5])
        y = np.fromfile(argv[3], dtype="<i4")
        start, cpu = time.perf_counter(), time.process_time()
        model = DecisionTreeClassifier(max_depth=4, random_state=0).fit(x, y)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        fidelity = float((model.predict(x) == y).mean())
        print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "fidelity": fidelity}))
    elif task == "dbscan":
        from sklearn.cluster import DBSCAN
        x = load(argv[2], argv[3], argv[4])
        start, cpu = time.perf_counter(), time.process_time()
        model = DBSCAN(eps=float(argv[5]), min_samples=int(argv[6])).fit(x)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        model.labels_.astype("<i8").tofile(argv[7])
        print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "clusters": int(model.labels_.max() + 1)}))
    else:
        print(json.dumps({"error": "unknown task " + task}))
        return 64
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
