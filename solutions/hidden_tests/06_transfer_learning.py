"""Hidden tests of 06_transfer_learning, decided by the trusted grader (see
cs231n_utils.course.trusted).

Each case describes a network (SmallCNN, or a ProbeNet of 1 to 4 blocks with batch
normalisation and dropout in its body: the layout of SmallCNN with other layers, so that
an answer written for SmallCNN's exact layers fails) by plain data: its kind, channels,
classes, block widths and a seeded state dict. Probes run in the sandbox: they build that
network, call the student's function through the visible checks' ``run_*`` helpers of
``cs231n_utils.checks.transfer`` and send back what the function did to it, as plain data
(parameter names, ``requires_grad`` flags, values after one SGD step, the features
returned, the parameter groups by name). Judges run on the trusted side with the checks'
``judge_*`` functions and ``reveal=False``: they rebuild the network from the case and
compute what should have happened with PyTorch (the head's step from
:func:`torch.autograd.grad` on an untouched copy, ``feature_vector`` in evaluation mode).

Each test's ``call`` rebuilds, on the trusted side, the call a case made (the case's
network and arguments; the probe's report as the network after the call), so that a
failure names the catalogued mistake (``cs231n_utils/checks/catalogue/transfer.py``) that
every case's result matches.

Seeds 6400-6799 (the visible checks use 6000-6399).
"""

import numpy as np
import torch

from cs231n_utils.checks.mistakes import Call, hidden_call
from cs231n_utils.checks.transfer import (
    build_model,
    judge_extract_features,
    judge_fine_tune_param_groups,
    judge_freeze_features,
    judge_replace_head,
    random_state,
)
from cs231n_utils.course.trusted import HiddenTest

# ----------------------------------------------------------------------- helpers


def _random_spec(rng: np.random.Generator) -> dict:
    """SmallCNN half of the time, else a ProbeNet of 1 to 4 blocks of 2 to 6 channels."""
    in_channels, num_classes = int(rng.integers(1, 4)), int(rng.integers(2, 9))
    if rng.random() < 0.5:
        return {"kind": "small", "in_channels": in_channels, "num_classes": num_classes}
    widths = rng.integers(2, 7, size=int(rng.integers(1, 5)))
    return {"kind": "probe", "in_channels": in_channels, "num_classes": num_classes,
            "widths": widths}


def _flat(spec: dict, state: dict) -> dict:
    """A network as case keys: ``spec.<key>`` and ``state:<parameter or buffer>``."""
    out = {f"spec.{k}": (np.asarray(v) if not isinstance(v, str) else v)
           for k, v in spec.items()}
    out.update({f"state:{k}": v for k, v in state.items()})
    return out


def _spec(case) -> dict:
    spec = {k[len("spec."):]: case[k] for k in case if k.startswith("spec.")}
    spec["kind"] = str(spec["kind"])
    return spec


def _state(case) -> dict:
    return {k[len("state:"):]: np.asarray(case[k]) for k in case if k.startswith("state:")}


def _unflat(case) -> dict:
    """Sandbox side: the case as the checks' ``run_*`` helpers take it."""
    plain = {k: v for k, v in case.items() if not k.startswith(("spec.", "state:"))}
    return {**plain, "spec": _spec(case), "state": _state(case)}


def _model(case) -> torch.nn.Module:
    """Trusted side: the case's network, untouched (the variants of the mistake catalogue
    run on it)."""
    return build_model(_spec(case), _state(case))


def _network_case(seed: int) -> tuple[np.random.Generator, dict, dict]:
    rng = np.random.default_rng(seed)
    spec = _random_spec(rng)
    return rng, spec, random_state(spec, seed)


# ------------------------------------------------------------------ freeze_features


def freeze_cases() -> list[dict]:
    out = []
    for case in range(4):
        rng, spec, state = _network_case(6400 + case)
        n, side = int(rng.integers(2, 7)), int(rng.integers(8, 15))
        out.append({**_flat(spec, state),
                    "x": rng.normal(size=(n, spec["in_channels"], side, side)),
                    "y": rng.integers(0, spec["num_classes"], size=n)})
    return out


def probe_freeze_features(case):
    from cs231n_utils.checks.transfer import run_freeze_features
    from cs231n_utils.transfer_learning import freeze_features

    return run_freeze_features(freeze_features, _unflat(case))


def judge_freeze_features_case(case, got):
    judge_freeze_features(_spec(case), _state(case), case["x"], case["y"], got, reveal=False)


