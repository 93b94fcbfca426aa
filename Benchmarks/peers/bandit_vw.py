#!/usr/bin/env python3
"""Vowpal Wabbit peer of `attune-bench bandits`.

VW's contextual-bandit reduction with action-dependent features, `--cb_explore_adf`, through
its Python bindings (pyvw), with two explorers over VW's online regressor:

    --cb_explore_adf --squarecb         -q sa --quiet   (SquareCB, Foster & Rakhlin 2020)
    --cb_explore_adf --epsilon 0.05     -q sa --quiet   (epsilon-greedy)

Each round is one multi-line example: a shared line with the d context features and one line
per action carrying the action's id; `-q sa` crosses them, so VW learns one linear model per
action (plus the action's intercept), the same model class as disjoint LinUCB. The cost is
minus the reward. Per round: parse the unlabeled example, predict the PMF, sample from it
with the peer's seeded generator, parse the labeled example (chosen line
`0:<cost>:<probability>`), learn. The example text is formatted outside the timed part
(string formatting is Python's cost, not VW's); parsing, prediction, sampling and learning are
timed.

Decision latency is the time of `predict` on an already parsed example (pre-parsed), at
K=10, d=20 and, with --latency-environment, at K=100, d=64 where the action lines carry the
64 action features instead of the id (shared x crossed with the action features).
"""

import random

from vowpalwabbit import pyvw

from bandit_common import Environment, Tally, arguments, clock, emit, latency_record, progress

LEARNERS = [
    ("squarecb", "--cb_explore_adf --squarecb -q sa --quiet"),
    ("epsilon 0.05", "--cb_explore_adf --epsilon 0.05 -q sa --quiet"),
]


def shared_line(x):
    return "shared |s " + " ".join(f"{j}:{v:.17g}" for j, v in enumerate(x))


def id_action_lines(actions):
    return [f"|a k{k}" for k in range(actions)]


def feature_action_lines(features):
    return ["|a " + " ".join(f"{j}:{v:.17g}" for j, v in enumerate(row)) for row in features]


def sample(pmf, u):
    cumulative = 0.0
    last = 0
    for i, p in enumerate(pmf):
        if p > 0:
            cumulative += p
            last = i
            if u < cumulative:
                return i
    return last


def run(env, arguments_text, seed, action_lines):
    vw = pyvw.Workspace(arguments_text)
    rng = random.Random(seed)
    tally = Tally(env)
    contexts = env.contexts
    rewards = env.rewards
    timed = 0
    for t in range(env.rounds):
        shared = shared_line(contexts[t])
        unlabeled = [shared] + action_lines
        t0 = clock()
        example = vw.parse(unlabeled)
        t1 = clock()
        pmf = vw.predict(example)
        t2 = clock()
        vw.finish_example(example)
        a = sample(pmf, rng.random())
        r = rewards[t, a]
        t3 = clock()
        labeled = list(unlabeled)
        labeled[1 + a] = f"0:{-r:g}:{pmf[a]:.17g} " + action_lines[a]
        t4 = clock()
        example = vw.parse(labeled)
        vw.learn(example)
        vw.finish_example(example)
        t5 = clock()
        timed += (t3 - t0) + (t5 - t4)
        tally.add(t, a, t2 - t1)
    vw.finish()
    return tally, timed / 1e9


def main():
    args = arguments(__doc__, default_rounds=1_000_000)
    env = Environment(args.environment, args.rounds)
    big = Environment(args.latency_environment, args.latency_rounds) if args.latency_environment else None
    for name, text in LEARNERS:
        progress(f"vw {name}: {env.rounds} rounds")
        tally, seconds = run(env, text, args.seed, id_action_lines(env.actions))
        emit(tally.record("vw", name, seconds,
                          note="pyvw; seconds = parse + predict + sample + parse + learn (text formatting excluded); "
                               "decide latency = predict on a pre-parsed example"))
        if big is not None:
            progress(f"vw {name}: decision latency at K={big.actions} d={big.dimension}")
            lines = feature_action_lines(big.action_features)
            tally, _ = run(big, text, args.seed, lines)
            emit(latency_record("vw", name, big, tally.latencies,
                                note="predict on a pre-parsed example; action lines carry 64 action features, -q sa"))


if __name__ == "__main__":
    main()
