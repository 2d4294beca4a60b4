"""Tests of cs231n_utils.transfer_tools against independent oracles.

torch.optim.Adam on full batches written out here, SciPy's distances, scikit-learn's PCA,
adaptive average pooling written as explicit means over windows, and hand counts.
"""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist
from sklearn.decomposition import PCA
from torch import nn
from torch.nn import functional as F

from cs231n_utils.small_cnn import SmallCNN
from cs231n_utils.transfer_tools import (
    block_features,
    budget_table,
    fold_feature_norm,
    label_budget_study,
    nearest_neighbours,
    pca_project,
    plot_label_budgets,
    summarise_runs,
    train_classifier,
    with_feature_norm,
)


def blobs(n_per_class=20, classes=3, dim=4, seed=0, spread=0.5):
    """Gaussian blobs around well separated centres: (X float32, y int64)."""
    g = torch.Generator().manual_seed(seed)
    centres = 3.0 * torch.randn(classes, dim, generator=g)
    y = torch.arange(classes).repeat_interleave(n_per_class)
    X = centres[y] + spread * torch.randn(len(y), dim, generator=g)
    return X, y


# ------------------------------------------------------------------ train_classifier

def test_train_classifier_full_batch_matches_adam_written_out():
    X, y = blobs()
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    oracle = nn.Linear(4, 3)
    oracle.load_state_dict(model.state_dict())
    opt = torch.optim.Adam(oracle.parameters(), lr=0.05)
    for _ in range(7):  # one full batch per epoch: the order cannot matter
        loss = F.cross_entropy(oracle(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    history = train_classifier(model, X, y, epochs=7, lr=0.05, batch_size=len(X))
    for got, want in zip(model.parameters(), oracle.parameters(), strict=True):
        torch.testing.assert_close(got, want)
    assert history["steps"] == 7 and history["epochs_run"] == 7 and history["best_epoch"] == 7
    assert len(history["loss"]) == 7 and history["seconds"] >= 0


def test_train_classifier_same_minibatches_for_images_and_their_features():
    """A frozen body + head on inputs trains like the head alone on the body's outputs."""
    X, y = blobs(n_per_class=15, dim=6)
    torch.manual_seed(1)
    body = nn.Linear(6, 5)
    for p in body.parameters():
        p.requires_grad = False
    head = nn.Linear(5, 3)
    whole = nn.Sequential(body, nn.ReLU(), head)
    alone = nn.Linear(5, 3)
    alone.load_state_dict(head.state_dict())
    with torch.no_grad():
        features = torch.relu(body(X))
    h1 = train_classifier(whole, X, y, epochs=4, lr=0.01, batch_size=8, seed=3)
    h2 = train_classifier(alone, features, y, epochs=4, lr=0.01, batch_size=8, seed=3)
    torch.testing.assert_close(head.weight, alone.weight)
    torch.testing.assert_close(head.bias, alone.bias)
    np.testing.assert_allclose(h1["loss"], h2["loss"], rtol=1e-5)
    assert h1["steps"] == 4 * math.ceil(45 / 8)


def test_train_classifier_param_groups_and_frozen_parameters():
    X, y = blobs()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 3))
    before = [p.detach().clone() for p in model.parameters()]
    groups = [{"params": list(model[2].parameters()), "lr": 0.01}]
    train_classifier(model, X, y, epochs=2, param_groups=groups, batch_size=16)
    after = list(model.parameters())
    assert torch.equal(before[0], after[0]) and torch.equal(before[1], after[1])
    assert not torch.equal(before[2], after[2])


def test_train_classifier_min_steps_raises_the_epochs():
    X, y = blobs(n_per_class=4)  # 12 examples, batches of 5: 3 steps per epoch
    history = train_classifier(nn.Linear(4, 3), X, y, epochs=1, batch_size=5, min_steps=10)
    assert history["epochs_run"] == 4 and history["steps"] == 12


def test_train_classifier_keeps_the_best_epoch():
    X, y = blobs(n_per_class=30, spread=2.0, seed=2)
    X_val, y_val = blobs(n_per_class=10, spread=2.0, seed=2)
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    history = train_classifier(model, X, y, epochs=12, lr=0.3, batch_size=16,
                               X_val=X_val, y_val=y_val)
    val = np.array(history["val_acc"])
    assert len(val) == 12
    assert history["best_epoch"] == int(np.argmax(val)) + 1  # the first best
    with torch.no_grad():
        held = (model(X_val).argmax(1) == y_val).double().mean().item()
    assert held == pytest.approx(val.max())


