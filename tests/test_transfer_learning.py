"""Assignment 06_transfer_learning: the solutions of ``transfer_learning.py`` against what
PyTorch does with the same network, the argument errors, and the visible checks: they
pass on the solutions and name the mistake of each wrong version below."""

import copy

import pytest
import torch
from torch import nn

from cs231n_utils import transfer_learning as tl
from cs231n_utils.checks import transfer as checks
from cs231n_utils.small_cnn import SmallCNN


@pytest.fixture
def model():
    torch.manual_seed(0)
    return SmallCNN(num_classes=5).double()


def test_freeze_features_stops_the_body_and_leaves_the_head_trainable(model):
    before = copy.deepcopy(model.state_dict())
    assert tl.freeze_features(model) is model
    optimiser = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(4, 1, 28, 28, dtype=torch.float64), torch.tensor([0, 1, 2, 3])
    nn.functional.cross_entropy(model(x), y).backward()
    optimiser.step()
    for name, p in model.named_parameters():
        if name.startswith("features."):
            assert p.grad is None and torch.equal(p, before[name])
        else:
            assert p.requires_grad and not torch.equal(p, before[name])


def test_replace_head_keeps_the_features_length_and_the_dtype(model):
    head = tl.replace_head(model, 10)
    assert head is model.head and head.weight.shape == (10, 64)
    assert head.weight.dtype == torch.float64 and head.weight.requires_grad
    assert model(torch.zeros(2, 1, 28, 28, dtype=torch.float64)).shape == (2, 10)


def test_extract_features_equals_the_forward_in_eval_mode_and_restores_the_mode(model):
    x = torch.randn(13, 1, 28, 28, dtype=torch.float64)
    model.train()
    features = tl.extract_features(model, x, batch_size=5)
    with torch.no_grad():
        want = model.eval().feature_vector(x)
    assert not features.requires_grad and torch.allclose(features, want, rtol=0, atol=1e-12)
    model.train()
    tl.extract_features(model, x)
    assert model.training


@pytest.mark.parametrize("layers", [0, 1, 2, 3])
def test_fine_tune_groups_train_the_head_and_the_top_blocks(model, layers):
    groups = tl.fine_tune_param_groups(model, 1e-3, 1e-4, layers)
    assert [g["lr"] for g in groups] == [1e-3] + ([1e-4] if layers else [])
    trainable = {id(p) for p in model.parameters() if p.requires_grad}
    in_groups = [id(p) for g in groups for p in g["params"]]
    assert sorted(in_groups) == sorted(trainable)
    top = [p for block in list(model.features)[3 - layers:] for p in block.parameters()]
    assert {id(p) for p in top} | {id(p) for p in model.head.parameters()} == trainable
    torch.optim.Adam(groups)  # an optimiser accepts them


@pytest.mark.parametrize(("call", "message"), [
    (lambda m: tl.freeze_features(nn.Linear(2, 2)), "features"),
    (lambda m: tl.replace_head(m, 0), "num_classes must be a positive integer"),
    (lambda m: tl.extract_features(m, torch.zeros(2, 28, 28)), "X must be a 4-D"),
    (lambda m: tl.extract_features(m, torch.zeros(2, 1, 8, 8), batch_size=0), "batch_size"),
    (lambda m: tl.fine_tune_param_groups(m, 1e-4, 1e-3, 1), "lr_body .* must not exceed"),
    (lambda m: tl.fine_tune_param_groups(m, 1e-3, 1e-4, 4), "layers_to_unfreeze must be"),
    (lambda m: tl.fine_tune_param_groups(m, 0, 0, 1), "lr_head must be a number > 0"),
])
def test_bad_arguments_are_named(model, call, message):
    with pytest.raises(ValueError, match=message):
        call(model)


def test_the_checks_pass_on_the_solutions(capsys):
    for check in checks.CHECKS.values():
        check()
    out = capsys.readouterr()
    assert out.out.count("PASS") == 4 and not out.err


# ------------------------------------------------------------- wrong versions


