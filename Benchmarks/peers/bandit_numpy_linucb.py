#!/usr/bin/env python3
"""numpy LinUCB peer of `attune-bench bandits`.

Disjoint LinUCB (one ridge model per action, Li et al. 2010), written in plain numpy the
strongest way we know: the K inverse Gram matrices stacked in one (K, D, D) array, every
action's upper confidence bound from one batched matmul, Sherman-Morrison rank-one updates of
the chosen action's inverse (reusing A_inv x from the decision), the coefficients kept current
after each update. D = d + 1 (the context plus a constant feature).

    decide:  s_k = theta_k . x + alpha * sqrt(x' A_k^-1 x),  a = argmax_k s_k
    learn:   u = A_a^-1 x;  A_a^-1 -= u u' / (1 + x' u);  b_a += r x;  theta_a = A_a^-1 b_a

Prints one JSON line for the run on the environment (reward, throughput, decision latency at
K=10, d=20) and, with --latency-environment, one line of decision latency at K=100, d=64.
"""

import numpy as np

from bandit_common import Environment, Tally, arguments, clock, cpu_clock, emit, latency_record, progress, timed


class LinUCB:
    def __init__(self, actions, dimension, alpha, ridge=1.0):
        self.alpha = alpha
        self.a_inv = np.repeat(np.eye(dimension)[None, :, :] / ridge, actions, axis=0)
        self.b = np.zeros((actions, dimension))
        self.theta = np.zeros((actions, dimension))
        self.ax = np.zeros((actions, dimension))

    def decide(self, x):
        np.matmul(self.a_inv, x, out=self.ax)
        width = np.sqrt(np.maximum(self.ax @ x, 0.0))
        return int(np.argmax(self.theta @ x + self.alpha * width))

    def learn(self, action, x, reward):
        u = self.ax[action]  # A_a^-1 x from the decision; A_a^-1 has not changed since
        a_inv = self.a_inv[action]
        a_inv -= np.outer(u, u) / (1.0 + x @ u)
        self.b[action] += reward * x
        self.theta[action] = a_inv @ self.b[action]


def run(env, alpha, measure_latency=True):
    learner = LinUCB(env.actions, env.dimension + 1, alpha)
    tally = Tally(env, measure_latency)
    features = env.features
    rewards = env.rewards
    window = tally.window
    decide = learner.decide
    cpu_start = cpu_clock()
    start = clock()
    for t in range(env.rounds):
        x = features[t]
        a = timed(decide, x, tally.latencies) if t in window else decide(x)
        learner.learn(a, x, rewards[t, a])
        tally.add(t, a)
    seconds = (clock() - start) / 1e9
    tally.cpu_seconds = (cpu_clock() - cpu_start) / 1e9
    return tally, seconds


def main():
    args = arguments(__doc__, default_rounds=1_000_000)
    env = Environment(args.environment, args.rounds)
    alpha = 0.5
    progress(f"numpy LinUCB: {env.rounds} rounds, alpha={alpha}")
    tally, seconds = run(env, alpha)
    emit(tally.record("numpy", f"linucb alpha={alpha}", seconds,
                      note="decisions timed on 20,000 rounds after a warm-up"))
    if args.latency_environment:
        big = Environment(args.latency_environment, args.latency_rounds)
        progress(f"numpy LinUCB: decision latency at K={big.actions} d={big.dimension}")
        tally, _ = run(big, alpha)
        emit(latency_record("numpy", f"linucb alpha={alpha}", big, tally.latencies,
                            note="disjoint models over the context; decide timed alone, after each learn"))


if __name__ == "__main__":
    main()