def test_train_classifier_patience_stops_early_but_not_before_min_steps():
    X, y = blobs(n_per_class=10, spread=0.1)
    X_val, y_val = X.clone(), y.clone()  # perfect from early on: nothing improves later
    model = nn.Linear(4, 3)
    torch.manual_seed(0)
    history = train_classifier(model, X, y, epochs=50, lr=0.5, batch_size=30,
                               X_val=X_val, y_val=y_val, patience=2)
    best = history["best_epoch"]
    assert history["epochs_run"] == best + 2 < 50
    torch.manual_seed(0)
    model = nn.Linear(4, 3)
    history = train_classifier(model, X, y, epochs=50, lr=0.5, batch_size=30,
                               X_val=X_val, y_val=y_val, patience=2, min_steps=20)
    assert history["epochs_run"] == 20  # one step per epoch: 20 steps before stopping


def test_train_classifier_restores_the_mode():
    X, y = blobs()
    model = nn.Linear(4, 3).eval()
    train_classifier(model, X, y, epochs=1)
    assert not model.training


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"epochs": 0}, "epochs"), ({"epochs": 1, "batch_size": 0}, "batch_size"),
    ({"epochs": 1, "lr": 0.0}, "lr"), ({"epochs": 1, "min_steps": -1}, "min_steps"),
    ({"epochs": 1, "patience": 0}, "patience"),
    ({"epochs": 1, "X_val": torch.zeros(2, 4)}, "X_val"),
    ({"epochs": 1, "X_val": torch.zeros(2, 4), "y_val": torch.zeros(3, dtype=torch.int64)},
     "y_val"),
])
def test_train_classifier_names_the_bad_argument(kwargs, name):
    X, y = blobs()
    with pytest.raises(ValueError, match=name):
        train_classifier(nn.Linear(4, 3), X, y, **kwargs)


def test_train_classifier_rejects_bad_data_and_frozen_models():
    X, y = blobs()
    with pytest.raises(ValueError, match="y"):
        train_classifier(nn.Linear(4, 3), X, y[:-1], epochs=1)
    with pytest.raises(ValueError, match="at least one"):
        train_classifier(nn.Linear(4, 3), X[:0], y[:0], epochs=1)
    frozen = nn.Linear(4, 3).requires_grad_(False)
    with pytest.raises(ValueError, match="requires_grad"):
        train_classifier(frozen, X, y, epochs=1)


# ------------------------------------------------------------------- block_features

def adaptive_means(maps, grid):
    """Adaptive average pooling written out: window i spans floor(i H / g) to ceil((i+1) H / g)."""
    maps = maps.detach().numpy().astype(np.float64)
    N, C, H, W = maps.shape
    out = np.zeros((N, C, grid, grid))
    for i in range(grid):
        r0, r1 = (i * H) // grid, -((-(i + 1) * H) // grid)
        for j in range(grid):
            c0, c1 = (j * W) // grid, -((-(j + 1) * W) // grid)
            out[:, :, i, j] = maps[:, :, r0:r1, c0:c1].mean(axis=(2, 3))
    return out.reshape(N, -1)


@pytest.mark.parametrize("block", [1, 2, 3])
@pytest.mark.parametrize("grid", [1, 2])
def test_block_features_against_means_over_windows(block, grid):
    torch.manual_seed(0)
    model = SmallCNN(num_classes=4)
    X = torch.randn(7, 1, 28, 28)
    maps = X
    for k in range(block):
        maps = model.features[k](maps)
    got = block_features(model, X, block, grid=grid, batch_size=3)
    assert got.shape == (7, (16, 32, 64)[block - 1] * grid * grid)
    assert not got.requires_grad
    np.testing.assert_allclose(got.numpy(), adaptive_means(maps, grid), rtol=1e-5, atol=1e-6)


def test_block_features_of_the_last_block_are_the_feature_vector():
    torch.manual_seed(1)
    model = SmallCNN(num_classes=3).train()
    X = torch.randn(5, 1, 28, 28)
    torch.testing.assert_close(block_features(model, X, 3), model.feature_vector(X).detach())
    assert model.training


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"block": 0}, "block"), ({"block": 4}, "block"), ({"block": 1, "grid": 0}, "grid"),
    ({"block": 1, "batch_size": 0}, "batch_size")])