def _freeze_first_block_only(model):
    for p in model.features[0].parameters():
        p.requires_grad = False
    return model


def _freeze_everything(model):
    for p in model.parameters():
        p.requires_grad = False
    return model


def _freeze_with_eval(model):
    model.eval()
    return model


def _head_without_setting(model, num_classes):
    return nn.Linear(model.head.in_features, num_classes).to(model.head.weight.dtype)


def _head_float32(model, num_classes):
    model.head = nn.Linear(model.head.in_features, num_classes)
    return model.head


def _head_hardcoded_64(model, num_classes):
    model.head = nn.Linear(64, num_classes).to(model.head.weight.dtype)
    return model.head


def _features_in_train_mode(model, X, batch_size=256):
    with torch.no_grad():
        return model.feature_vector(X)


def _features_with_graph(model, X, batch_size=256):
    model.eval()
    out = model.feature_vector(X)
    model.train()
    return out


def _features_drop_last(model, X, batch_size=256):
    model.eval()
    with torch.no_grad():
        parts = [model.feature_vector(X[s:s + batch_size])
                 for s in range(0, len(X) - batch_size + 1, batch_size)]
    model.train()
    return torch.cat(parts)


def _features_mode_not_restored(model, X, batch_size=256):
    model.eval()
    with torch.no_grad():
        return model.feature_vector(X)


RIGHT_GROUPS = tl.fine_tune_param_groups


def _groups_swapped(model, lr_head, lr_body, layers):
    groups = RIGHT_GROUPS(model, lr_head, lr_body, layers)
    for g, lr in zip(groups, (lr_body, lr_head), strict=False):
        g["lr"] = lr
    return groups


def _groups_bottom_blocks(model, lr_head, lr_body, layers):
    tl.freeze_features(model)
    body = [p for block in list(model.features)[:layers] for p in block.parameters()]
    for p in body:
        p.requires_grad = True
    groups = [{"params": list(model.head.parameters()), "lr": lr_head}]
    return groups + ([{"params": body, "lr": lr_body}] if body else [])


def _groups_body_not_refrozen(model, lr_head, lr_body, layers):
    top = [p for block in list(model.features)[len(model.features) - layers:]
           for p in block.parameters()] if layers else []
    groups = [{"params": list(model.head.parameters()), "lr": lr_head}]
    return groups + ([{"params": top, "lr": lr_body}] if top else [])


@pytest.mark.parametrize(("name", "wrong", "check", "message"), [
    ("freeze_features", _freeze_first_block_only, checks.check_freeze_features,
     "only the first block was frozen"),
    ("freeze_features", _freeze_everything, checks.check_freeze_features,
     "the head must stay trainable"),
    ("freeze_features", _freeze_with_eval, checks.check_freeze_features,
     "model.eval\\(\\) does not freeze"),
    ("replace_head", _head_without_setting, checks.check_replace_head,
     "set it as model.head"),
    ("replace_head", _head_float32, checks.check_replace_head, "dtype"),
    ("replace_head", _head_hardcoded_64, checks.check_replace_head,
     "keep the old head's in_features"),
    ("extract_features", _features_in_train_mode, checks.check_extract_features,
     "model.eval\\(\\)"),
    ("extract_features", _features_with_graph, checks.check_extract_features,
     "torch.no_grad"),
    ("extract_features", _features_drop_last, checks.check_extract_features,
     "last, partial batch"),
    ("extract_features", _features_mode_not_restored, checks.check_extract_features,
     "restore it"),
    ("fine_tune_param_groups", _groups_swapped, checks.check_fine_tune_param_groups,
     "swapped"),
    ("fine_tune_param_groups", _groups_bottom_blocks, checks.check_fine_tune_param_groups,
     "count the blocks from the end"),
    ("fine_tune_param_groups", _groups_body_not_refrozen, checks.check_fine_tune_param_groups,
     "every other block frozen"),
])
def test_each_check_names_the_mistake(monkeypatch, name, wrong, check, message):
    monkeypatch.setattr(tl, name, wrong)
    with pytest.raises(AssertionError, match=message):
        check()
