#!/usr/bin/env python3
"""Open Bandit Pipeline (OBP) peer of `attune-bench evaluation`.

attune-bench writes a seeded decision log (Attune JSON Lines, with `target_probabilities`)
and the reward-model predictions Attune fitted on it (raw little-endian float64, n x K).
For each request this script does the same work with OBP 0.5, on the very same files:

  load        read the JSON Lines with the json module into numpy arrays
  estimators  OBP's DM, IPW (and clipped), SNIPW, DR, SNDR, Switch-DR and DR-os on Attune's
              predictions, for value agreement
  model       OBP's RegressionModel with scikit-learn's LogisticRegression, 3-fold
              cross-fitting (fit_predict), then DR on OBP's own predictions, for accuracy
  bootstrap   estimate_interval with n_bootstrap_samples bootstrap replicates for IPW, SNIPW
              and DR

OBP's package imports PyTorch for its neural policies and declares Python < 3.11; none of the
OPE code timed here touches either. The script therefore loads `obp.ope.estimators` and
`obp.ope.regression_model` directly (without `obp/__init__.py`, which pulls in the policy
learners) and gives `obp.utils` an inert stand-in for its top-level `import torch`, rather
than installing PyTorch (about 2 GB) on the benchmark machine.

Protocol (--serve): one hello line, then one JSON request per stdin line
({"log", "predictions", "k", "bootstrap", "seed", "clip", "switch", "lambda"}), one JSON answer
line each. A request with "mode": "dr_own" ({"log", "k", "seed"}) does only load, model and
DR on OBP's own predictions, for the accuracy study over many logs.
"""

import argparse
import importlib
import importlib.util
import json
import os
import sys
import time
import types

import numpy as np

from peer_harness import emit, progress


def load_obp():
    """Imports OBP's OPE modules without its policy learners (see the module docstring)."""
    spec = importlib.util.find_spec("obp")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("obp is not installed")
    root = list(spec.submodule_search_locations)[0]
    if "torch" not in sys.modules:
        torch = types.ModuleType("torch")

        class Tensor:  # only referenced in annotations and isinstance checks of tensor helpers
            pass

        torch.Tensor = Tensor
        torch.tensor = Tensor
        sys.modules["torch"] = torch
    for name, path in (("obp", root), ("obp.ope", os.path.join(root, "ope"))):
        module = types.ModuleType(name)
        module.__path__ = [path]
        sys.modules[name] = module
    estimators = importlib.import_module("obp.ope.estimators")
    regression = importlib.import_module("obp.ope.regression_model")
    version = importlib.import_module("obp.version").__version__
    return estimators, regression, version


def read_log(path, k):
    """The log's arrays, read line by line with the json module (OBP's own loaders expect
    its dataset classes; this is the plain way to bring a JSON Lines log into numpy)."""
    contexts, actions, rewards, pscores, targets = [], [], [], [], []
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            contexts.append(row["context"])
            actions.append(row["action"])
            rewards.append(row["reward"])
            pscores.append(row["propensity"])
            targets.append(row["target_probabilities"])
    return (
        np.asarray(contexts, dtype=float),
        np.asarray(actions, dtype=int),
        np.asarray(rewards, dtype=float),
        np.asarray(pscores, dtype=float),
        np.asarray(targets, dtype=float).reshape(-1, k, 1),
    )


class Laps:
    """Wall-clock and CPU (all threads of this process) seconds since the previous lap."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self):
        wall, cpu = time.perf_counter(), time.process_time()
        result = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return result


def serve(estimators, regression):
    from sklearn.linear_model import LogisticRegression

    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            k = int(request["k"])
            laps = Laps()
            context, action, reward, pscore, action_dist = read_log(request["log"], k)
            load_s, load_cpu = laps.lap()
            n = reward.shape[0]
            if request.get("mode") == "dr_own":
                # Accuracy study: only OBP's DR with its default reward model on this log.
                laps.lap()
                model = regression.RegressionModel(n_actions=k, len_list=1, base_model=LogisticRegression(), fitting_method="normal")
                own = model.fit_predict(context=context, action=action, reward=reward, n_folds=3, random_state=int(request["seed"]))
                model_s, _ = laps.lap()
                dr_own = float(estimators.DoublyRobust().estimate_policy_value(
                    reward=reward, action=action, pscore=pscore, action_dist=action_dist,
                    estimated_rewards_by_reg_model=own, position=None))
                emit({"n": n, "load_s": load_s, "model_s": model_s, "dr_own_model": dr_own})
                continue
            q = np.fromfile(request["predictions"], dtype="<f8").reshape(n, k, 1)

            named = {
                "dm": estimators.DirectMethod(),
                "ips": estimators.InverseProbabilityWeighting(),
                "clipped_ips": estimators.InverseProbabilityWeighting(lambda_=float(request["clip"])),
                "snips": estimators.SelfNormalizedInverseProbabilityWeighting(),
                "dr": estimators.DoublyRobust(),
                "sndr": estimators.SelfNormalizedDoublyRobust(),
                "switch_dr": estimators.SwitchDoublyRobust(lambda_=float(request["switch"])),
                "dr_os": estimators.DoublyRobustWithShrinkage(lambda_=float(request["lambda"])),
            }
            inputs = dict(reward=reward, action=action, pscore=pscore, action_dist=action_dist,
                          estimated_rewards_by_reg_model=q, position=None)
            laps.lap()
            values = {name: float(e.estimate_policy_value(**inputs)) for name, e in named.items()}
            estimators_s, estimators_cpu = laps.lap()

            model = regression.RegressionModel(n_actions=k, len_list=1, base_model=LogisticRegression(), fitting_method="normal")
            own = model.fit_predict(context=context, action=action, reward=reward, n_folds=3, random_state=int(request["seed"]))
            model_s, model_cpu = laps.lap()
            own_inputs = dict(inputs, estimated_rewards_by_reg_model=own)
            dr_own = float(estimators.DoublyRobust().estimate_policy_value(**own_inputs))

            bootstrap = int(request["bootstrap"])
            intervals = {}
            laps.lap()
            if bootstrap > 0:
                for name in ("ips", "snips", "dr"):
                    ci = named[name].estimate_interval(**inputs, n_bootstrap_samples=bootstrap, random_state=int(request["seed"]))
                    intervals[name] = [float(v) for v in ci.values()]
            bootstrap_s, bootstrap_cpu = laps.lap()
            emit({"n": n, "load_s": load_s, "estimators_s": estimators_s, "model_s": model_s,
                  "bootstrap_s": bootstrap_s, "load_cpu_s": load_cpu, "estimators_cpu_s": estimators_cpu,
                  "model_cpu_s": model_cpu, "bootstrap_cpu_s": bootstrap_cpu,
                  "values": values, "dr_own_model": dr_own, "intervals": intervals})
        except Exception as error:  # report, keep serving
            emit({"error": f"{type(error).__name__}: {error}"})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help="answer JSON requests on stdin")
    args = parser.parse_args()
    try:
        estimators, regression, version = load_obp()
    except Exception as error:
        emit({"error": f"cannot import OBP: {error}"})
        return 1
    import sklearn
    emit({"obp": version, "numpy": np.__version__, "sklearn": sklearn.__version__,
          "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS", "")})
    if args.serve:
        serve(estimators, regression)
    return 0


if __name__ == "__main__":
    sys.exit(main())
