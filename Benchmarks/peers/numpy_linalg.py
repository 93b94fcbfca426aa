#!/usr/bin/env python3
"""numpy peer of `attune-bench linalg`.

Runs the same tasks at the same sizes on the very same inputs: attune-bench generates the
matrices with its seeded generator, writes them as raw little-endian float64 files and
describes them in a JSON manifest (array name -> offset in doubles and shape); this script
reads them with numpy.fromfile.

numpy calls OpenBLAS too (the build bundled in its wheel). attune-bench starts this script with
OPENBLAS_NUM_THREADS=1, as its own BLAS runs on one thread: a single-thread comparison.

What numpy runs (the strongest plain-numpy form of each task; results preallocated with
`out=` where numpy allows it):
  gemm              np.matmul(A, B, out=C)
  gemv              np.matmul(A, x, out=y)
  syr               A += np.outer(x, x)
  ger               A += np.outer(x, y)
  potrf             np.linalg.cholesky(S)
  sherman_morrison  u = Ainv @ x; Ainv -= np.outer(u, u) / (1 + x @ u); b += r * x
  ridge_update_solve  the update above, then theta = Ainv @ b and the next context z scored
                    (mean = z @ theta, variance = z @ Ainv @ z), as a LinUCB decision needs
  ridge_update_forgetting  A = 0.99 A + 0.01 I + np.outer(x, x); b = 0.99 b + r x;
                    Ainv = np.linalg.inv(A); theta = Ainv @ b (the prior is not discounted, so
                    the inverse is recomputed: Sherman-Morrison does not apply)
When scipy is importable, gemv, syr, ger and sherman_morrison are also timed through
scipy.linalg.blas (dgemv, dsyr, dger, dsymv + dsyr on Fortran-ordered arrays, in place) and
reported as `alt_peer`/`alt_peer_median_ns`.

Modes:
  --serve     read one JSON request per stdin line ({"task", "size", "budget_s", "warmup_s"}),
              answer one JSON line each (attune-bench interleaves its own timing with these)
  (default)   run every task of the manifest at every size and print JSON Lines
"""

import argparse
import itertools
import json
import os
import sys

import numpy as np

from peer_harness import emit, measure, progress

try:
    from scipy.linalg import blas as scipy_blas
except Exception:  # scipy is optional
    scipy_blas = None


# MARK: - Inputs

class Inputs:
    """The arrays of one size, read from the file attune-bench wrote."""

    def __init__(self, entry):
        raw = np.fromfile(entry["path"], dtype="<f8")
        self.arrays = {}
        for name, spec in entry["arrays"].items():
            count = int(np.prod(spec["shape"]))
            start = spec["offset"]
            self.arrays[name] = raw[start:start + count].reshape(spec["shape"])

    def copy(self, name, order="C"):
        return np.array(self.arrays[name], dtype=np.float64, order=order, copy=True)


# MARK: - Tasks

def flops(task, n):
    """Nominal floating-point operations of one call (the same counts as the Swift side)."""
    return {
        "gemm": 2.0 * n ** 3,
        "gemv": 2.0 * n * n,
        "syr": float(n * (n + 1)),
        "ger": 2.0 * n * n,
        "potrf": n ** 3 / 3.0,
        "sherman_morrison": 2.0 * n * n + n * (n + 1) + 2.0 * n,
        "ridge_update_solve": 6.0 * n * n + n * (n + 1) + 4.0 * n,
        # Attune's amortized work (see LinalgBenchmarks.swift), not numpy's O(n^3) per call.
        "ridge_update_forgetting": 6.0 * n * n + n * (n + 1) + 2.0 * n + float(n) ** 3 / 69.0,
    }[task]


def make_numpy(task, inputs, n):
    """The numpy operation of `task` and the code it runs."""
    if task == "gemm":
        a, b = inputs.copy("a"), inputs.copy("b")
        c = np.empty((n, n))
        return (lambda: np.matmul(a, b, out=c)), "np.matmul(A, B, out=C)"
    if task == "gemv":
        a, x = inputs.copy("a"), inputs.copy("x")
        y = np.empty(n)
        return (lambda: np.matmul(a, x, out=y)), "np.matmul(A, x, out=y)"
    if task == "syr":
        a, x = inputs.copy("a"), inputs.copy("x")

        def syr():
            nonlocal a
            a += np.outer(x, x)
        return syr, "A += np.outer(x, x)"
    if task == "ger":
        a, x, y = inputs.copy("a"), inputs.copy("x"), inputs.copy("y")

        def ger():
            nonlocal a
            a += np.outer(x, y)
        return ger, "A += np.outer(x, y)"
    if task == "potrf":
        s = inputs.copy("s")
        return (lambda: np.linalg.cholesky(s)), "np.linalg.cholesky(S)"
    if task in ("sherman_morrison", "ridge_update_solve"):
        pool = inputs.copy("pool")
        rewards = inputs.copy("rewards")
        count = pool.shape[0]
        rows = [(pool[i].copy(), float(rewards[i])) for i in range(count)]
        a_inv = np.eye(n)
        b = np.zeros(n)
        solve = task == "ridge_update_solve"
        index = 0

        def update():
            nonlocal a_inv, b, index
            x, r = rows[index]
            index = index + 1 if index + 1 < count else 0
            u = a_inv @ x
            a_inv -= np.outer(u, u) / (1.0 + x @ u)
            b += r * x
            if solve:
                theta = a_inv @ b
                z = rows[index][0]
                return z @ theta + z @ (a_inv @ z)
        code = "u = Ainv @ x; Ainv -= np.outer(u, u) / (1 + x @ u); b += r * x"
        return update, code + ("; theta = Ainv @ b; z @ theta + z @ (Ainv @ z)" if solve else "")
    if task == "ridge_update_forgetting":
        pool = inputs.copy("pool")
        rewards = inputs.copy("rewards")
        count = pool.shape[0]
        rows = [(pool[i].copy(), float(rewards[i])) for i in range(count)]
        a = np.eye(n)
        b = np.zeros(n)
        diagonal = np.arange(n)
        gamma = 0.99
        index = 0

        def forget():
            nonlocal a, b, index
            x, r = rows[index]
            index = index + 1 if index + 1 < count else 0
            a *= gamma
            a[diagonal, diagonal] += 1.0 - gamma
            a += np.outer(x, x)
            b *= gamma
            b += r * x
            return np.linalg.inv(a) @ b
        return forget, "A = g A + (1 - g) I + np.outer(x, x); b = g b + r x; np.linalg.inv(A) @ b"
    raise KeyError(task)


