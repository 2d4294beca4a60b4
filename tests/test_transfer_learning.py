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
    state = torch.random.get_rng_state()
    for check in checks.CHECKS.values():
        check()
    out = capsys.readouterr()
    assert out.out.count("PASS") == 4 and not out.err
    assert torch.equal(torch.random.get_rng_state(), state)


# ------------------------------------------------------------- wrong versions
# The usual mistakes are in the catalogue (cs231n_utils/checks/catalogue/transfer.py) and
# tests/test_mistakes.py swaps each one in; here, mistakes it does not hold get the
# judge's own message and no diagnosis.


def _freeze_returns_nothing(model):
    for p in model.features.parameters():
        p.requires_grad = False


def _head_zero_init(model, num_classes):
    model.head = nn.Linear(model.head.in_features, num_classes, dtype=model.head.weight.dtype)
    nn.init.zeros_(model.head.weight)
    return model.head


def _groups_not_a_list(model, lr_head, lr_body, layers):
    return {"params": list(model.head.parameters()), "lr": lr_head}


@pytest.mark.parametrize(("name", "wrong", "message"), [
    ("freeze_features", _freeze_returns_nothing,
     "freeze_features must return the model it was given"),
    ("replace_head", _head_zero_init, r"replace_head: the new head's weights are \(nearly\) "
     "constant"),
    ("fine_tune_param_groups", _groups_not_a_list,
     "fine_tune_param_groups must return a list of dicts"),
])
def test_mistakes_outside_the_catalogue_get_the_judges_message(monkeypatch, name, wrong,
                                                                 message):
    monkeypatch.setattr(tl, name, wrong)
    with pytest.raises(AssertionError, match=f"^{message}"):
        checks.CHECKS[name]()


def test_a_diagnosed_failure_leaves_the_random_state_alone(monkeypatch):
    from cs231n_utils.checks.catalogue.transfer import features_in_training_mode

    monkeypatch.setattr(tl, "extract_features", features_in_training_mode)
    state = torch.random.get_rng_state()
    with pytest.raises(AssertionError, match="^the features are those of the model in "
                                             "training mode"):
        checks.check_extract_features()
    assert torch.equal(torch.random.get_rng_state(), state)
