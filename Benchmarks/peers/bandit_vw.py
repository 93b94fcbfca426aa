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
K=10, d=20 and, with --latency-environment, at K=100 with action features: the shared line
carries 7 context features, each action line its 7 action features instead of the id, and
`-q sa` crosses them (8 x 8 = 64 joint features with VW's constants), the same model as
Attune's shared (ADF) LinUCB in that setting.
"""

import random

from vowpalwabbit import pyvw

from bandit_common import Environment, Tally, arguments, clock, cpu_clock, emit, involuntary_switches, latency_record, progress

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


def run(env, arguments_text, seed, action_lines, context_width=None):
    vw = pyvw.Workspace(arguments_text)
    rng = random.Random(seed)
    tally = Tally(env)
    contexts = env.contexts
    rewards = env.rewards
    spent = 0
    window = tally.window
    cpu_start = cpu_clock()
    start = clock()
    for t in range(env.rounds):
        unlabeled = [shared_line(contexts[t][:context_width])] + action_lines
        t0 = clock()
        example = vw.parse(unlabeled)
        t1 = clock()
        spent += t1 - t0
        # The preemption check (two rusage reads) stays outside every timed span.
        c = involuntary_switches() if t in window else 0
        t0 = clock()
        pmf = vw.predict(example)
        t1 = clock()
        spent += t1 - t0
        if t in window:
            tally.latencies.add(t1 - t0, involuntary_switches() != c)
        t0 = clock()
        vw.finish_example(example)
        a = sample(pmf, rng.random())
        r = rewards[t, a]
        t1 = clock()
        spent += t1 - t0
        labeled = list(unlabeled)
        labeled[1 + a] = f"0:{-r:g}:{pmf[a]:.17g} " + action_lines[a]
        t0 = clock()
        example = vw.parse(labeled)
        vw.learn(example)
        vw.finish_example(example)
        t1 = clock()
        spent += t1 - t0
        tally.add(t, a)
    # Thread CPU time of the loop less the (CPU-bound) text formatting left out of `spent`.
    untimed = (clock() - start) - spent
    tally.cpu_seconds = max(cpu_clock() - cpu_start - untimed, 1) / 1e9
    vw.finish()
    return tally, spent / 1e9


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
            tally, _ = run(big, text, args.seed, lines, context_width=big.action_features.shape[1])
            emit(latency_record("vw", name, big, tally.latencies,
                                note="predict on a pre-parsed example; shared line: 7 context features, action lines: "
                                     "7 action features, -q sa (VW adds the constants)"))


if __name__ == "__main__":
    main()