def make_scipy(task, inputs, n):
    """The scipy.linalg.blas form of `task`, or None when there is none."""
    if scipy_blas is None:
        return None
    if task == "gemv":
        a, x = inputs.copy("a", order="F"), inputs.copy("x")
        y = np.empty(n)
        return lambda: scipy_blas.dgemv(1.0, a, x, y=y, overwrite_y=True), "dgemv"
    if task == "syr":
        a, x = inputs.copy("a", order="F"), inputs.copy("x")
        return lambda: scipy_blas.dsyr(1.0, x, a=a, overwrite_a=True), "dsyr"
    if task == "ger":
        a, x, y = inputs.copy("a", order="F"), inputs.copy("x"), inputs.copy("y")
        return lambda: scipy_blas.dger(1.0, x, y, a=a, overwrite_a=True), "dger"
    if task == "sherman_morrison":
        pool = inputs.copy("pool")
        rewards = inputs.copy("rewards")
        rows = itertools.cycle([(pool[i].copy(), float(rewards[i])) for i in range(pool.shape[0])])
        a_inv = np.asfortranarray(np.eye(n))
        b = np.zeros(n)

        def update():
            x, r = next(rows)
            u = scipy_blas.dsymv(1.0, a_inv, x)
            scipy_blas.dsyr(-1.0 / (1.0 + scipy_blas.ddot(x, u)), u, a=a_inv, overwrite_a=True)
            scipy_blas.daxpy(x, b, a=r)
        return update, "dsymv + dsyr + daxpy"
    return None


# MARK: - Running

class Runner:
    def __init__(self, manifest):
        self.manifest = manifest
        self.cache = {}

    def inputs(self, n):
        if n not in self.cache:
            self.cache.clear()  # one size at a time: 2048² matrices are 32 MiB each
            self.cache[n] = Inputs(self.manifest["inputs"][str(n)])
        return self.cache[n]

    def run(self, task, n, budget_s, warmup_s):
        inputs = self.inputs(n)
        op, code = make_numpy(task, inputs, n)
        m = measure(op, budget_s=budget_s, warmup_s=warmup_s)
        work = flops(task, n)
        record = {
            "task": f"{task} n={n}" if task in ("gemm", "gemv", "syr", "ger", "potrf") else f"{task} d={n}",
            "size": n,
            "median_ns": m["median_ns"],
            "p99_ns": m["p99_ns"],
            "gflops": work / m["median_ns"],
            "samples": m["samples"],
            "batch": m["batch"],
            "peer": "numpy",
            "code": code,
        }
        alt = make_scipy(task, inputs, n)
        if alt is not None:
            alt_op, alt_code = alt
            am = measure(alt_op, budget_s=budget_s, warmup_s=warmup_s)
            record["alt_peer"] = "scipy.linalg.blas." + alt_code
            record["alt_peer_median_ns"] = am["median_ns"]
        return record


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest", required=True, help="the inputs manifest written by attune-bench")
    parser.add_argument("--serve", action="store_true", help="answer JSON requests from stdin")
    parser.add_argument("--budget", type=float, default=0.5, help="timed seconds per task (batch mode)")
    args = parser.parse_args()

    with open(args.manifest) as f:
        manifest = json.load(f)
    runner = Runner(manifest)
    config = np.__config__.CONFIG if hasattr(np.__config__, "CONFIG") else {}
    blas = config.get("Build Dependencies", {}).get("blas", {})
    hello = {"ready": True, "peer": "numpy", "numpy": np.__version__,
             "blas": f"{blas.get('name', '?')} {blas.get('version', '?')}",
             "scipy_blas": scipy_blas is not None,
             "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS")}

    if args.serve:
        emit(hello)
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            try:
                request = json.loads(line)
                emit(runner.run(request["task"], int(request["size"]),
                                float(request.get("budget_s", 0.5)), float(request.get("warmup_s", 0.05))))
            except Exception as error:  # answer, so the benchmark can report it and go on
                emit({"error": f"{type(error).__name__}: {error}"})
        return

    progress(json.dumps(hello))
    for n in manifest["sizes"]:
        for task in manifest["tasks"]:
            if n in manifest.get("skip", {}).get(task, []):
                continue
            progress(f"numpy: {task} n={n}")
            emit(runner.run(task, n, args.budget, 0.05))


if __name__ == "__main__":
    main()