def test_block_features_names_the_bad_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        block_features(SmallCNN(), torch.zeros(2, 1, 28, 28), **kwargs)
    with pytest.raises(ValueError, match="X"):
        block_features(SmallCNN(), torch.zeros(1, 28, 28), 1)


# --------------------------------------------------------- nearest_neighbours, PCA

def test_nearest_neighbours_against_scipy():
    rng = np.random.default_rng(0)
    queries, refs = rng.normal(size=(6, 2, 3, 3)), rng.normal(size=(40, 2, 3, 3))
    got = nearest_neighbours(torch.from_numpy(queries), refs, k=5)
    d = cdist(queries.reshape(6, -1), refs.reshape(40, -1))
    np.testing.assert_array_equal(got, np.argsort(d, axis=1, kind="stable")[:, :5])


def test_nearest_neighbours_finds_itself_and_breaks_ties_by_index():
    refs = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
    got = nearest_neighbours(refs[:1], refs, k=3)
    np.testing.assert_array_equal(got, [[0, 1, 2]])  # 1 and 2 tie: the lower index first
    with pytest.raises(ValueError, match="k"):
        nearest_neighbours(refs, refs, k=5)
    with pytest.raises(ValueError, match="same length"):
        nearest_neighbours(refs, refs[:, :1], k=1)


def test_pca_project_against_scikit_learn():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 6)) @ rng.normal(size=(6, 6)) + 3.0
    Z, explained = pca_project(torch.from_numpy(X), 3)
    pca = PCA(n_components=3).fit(X)
    want = pca.transform(X)
    for k in range(3):  # the same components up to sign
        sign = np.sign(Z[:, k] @ want[:, k])
        np.testing.assert_allclose(Z[:, k], sign * want[:, k], atol=1e-8)
    np.testing.assert_allclose(explained, pca.explained_variance_ratio_, rtol=1e-10)
    with pytest.raises(ValueError, match="n_components"):
        pca_project(X, 7)


# ------------------------------------------------------------ the normalised head

def test_feature_norm_head_folds_into_one_linear_layer():
    torch.manual_seed(0)
    head = with_feature_norm(nn.Linear(5, 3))
    X = 2.0 + 3.0 * torch.randn(40, 5)
    head.train()
    out = head[0](X)  # training mode: the batch's own statistics, no learned scale
    np.testing.assert_allclose(out.mean(0).detach(), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.var(0, unbiased=False).detach(), 1.0, atol=1e-3)
    for _ in range(20):  # move the running averages away from (0, 1)
        head(X)
    head.eval()
    folded = fold_feature_norm(head)
    assert isinstance(folded, nn.Linear) and folded.weight.requires_grad
    Y = torch.randn(9, 5)
    torch.testing.assert_close(folded(Y), head(Y), rtol=1e-5, atol=1e-5)
    mean, var = head[0].running_mean, head[0].running_var  # written out
    want = ((Y - mean) / torch.sqrt(var + head[0].eps)) @ head[1].weight.T + head[1].bias
    torch.testing.assert_close(folded(Y), want, rtol=1e-5, atol=1e-5)


def test_feature_norm_head_rejects_other_modules():
    with pytest.raises(ValueError, match="head"):
        with_feature_norm(nn.Conv2d(1, 1, 1))
    with pytest.raises(ValueError, match="head"):
        fold_feature_norm(nn.Sequential(nn.BatchNorm1d(3), nn.Linear(3, 2)))


# ------------------------------------------------------------- the budget study

def balanced(X, y, per_class, seed):
    """A balanced subset written here (the first `per_class` of each class after a shuffle)."""
    rng = np.random.default_rng(seed)
    labels = y.numpy()
    idx = np.sort(np.concatenate([rng.permutation(np.flatnonzero(labels == c))[:per_class]
                                  for c in np.unique(labels)]))
    return X[idx], y[idx]


class Centroids(nn.Module):
    """Nearest class mean: scores are minus squared distances."""

    def __init__(self, X, y, classes):
        super().__init__()
        self.register_buffer("means", torch.stack([X[y == c].mean(0) for c in range(classes)]))

    def forward(self, X):
        return -torch.cdist(X.flatten(1), self.means.flatten(1)) ** 2


