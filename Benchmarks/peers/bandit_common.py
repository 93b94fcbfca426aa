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
import time

import numpy as np

from peer_harness import emit, progress, quantile


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
        self.latencies = [] if measure_latency else None

    def add(self, t, action, decide_ns=None):
        self.reward += self.env.rewards[t, action]
        self.expected += self.env.probabilities[t, action]
        self.count += 1
        if decide_ns is not None and self.latencies is not None:
            self.latencies.append(decide_ns)

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
        }
        if self.latencies:
            values = sorted(self.latencies)
            record["decide_p50_ns"] = quantile(values, 0.5)
            record["decide_p99_ns"] = quantile(values, 0.99)
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


def latency_record(peer, learner, environment, decide_ns, note=None):
    """A record of decision latencies alone (the K=100, d=64 setting)."""
    values = sorted(decide_ns)
    record = {
        "peer": peer,
        "learner": learner,
        "latency_setting": f"K={environment.actions} d={environment.dimension}",
        "decisions": len(values),
        "decide_p50_ns": quantile(values, 0.5),
        "decide_p99_ns": quantile(values, 0.99),
    }
    if note:
        record["note"] = note
    return record


clock = time.perf_counter_ns
__all__ = ["Environment", "Tally", "arguments", "latency_record", "emit", "progress", "clock"]
