#!/usr/bin/env python3
"""MABWiser peer of `attune-bench bandits`.

MABWiser's LinUCB (disjoint ridge models per arm) fed one event at a time, as a live system
would: `predict` on the round's context, then `partial_fit` with the chosen arm and its reward.
The learner is fitted on one round per arm first (MABWiser cannot predict before `fit`); those
warm-up rounds count in the averages like any other.

MABWiser runs a few hundred events per second this way, so it runs on a prefix of the
environment (--rounds, 20,000 by default) and says so in its output: its average reward is then
that of a shorter horizon (less time to learn), compared with the optimum over the same prefix.

The learner sees the context with a constant 1 appended, like every linear learner of the
benchmark; alpha = 0.5 and l2 regularisation 1, as the numpy LinUCB.
"""

import numpy as np
from mabwiser.mab import MAB, LearningPolicy

from bandit_common import Environment, Tally, arguments, clock, cpu_clock, emit, latency_record, progress, timed

ALPHA = 0.5


def make(actions, seed):
    return MAB(arms=list(range(actions)), learning_policy=LearningPolicy.LinUCB(alpha=ALPHA, l2_lambda=1.0), seed=seed)


def run(env, seed):
    mab = make(env.actions, seed)
    tally = Tally(env)
    features = env.features
    rewards = env.rewards
    warm = min(env.actions, env.rounds)
    cpu_start = cpu_clock()
    start = clock()
    arms = list(range(warm))
    mab.fit(decisions=arms, rewards=[rewards[t, t] for t in range(warm)], contexts=features[:warm])
    for t in range(warm):
        tally.add(t, t)
    window = tally.window
    for t in range(warm, env.rounds):
        x = features[t:t + 1]
        a = int(timed(mab.predict, x, tally.latencies) if t in window else mab.predict(x))
        mab.partial_fit(decisions=[a], rewards=[rewards[t, a]], contexts=x)
        tally.add(t, a)
    seconds = (clock() - start) / 1e9
    tally.cpu_seconds = (cpu_clock() - cpu_start) / 1e9
    return tally, seconds


def main():
    args = arguments(__doc__, default_rounds=20_000)
    env = Environment(args.environment, args.rounds)
    progress(f"mabwiser LinUCB: {env.rounds} rounds (a prefix; MABWiser is slow per event)")
    tally, seconds = run(env, args.seed)
    emit(tally.record("mabwiser", f"linucb alpha={ALPHA}", seconds,
                      note=f"per-event predict + partial_fit on a prefix of {env.rounds} rounds"))
    if args.latency_environment:
        big = Environment(args.latency_environment, min(args.latency_rounds, 500))
        progress(f"mabwiser LinUCB: decision latency at K={big.actions} d={big.dimension}")
        tally, _ = run(big, args.seed)
        emit(latency_record("mabwiser", f"linucb alpha={ALPHA}", big, tally.latencies,
                            note="disjoint models over the context; predict timed alone"))


if __name__ == "__main__":
    main()
