"""Shared pieces of the bandit peers of `attune-bench bandits`.

attune-bench draws the environment once with its seeded generator and writes it: a JSON
description (theta, bias, metadata, optional action features) and raw little-endian float64
files for the contexts (T x d) and the per-round uniforms. Every peer reads the very same
inputs, so every learner faces the same contexts and the same realised coin flips: the reward
of action a at round t is 1 when uniforms[t] < sigmoid(theta[a] . x_t + bias[a]).

The linear learners see the context with a constant 1 appended (so they can learn the
intercepts), exactly as attune-bench feeds Attune's learners.
"""

import argparse
import json
import resource
import time

import numpy as np

from peer_harness import emit, progress, quantile

clock = time.perf_counter_ns
cpu_clock = time.thread_time_ns


class Environment:
    """The environment written by attune-bench, with the reward table precomputed."""

    def __init__(self, path, rounds=None):
        with open(path) as f:
            meta = json.load(f)
        self.meta = meta
        self.dimension = int(meta["dimension"])
        self.actions = int(meta["actions"])
        total = int(meta["rounds"])
        self.rounds = total if rounds is None else max(1, min(int(rounds), total))
        contexts = np.fromfile(meta["contexts"]["path"], dtype="<f8", count=self.rounds * self.dimension)
        self.contexts = contexts.reshape(self.rounds, self.dimension)
        self.uniforms = np.fromfile(meta["uniforms"]["path"], dtype="<f8", count=self.rounds)
        self.theta = np.asarray(meta["theta"], dtype=np.float64).reshape(self.actions, self.dimension)
        self.bias = np.asarray(meta["bias"], dtype=np.float64)
        m = int(meta.get("action_feature_dimension", 0))
        self.action_features = (np.asarray(meta["action_features"], dtype=np.float64).reshape(self.actions, m)
                                if m > 0 else np.zeros((self.actions, 0)))
        # Computed before any timing, so the peers' clocks measure the learners only.
        logits = self.contexts @ self.theta.T + self.bias
        self.probabilities = 1.0 / (1.0 + np.exp(-logits))
        self.rewards = (self.uniforms[:, None] < self.probabilities).astype(np.float64)
        self.optimal = float(self.probabilities.max(axis=1).mean())
        # Contexts with the constant feature, as Python floats/arrays ready for the learners.
        self.features = np.hstack([self.contexts, np.ones((self.rounds, 1))])


class Tally:
    """Rewards, expected rewards and decision latencies of one learner's run."""

    def __init__(self, environment, measure_latency=True):
        self.env = environment
        self.reward = 0.0
        self.expected = 0.0
        self.count = 0
        self.latencies = Latencies() if measure_latency else None
        # Thread CPU time of the timed work, in seconds (set by the peer): unlike wall time it
        # does not count the time other processes held the core.
        self.cpu_seconds = None
        # Decisions are timed in a window after a warm-up (rounds [start, stop)), as attune-bench
        # times its own after 2,000 rounds; the other rounds run without clock or rusage calls.
        start = min(2_000, environment.rounds // 10)
        self.window = range(start, min(environment.rounds, start + 20_000)) if measure_latency else range(0)

    def add(self, t, action):
        self.reward += self.env.rewards[t, action]
        self.expected += self.env.probabilities[t, action]
        self.count += 1

    def record(self, peer, learner, seconds, note=None):
        n = max(self.count, 1)
        mean = self.reward / n
        optimal = float(self.env.probabilities[:n].max(axis=1).mean())
        record = {
            "peer": peer,
            "learner": learner,
            "rounds": self.count,
            "average_reward": mean,
            "reward_ci_half_width": 1.96 * (mean * (1 - mean) / n) ** 0.5,
            "average_expected_reward": self.expected / n,
            "optimal_average_reward": optimal,
            "regret_per_round": optimal - self.expected / n,
            "seconds": seconds,
            "rounds_per_second": self.count / seconds if seconds > 0 else None,
            "cpu_seconds": self.cpu_seconds,
            "rounds_per_cpu_second": self.count / self.cpu_seconds if self.cpu_seconds else None,
        }
        if self.latencies is not None and self.latencies.count:
            record.update(self.latencies.fields())
            record["latency_setting"] = f"K={self.env.actions} d={self.env.dimension}"
        if note:
            record["note"] = note
        return record


def arguments(description, default_rounds):
    """The command line every bandit peer shares."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--environment", required=True, help="environment.json written by attune-bench")
    parser.add_argument("--latency-environment", help="a second environment (K=100, d=64) for decision latency only")
    parser.add_argument("--rounds", type=int, default=default_rounds, help="cap on the rounds run (a prefix of the environment)")
    parser.add_argument("--latency-rounds", type=int, default=2000, help="decisions timed on the latency environment")
    parser.add_argument("--seed", type=int, default=20240601, help="seed of the peer's own sampling")
    return parser.parse_args()


def involuntary_switches():
    """Involuntary context switches of this thread so far (Linux RUSAGE_THREAD)."""
    return resource.getrusage(RUSAGE_THREAD).ru_nivcsw


RUSAGE_THREAD = getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF)


class Latencies:
    """Decision times, with the decisions during which the scheduler preempted the thread
    (an involuntary context switch, read outside the timed span) set apart: on a loaded
    machine those measure the other processes, not the learner."""

    def __init__(self):
        self.all = []
        self.clean = []

    @property
    def count(self):
        return len(self.all)

    def add(self, nanoseconds, preempted):
        self.all.append(nanoseconds)
        if not preempted:
            self.clean.append(nanoseconds)

    def fields(self):
        values = sorted(self.all)
        clean = sorted(self.clean)
        return {
            "decisions_timed": len(values),
            "decide_p50_ns": quantile(values, 0.5),
            "decide_p99_ns": quantile(values, 0.99),
            "decide_p99_ns_unpreempted": quantile(clean, 0.99),
            "preempted_decisions": len(values) - len(clean),
        }


def timed(decide, x, latencies):
    """decide(x), timed, with the preemption check around the timed span."""
    c0 = involuntary_switches()
    t0 = clock()
    a = decide(x)
    t1 = clock()
    latencies.add(t1 - t0, involuntary_switches() != c0)
    return a


def latency_record(peer, learner, environment, latencies, note=None):
    """A record of decision latencies alone (the K=100, d=64 setting)."""
    record = {
        "peer": peer,
        "learner": learner,
        "latency_setting": f"K={environment.actions} d={environment.dimension}",
    }
    record.update(latencies.fields())
    if note:
        record["note"] = note
    return record


__all__ = ["Environment", "Tally", "Latencies", "arguments", "latency_record", "timed", "emit", "progress", "clock", "cpu_clock"]
