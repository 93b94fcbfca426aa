"""Timing harness shared by the Python peers of attune-bench.

It mirrors Benchmarks/AttuneBench/Harness.swift: a warm-up, an adaptive number of samples
within a time budget, fast calls timed in batches (so the clock's cost stays negligible) and
divided, the median and the p99 of the per-sample times, from a monotonic clock
(time.perf_counter_ns).
"""

import json
import math
import sys
import time


def quantile(sorted_values, q):
    """Nearest-rank quantile; the median of an even count averages the two middle values."""
    n = len(sorted_values)
    if n == 0:
        return float("nan")
    if q == 0.5:
        mid = n // 2
        return sorted_values[mid] if n % 2 == 1 else (sorted_values[mid - 1] + sorted_values[mid]) / 2
    rank = math.ceil(q * n)
    return sorted_values[min(n - 1, max(0, rank - 1))]


def measure(op, budget_s=0.5, warmup_s=0.05, latency=False, min_sample_ns=10_000):
    """Times op(); returns median_ns, p99_ns, samples and batch (calls per sample)."""
    clock = time.perf_counter_ns
    start = clock()
    op()
    calls = 1
    first = clock() - start
    elapsed = first
    while elapsed < warmup_s * 1e9 and calls < 1_000_000:
        op()
        calls += 1
        elapsed = clock() - start
    estimate = max(elapsed / calls if calls > 1 else first, 1)

    batch = 1 if latency else max(1, math.ceil(min_sample_ns / estimate))
    max_samples = 200_000 if latency else 5_000
    min_samples = 3 if estimate > 2e8 else 7
    samples = min(max_samples, max(min_samples, int(budget_s * 1e9 / (estimate * batch))))

    times = [0.0] * samples
    rng = range(batch)
    for s in range(samples):
        t0 = clock()
        for _ in rng:
            op()
        times[s] = (clock() - t0) / batch
    times.sort()
    return {
        "median_ns": quantile(times, 0.5),
        "p99_ns": quantile(times, 0.99),
        "samples": samples,
        "batch": batch,
    }


def emit(record):
    """Writes one JSON line to stdout and flushes (the benchmark reads it at once)."""
    sys.stdout.write(json.dumps(record, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def progress(message):
    """A progress line on stderr."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