def toy_task():
    X, y = blobs(n_per_class=30, classes=3, spread=2.0, seed=5)
    X_val, y_val = blobs(n_per_class=12, classes=3, spread=2.0, seed=6)
    X_test, y_test = blobs(n_per_class=20, classes=3, spread=2.0, seed=7)
    return {"X_train": X, "y_train": y, "X_val": X_val, "y_val": y_val, "X_test": X_test,
            "y_test": y_test, "num_classes": 3}


def test_label_budget_study_runs_and_scores_each_method():
    task = toy_task()
    seen = []

    def centroid(split):
        seen.append((len(split["y_train"]), len(split["y_val"]), split["seed"]))
        return Centroids(split["X_train"], split["y_train"], split["num_classes"])

    def constant(split):
        return Centroids(task["X_train"][:3], torch.tensor([0, 1, 2]), 3)

    rows = label_budget_study({"centroid": centroid, "constant": constant}, task,
                              [2, 10, 100, None], balanced, seeds=(0, 1), progress=False)
    # budgets 2 and 10 twice (two seeds); 100 gives the whole set: once; None: skipped
    assert [(r["label"], r["method"], r["seed"]) for r in rows[::2]] == [
        ("2", "centroid", 0), ("2", "centroid", 1), ("10", "centroid", 0),
        ("10", "centroid", 1), ("all (30)", "centroid", 0)]
    assert seen == [(6, 6, 0), (6, 6, 1), (30, 30, 0), (30, 30, 1), (90, 36, 0)]
    for row in rows:
        X_sub, y_sub = (balanced(task["X_train"], task["y_train"], row["budget"], row["seed"])
                        if row["n_train"] < 90 else (task["X_train"], task["y_train"]))
        model = (Centroids(X_sub, y_sub, 3) if row["method"] == "centroid"
                 else Centroids(task["X_train"][:3], torch.tensor([0, 1, 2]), 3))
        want = (model(task["X_test"]).argmax(1) == task["y_test"]).double().mean().item()
        assert row["accuracy"] == pytest.approx(want)
        assert row["per_class"] == row["n_train"] / 3 and row["seconds"] >= 0


def test_label_budget_study_keeps_the_validation_set_when_asked():
    task = toy_task()
    sizes = []

    def fit(split):
        sizes.append(len(split["y_val"]))
        return Centroids(split["X_train"], split["y_train"], 3)

    label_budget_study({"c": fit}, task, [5], balanced, shrink_val=False, progress=False)
    assert sizes == [36]
    with pytest.raises(ValueError, match="budget"):
        label_budget_study({"c": fit}, task, [0], balanced, progress=False)
    with pytest.raises(ValueError, match="methods"):
        label_budget_study({}, task, [5], balanced, progress=False)


def test_summaries_table_and_plot():
    rows = [{"method": m, "label": lab, "per_class": pc, "n_train": pc * 2, "accuracy": a,
             "seconds": s, "seed": seed, "budget": pc}
            for m, lab, pc, a, s, seed in [
                ("a", "10", 10, 0.5, 1.0, 0), ("a", "10", 10, 0.7, 3.0, 1),
                ("b", "10", 10, 0.6, 0.5, 0), ("b", "10", 10, 0.6, 0.5, 1),
                ("a", "all (50)", 50, 0.9, 4.0, 0), ("b", "all (50)", 50, 0.8, 1.0, 0)]]
    summary = summarise_runs(rows)
    first = summary[0]
    assert (first["method"], first["label"], first["runs"]) == ("a", "10", 2)
    assert first["accuracy"] == pytest.approx(0.6) and first["std"] == pytest.approx(0.1)
    assert first["seconds"] == pytest.approx(2.0)
    table = budget_table(rows).splitlines()
    assert len(table) == 3
    assert "60.0% ±10.0% (2.0 s)" in table[1] and table[1].startswith("10 (x2)")
    assert "90.0% (4.0 s)" in table[2] and "80.0% (1.0 s)" in table[2]
    fig, ax = plt.subplots()
    plot_label_budgets(rows, ax=ax, title="t", styles={"a": "s--", "b": {"fmt": "x", "zorder": 7}})
    assert ax.get_xscale() == "log" and ax.get_title() == "t"
    assert ax.lines[0].get_linestyle() == "--" and ax.lines[0].get_marker() == "s"
    crosses = [line for line in ax.lines if line.get_marker() == "x"]
    assert len(crosses) == 1 and crosses[0].get_zorder() >= 7  # errorbar adds 0.1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    plt.close(fig)