def call_freeze_features(case, got) -> Call:
    """Trusted side: the call one case made, for the mistake catalogue (the model after
    the call is the probe's report of it)."""
    return hidden_call((_model(case),), got, (got,))


# --------------------------------------------------------------------- replace_head


def replace_cases() -> list[dict]:
    out = []
    for case in range(4):
        rng, spec, state = _network_case(6500 + case)
        k = spec["num_classes"] if case == 0 else int(rng.integers(1, 12))
        out.append({**_flat(spec, state), "num_classes": np.array(k),
                    "seed": np.array(6550 + case)})
    return out


def probe_replace_head(case):
    from cs231n_utils.checks.transfer import run_replace_head
    from cs231n_utils.transfer_learning import replace_head

    return run_replace_head(replace_head, _unflat(case))


def judge_replace_head_case(case, got):
    judge_replace_head(_spec(case), _state(case), int(case["num_classes"]), got, reveal=False)


def call_replace_head(case, got) -> Call:
    return hidden_call((_model(case), int(case["num_classes"])), got,
                       (got, int(case["num_classes"])))


# ----------------------------------------------------------------- extract_features


def extract_cases() -> list[dict]:
    out = []
    for case in range(4):
        rng, spec, state = _network_case(6600 + case)
        n, side = int(rng.integers(1, 14)), int(rng.integers(8, 17))
        out.append({**_flat(spec, state), "training": np.array(case % 3 != 2),
                    "x": rng.normal(size=(n, spec["in_channels"], side, side)),
                    "batch_size": np.array(int(rng.integers(1, 6)))})
    return out


def probe_extract_features(case):
    from cs231n_utils.checks.transfer import run_extract_features
    from cs231n_utils.transfer_learning import extract_features

    return run_extract_features(extract_features, _unflat(case))


def judge_extract_features_case(case, got):
    judge_extract_features(_spec(case), _state(case), case["x"], got, reveal=False)


def call_extract_features(case, got) -> Call:
    model = _model(case).train(bool(case["training"]))
    args = (model, torch.tensor(case["x"]), int(case["batch_size"]))
    return hidden_call(args, got, (got, *args[1:]))


# ------------------------------------------------------------ fine_tune_param_groups


def fine_tune_cases() -> list[dict]:
    out = []
    for case in range(5):
        rng, spec, state = _network_case(6700 + case)
        blocks = 3 if spec["kind"] == "small" else len(spec["widths"])
        lr_head = float(10.0 ** rng.uniform(-4, -1))
        lr_body = lr_head * float(rng.uniform(0.01, 0.5))
        layers = int(rng.integers(0, blocks + 1))
        if case == 0:   # some blocks unfrozen, not all: which end they are counted from
            layers = max(1, blocks - 1)
        out.append({**_flat(spec, state), "lr_head": np.array(lr_head),
                    "lr_body": np.array(lr_body), "layers": np.array(layers),
                    "pre_frozen": np.array(case % 2 == 1)})
    return out


def probe_fine_tune_param_groups(case):
    from cs231n_utils.checks.transfer import run_fine_tune_param_groups
    from cs231n_utils.transfer_learning import fine_tune_param_groups

    return run_fine_tune_param_groups(fine_tune_param_groups, _unflat(case))


def judge_fine_tune_case(case, got):
    judge_fine_tune_param_groups(_spec(case), _state(case), float(case["lr_head"]),
                                 float(case["lr_body"]), int(case["layers"]), got,
                                 reveal=False)


def call_fine_tune(case, got) -> Call:
    model = _model(case)
    if bool(case["pre_frozen"]):
        for p in model.features.parameters():
            p.requires_grad = False
    args = (model, float(case["lr_head"]), float(case["lr_body"]), int(case["layers"]))
    return hidden_call(args, got, (got, *args[1:]))


HIDDEN_TESTS = [
    HiddenTest("freeze_features", "freeze_features", freeze_cases, probe_freeze_features,
               judge_freeze_features_case, call_freeze_features),
    HiddenTest("replace_head", "replace_head", replace_cases, probe_replace_head,
               judge_replace_head_case, call_replace_head),
    HiddenTest("extract_features", "extract_features", extract_cases,
               probe_extract_features, judge_extract_features_case, call_extract_features),
    HiddenTest("fine_tune_param_groups", "fine_tune_param_groups", fine_tune_cases,
               probe_fine_tune_param_groups, judge_fine_tune_case, call_fine_tune),
]
