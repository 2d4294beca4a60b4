# %% [markdown]
# # 06 - Transfer learning
#
# Every network so far started from random weights and learned everything from the
# labelled images of its own task. With thousands of labels that works; with a hundred, or
# ten, a network from scratch has too little to go on. **Transfer learning** starts instead
# from a network that was already trained on another task with plenty of labels, and
# reuses what it learned. Its early layers respond to edges, blobs and textures, its later
# layers to larger parts of objects; much of that is useful for a new task too, so the new
# task only has to teach what is really new.
#
# In practice the pretrained network is a large one trained on ImageNet. Here it is a small
# convolutional network (`SmallCNN`: three conv blocks and a linear head, 24k parameters)
# that this project pretrained on five Fashion-MNIST classes (T-shirts, trousers,
# pullovers, dresses, coats); the checkpoint, its training log and the script that made it
# are in the repository. We reuse it on two new tasks: **target A**, the *other* five
# Fashion-MNIST classes (sandals, shirts, sneakers, bags, ankle boots: the same kind of
# pictures, new classes), and **target B**, handwritten digits (the same image size,
# very different content). The lecture notes list three ways to reuse a pretrained
# network, and this notebook tries all three on both targets, against training from
# scratch, with 10 to 1,000 labels per class.
#
# **What you write.** In `cs231n_utils/transfer_learning.py`:
#
# - `freeze_features` and `replace_head`: keep the pretrained body fixed and give the
#   network a new head for the new classes (way 1, section 4);
# - `extract_features`: run the frozen body once over a set of images and keep the
#   feature vectors (way 2, section 5);
# - `fine_tune_param_groups`: unfreeze the top blocks and give them a smaller learning
#   rate than the new head (way 3, section 6);
#
# plus four inline questions. Each function has a graded cell after its section: a
# visible check that prints `PASS ...` or stops with a one-line reason. Your points come
# from hidden tests on other networks and shapes, which the grader runs outside this
# notebook: only what your functions return counts. From a terminal,
# `make check A=06_transfer_learning` runs every visible check. The network
# (`cs231n_utils/small_cnn.py`), the data (`cs231n_utils/data/transfer_tasks.py`), the
# checkpoint loader (`cs231n_utils/pretrained.py`) and the experiment helpers
# (`cs231n_utils/transfer_tools.py`: a training loop, the label-budget study, features
# after any block, nearest neighbours, PCA) are given.
#
# **How long it takes.** Top to bottom, about two minutes on a laptop CPU (two
# cores), with the committed checkpoint and the data that come with the repository. With
# the environment variable `CS231N_QUICK=1` (the grader sets `NBGRADER_EXECUTION`, with
# the same effect) the experiments shrink and everything finishes in well under a minute;
# the numbers get noisier, but every cell still runs.
#
# **Contents**
# 1. The pretrained network
# 2. Two target tasks
# 3. Training from scratch
# 4. Way 1: a new head on a frozen body
# 5. Way 2: features once, then a classifier
# 6. Way 3: fine-tuning the top blocks
# 7. How many labels do you need?
# 8. What the pretrained features see
# 9. Which layer transfers best
# 10. Summary

# %%
import os

# The networks here are small and the batches short: for that, one thread is faster than
# several (on a two-core machine two threads took about twice as long per image as one,
# because they keep waiting for each other). So NumPy's linear algebra library and
# PyTorch get one thread each. The variables must be set before NumPy and PyTorch are
# first imported (restart the kernel if you change them); set them yourself to use more.
for _variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

# %matplotlib inline
# %load_ext autoreload
# %autoreload 2

import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from tqdm.auto import tqdm

from cs231n_utils.data.transfer_tasks import load_transfer_task, take_per_class
from cs231n_utils.pretrained import default_checkpoint_path, load_pretrained, load_training_log
from cs231n_utils.small_cnn import SmallCNN
from cs231n_utils.torch_training import accuracy
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
from cs231n_utils.vis_utils import show_image_grid, visualize_grid

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))

# The quick switch: the grader sets NBGRADER_EXECUTION; set CS231N_QUICK=1 yourself.
QUICK = bool(os.environ.get("NBGRADER_EXECUTION") or os.environ.get("CS231N_QUICK"))
plt.rcParams["figure.figsize"] = (9.0, 4.5)
plt.rcParams["image.interpolation"] = "nearest"
print("quick mode" if QUICK else "full mode", "- set CS231N_QUICK=1 for a fast run;",
      f"PyTorch uses {torch.get_num_threads()} thread(s)")

# %% [markdown]
# ## 1. The pretrained network
#
# `SmallCNN` has a **body** and a **head**. The body, `model.features`, is three blocks
# of "3x3 convolution, ReLU, 2x2 max pooling" with 16, 32 and 64 channels; a 28x28 image
# leaves it as 64 maps of 3x3, which are averaged over space (global average pooling, as
# in 04) into a **feature vector** of 64 numbers, `model.feature_vector(x)`. The head,
# `model.head`, is one linear layer from those 64 numbers to the class scores.
#
# `python -m cs231n_utils.pretrain` (or `make pretrain`) trained it on the **source
# task**, the Fashion-MNIST classes 0-4, and wrote `datasets/pretrained/small_cnn_source.pt`
# together with a JSON log of how: the data, the seed, the command, the accuracy after
# every epoch. The checkpoint holds nothing but tensors and plain numbers, so
# `load_pretrained` reads it with `torch.load(..., weights_only=True)`, which never runs
# code stored in a file (a pickled checkpoint from an unknown source can). Below: what
# the log says, and the same accuracy measured again here on the source test images.

# %%
log = load_training_log()
pretrained = load_pretrained()
source = load_transfer_task("source")
checkpoint = default_checkpoint_path()
print(f"checkpoint: {checkpoint.name} ({checkpoint.stat().st_size / 1024:.0f} KB), "
      f"made by `{log['command']}` (seed {log['seed']}, {log['epochs']} epochs, "
      f"{log['seconds']:.0f} s)")
print(f"data: {log['data']['description']}")
print(f"{sum(p.numel() for p in pretrained.parameters()):,} parameters, of which the head "
      f"has {sum(p.numel() for p in pretrained.head.parameters())}")
source_test_acc = accuracy(pretrained, source["X_test"], source["y_test"])
print(f"source test accuracy: {log['test_acc']:.1%} in the log, {source_test_acc:.1%} "
      f"measured now on the {len(source['y_test'])} test images")

history = log["history"]
epochs_axis = np.arange(1, len(history["val_acc"]) + 1)
plt.figure(figsize=(5.5, 3.2))
plt.plot(epochs_axis, history["train_acc"], "o-", label="train")
plt.plot(epochs_axis, history["val_acc"], "o-", label="validation")
plt.xlabel("epoch")
plt.ylabel("accuracy")
plt.title("pretraining on the source task (from the log)")
plt.legend()
plt.show()

# %% [markdown]
# ## 2. Two target tasks
#
# Two new tasks, each with its own training, validation and test split:
#
# - **target A, "similar"**: Fashion-MNIST classes 5-9 (sandal, shirt, sneaker, bag,
#   ankle boot), relabelled 0-4. Same photographs of single articles on black, same
#   lighting and size, but classes the network has never seen.
# - **target B, "different"**: scikit-learn's 1,797 handwritten digits (8x8 pixels,
#   enlarged to 28x28). Strokes instead of garments: the same input size, very different
#   pictures. There are only about 108 training images per digit.
#
# Both are normalised *exactly like the source images* (minus the source pixel mean,
# divided by its standard deviation), not with their own statistics: the pretrained
# filters were tuned to inputs in that range.

# %%
similar = load_transfer_task("similar")
digits = load_transfer_task("digits")
targets = {"A (similar)": similar, "B (digits)": digits}
for task in targets.values():
    counts = np.bincount(task["y_train"].numpy())
    per_class = f"{counts.min()}" if counts.min() == counts.max() else f"{counts.min()}-{counts.max()}"
    print(task["description"])
    print(f"   train / val / test: {len(task['y_train'])} / {len(task['y_val'])} / "
          f"{len(task['y_test'])} images, {per_class} training images per class")


def to_pixels(X, task):
    """Normalised tensors (N, 1, H, W) back to pixel values 0..255, for pictures."""
    return (X.numpy() * task["std"][0] + task["mean"][0]) * 255.0


fig, axes = plt.subplots(1, 3, figsize=(15, 3.6), gridspec_kw={"width_ratios": [5, 5, 10]})
for ax, (name, task) in zip(axes, [("source", source), *targets.items()], strict=True):
    show_image_grid(to_pixels(task["X_train"], task), task["y_train"].numpy(),
                    task["class_names"], samples_per_class=3, ax=ax)
    ax.set_xlabel(name if name == "source" else f"target {name}")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 3. Training from scratch
#
# The baseline that every way of transferring must beat: a `SmallCNN` with random
# weights, trained on the target's labels alone.
#
# All training runs of this notebook use the same recipe (`RECIPE` below, with
# `train_classifier` of `cs231n_utils/transfer_tools.py`): Adam on minibatches of 64 with
# the softmax loss, at most `epochs` epochs but at least `min_steps` minibatch steps (with
# 10 images per class, an epoch is a single step), the validation accuracy measured after
# every epoch, the weights of the best epoch kept, and training stopped early after
# `patience` epochs without improvement. Only the learning rates differ between methods.
# The minibatches are drawn from a generator seeded with `seed` and nothing else, so two
# runs with the same seed see the same images in the same order.
#
# We try everything first with **100 labels per class** on both targets. A method that
# uses 100 labels per class must not choose its best epoch on thousands of other labelled
# images, so the validation set shrinks with the training set: 100 per class too.

# %%
DEMO_LABELS = 100
RECIPE = {"epochs": 4, "min_steps": 40, "patience": 3} if QUICK else \
    {"epochs": 30, "min_steps": 300, "patience": 5}
SCRATCH = {**RECIPE, "lr": 2e-3}


def budget_split(task, per_class, seed=0):
    """`per_class` training and validation images of every class (as the study in section 7)."""
    X_train, y_train = take_per_class(task["X_train"], task["y_train"], per_class, seed)
    X_val, y_val = take_per_class(task["X_val"], task["y_val"], per_class, seed)
    return {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val,
            "num_classes": task["num_classes"], "seed": seed}


def fit_scratch(split):
    """A SmallCNN from random weights, trained on the split."""
    torch.manual_seed(split["seed"])
    model = SmallCNN(num_classes=split["num_classes"])
    model.history = train_classifier(model, split["X_train"], split["y_train"], **SCRATCH,
                                     X_val=split["X_val"], y_val=split["y_val"],
                                     seed=split["seed"])
    return model


demo = {name: budget_split(task, DEMO_LABELS) for name, task in targets.items()}
results = {}  # (method, target) -> (test accuracy, seconds)


def run_and_report(method, fit, label):
    """Fit on both demo splits, print test accuracy and time, keep the models."""
    models = {}
    for name, task in tqdm(targets.items(), desc=label, leave=False):
        start = time.perf_counter()
        models[name] = fit(demo[name])
        seconds = time.perf_counter() - start
        acc = accuracy(models[name], task["X_test"], task["y_test"])
        results[(method, name)] = (acc, seconds)
        h = models[name].history
        print(f"{label:<26} target {name:<12} test accuracy {acc:6.1%}  ({seconds:4.1f} s, "
              f"{h['steps']} steps, best epoch {h['best_epoch']} of {h['epochs_run']})")
    return models


scratch_models = run_and_report("scratch", fit_scratch, "from scratch")
fig, axes = plt.subplots(1, 2, figsize=(11, 3.2))
for ax, (name, model) in zip(axes, scratch_models.items(), strict=True):
    ax.plot(np.arange(1, len(model.history["val_acc"]) + 1), model.history["val_acc"], "o-")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy")
    ax.set_title(f"from scratch, target {name}, {DEMO_LABELS} labels per class")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 4. Way 1: a new head on a frozen body
#
# The first way of the notes: keep every convolutional layer of the pretrained network
# exactly as it is, throw away its head (its five outputs mean "T-shirt", "trouser", ...,
# useless for sandals or digits), put a new, randomly initialised linear layer with one
# output per new class in its place, and train only that layer.
#
# Keeping a layer fixed is called **freezing** it. In PyTorch every parameter has a flag
# `requires_grad`; with `requires_grad = False` autograd computes no gradient for it,
# so an optimiser never changes it (and the backward pass stops early, since nothing
# below the head needs a gradient). Note that `model.eval()` does *not* freeze anything:
# it only switches layers such as dropout and batch normalisation to their test-time
# behaviour.
#
# In `cs231n_utils/transfer_learning.py`, write:
#
# - `freeze_features(model)`: `requires_grad = False` for every parameter of
#   `model.features`, `True` for those of `model.head`; return the model;
# - `replace_head(model, num_classes)`: a new `nn.Linear` with as many inputs as the old
#   head (`in_features`) and `num_classes` outputs, on the same device and with the same
#   dtype, set as `model.head` and returned. A freshly built layer is trainable.

# %% nbgrader={"grade": true, "grade_id": "freeze_features", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): transfer_learning.freeze_features
from cs231n_utils.checks.transfer import check_freeze_features

check_freeze_features()

# %% nbgrader={"grade": true, "grade_id": "replace_head", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): transfer_learning.replace_head
from cs231n_utils.checks.transfer import check_replace_head

check_replace_head()

# %% [markdown]
# One practical detail before we train. The feature vectors come out of ReLUs and an
# average, so none of the 64 numbers is negative and their mean is far from zero (printed
# below). As 05 showed, a linear layer on inputs that are not centred trains slowly (the
# end of section 5 measures how much, here). So the new head gets a **batch normalisation
# without learned scale and shift** in front of it (`with_feature_norm`): while training
# it centres and scales each of the 64 features with the minibatch's statistics, and at
# test time with their running averages. It has no parameters of its own, and at test
# time it is a fixed shift and scale, so the head is still one linear map: after training,
# `fold_feature_norm` multiplies it into the weights (`W' = W / sqrt(var + eps)`,
# `b' = b - W' mean`) and `model.head` is a plain `nn.Linear` again. Linear probes of
# large pretrained networks are commonly trained the same way.

# %%
from cs231n_utils.transfer_learning import freeze_features, replace_head

LINEAR = {**RECIPE, "lr": 1e-2}


def fit_way1(split):
    """Way 1: pretrained body frozen, a new (normalised) linear head trained on the images."""
    model = freeze_features(load_pretrained())
    torch.manual_seed(split["seed"])
    head = replace_head(model, split["num_classes"])
    model.head = with_feature_norm(head)
    model.history = train_classifier(model, split["X_train"], split["y_train"], **LINEAR,
                                     X_val=split["X_val"], y_val=split["y_val"],
                                     seed=split["seed"])
    model.head = fold_feature_norm(model.head)
    return model


with torch.no_grad():
    some_features = pretrained.feature_vector(similar["X_train"][:500])
print(f"feature vectors of target A: mean {some_features.mean():.2f}, standard deviation "
      f"{some_features.std():.2f}, smallest {some_features.min():.2f}")
way1_models = run_and_report("way 1", fit_way1, "way 1 (frozen body)")
model = way1_models["B (digits)"]
trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
body_same = all(torch.equal(a, b) for a, b in zip(model.features.parameters(),
                                                  pretrained.features.parameters(), strict=True))
print(f"trained parameters: {trainable} of {sum(p.numel() for p in model.parameters()):,} "
      f"(the head); the body still equals the pretrained one: {body_same}")

# %% [markdown]
# ## 5. Way 2: features once, then a classifier
#
# Look at what way 1 computes. The body is frozen, so the feature vector of a training
# image is the same in every epoch; yet every epoch runs the whole body again over every
# training image, only to train a layer of a few hundred weights on top. The second way of
# the notes removes that waste: run the body **once** over all images, store each image's
# feature vector, and from then on forget the network and train a small classifier (here
# the same linear layer) on the stored vectors alone. The two ways give the same model:
# the same linear layer on the same vectors, trained with the same updates, so the notes
# suggest starting with one of them to see what the pretrained network is worth on the
# new data.
#
# Write `extract_features(model, X, batch_size=256)`: `model.feature_vector` of all
# images of `X`, in batches of `batch_size` (so that the memory used stays small),
# concatenated into one `(N, 64)` tensor. Run it under `torch.no_grad()` (no autograd
# graph: we never backpropagate into these numbers, and building the graph would cost
# time and memory) and in evaluation mode (`model.eval()`), and leave the model in the
# mode it was in (`model.training` tells which).

# %% nbgrader={"grade": true, "grade_id": "extract_features", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): transfer_learning.extract_features
from cs231n_utils.checks.transfer import check_extract_features

check_extract_features()

# %% [markdown]
# Now way 2 next to way 1, made comparable on purpose: the same pretrained network, the
# new head initialised from the same seed, the same optimiser and learning rate, the same
# minibatches (the generator in `train_classifier` depends only on the seed and the
# number of training examples) and the same early stopping. Way 2's time includes
# extracting the training and validation features. At the end the trained layer goes back
# into the network as its head, so both ways give a `SmallCNN` that classifies images and
# is scored the same way.

# %%
from cs231n_utils.transfer_learning import extract_features


def fit_way2(split):
    """Way 2: features extracted once, then the same normalised linear head trained on them."""
    model = load_pretrained()
    torch.manual_seed(split["seed"])
    head = replace_head(model, split["num_classes"])
    train_features = extract_features(model, split["X_train"])
    val_features = extract_features(model, split["X_val"])
    probe = with_feature_norm(head)
    model.history = train_classifier(probe, train_features, split["y_train"], **LINEAR,
                                     X_val=val_features, y_val=split["y_val"],
                                     seed=split["seed"])
    model.head = fold_feature_norm(probe)
    return model


way2_models = run_and_report("way 2", fit_way2, "way 2 (features once)")
print(f"\n{'':<14}{'way 1 accuracy':>16}{'way 2 accuracy':>16}{'way 1 time':>12}"
      f"{'way 2 time':>12}{'faster':>8}{'same predictions':>18}{'largest weight gap':>20}")
for name, task in targets.items():
    (acc1, sec1), (acc2, sec2) = results[("way 1", name)], results[("way 2", name)]
    m1, m2 = way1_models[name], way2_models[name]
    with torch.no_grad():
        agree = (m1(task["X_test"]).argmax(1) == m2(task["X_test"]).argmax(1)).double().mean()
    gap = (m1.head.weight - m2.head.weight).abs().max().item()
    print(f"target {name:<7}{acc1:>16.1%}{acc2:>16.1%}{sec1:>10.2f} s{sec2:>10.2f} s"
          f"{sec1 / sec2:>7.0f}x{agree:>18.1%}{gap:>20.1e}")

# %% [markdown]
# The two ways agree: the same test accuracy, the same prediction for every test image,
# and the same head weights (here to the last bit; on another machine the body's
# batches of 64 in way 1 and of 256 in way 2 may round a few sums differently, and the
# weights then differ in the last digits). Way 2 is several times faster, and the ratio
# grows with the number of epochs
# (way 1 pays for a forward pass through the body per image per epoch, way 2 for one)
# and with the size of the body: for a network of ImageNet size, extracting features
# once and then training a linear classifier on them takes seconds, where running the
# body every epoch takes hours. The table of section 7 shows both times at every label
# budget.
#
# And the normalisation in front of the head: the same linear layer, the same recipe and
# minibatches, trained on the raw feature vectors instead (way 2, so it takes a moment).

# %%
for name, task in targets.items():
    split = demo[name]
    train_features = extract_features(pretrained, split["X_train"])
    val_features = extract_features(pretrained, split["X_val"])
    accuracies = []
    for normalised in (False, True):
        torch.manual_seed(0)
        probe = torch.nn.Linear(train_features.shape[1], task["num_classes"])
        probe = with_feature_norm(probe) if normalised else probe
        h = train_classifier(probe, train_features, split["y_train"], **LINEAR,
                             X_val=val_features, y_val=split["y_val"])
        test_acc = accuracy(probe, extract_features(pretrained, task["X_test"]), task["y_test"])
        accuracies.append(f"{test_acc:.1%} after {h['epochs_run']} epochs")
    print(f"target {name}: linear head on raw features {accuracies[0]}, "
          f"on normalised features {accuracies[1]}")

# %% [markdown]
# ### Inline question 1
#
# Ways 1 and 2 train the same linear layer on the same feature vectors. Why is way 2
# nevertheless so much faster, and what does the speed-up depend on? Name one thing you
# can do in way 1 but not in way 2 as written here (think about how the training images
# could change from epoch to epoch).

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_why_way2_faster", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# Nearly all the work of way 1 is the forward pass through the frozen body (the backward
# pass stops at the head, and the head is a tiny matrix product). Because the body never
# changes, that forward pass gives the same 64 numbers for an image in every epoch, so way
# 1 recomputes the same vectors E times for E epochs, while way 2 computes them once and
# then only multiplies 64-number vectors by a small matrix. The speed-up is therefore
# roughly the number of epochs (times the validation passes), and it is larger the more
# expensive the body is compared with the head (a deep ImageNet network: enormous); the
# one-off extraction and storing the vectors are its only costs. What way 2 cannot do:
# data augmentation (random flips, crops or shifts give a new image, hence a new feature
# vector, in every epoch, so the vectors cannot be computed once), and any change to the
# body during training, i.e. fine-tuning (way 3), or layers that behave differently in
# training mode such as dropout or batch normalisation inside the body.
# ### END SOLUTION

# %% [markdown]
# ## 6. Way 3: fine-tuning the top blocks
#
# The third way goes further: besides the new head, it also trains the top of the body,
# the blocks nearest the head, and keeps only the blocks near the input frozen. The idea
# is that the first layers compute very general things (edges, spots, strokes) that any
# image task can use, while the last ones are specialised for the source classes and are
# worth adapting. Two things matter:
#
# - the unfrozen blocks get a **smaller learning rate** than the head: they start from
#   weights that are already good and should only be adjusted, whereas the head starts
#   from random numbers and has everything to learn; with the same large rate, the
#   random head's first, large and noisy gradients would be passed down into the body and
#   overwrite what pretraining found;
# - PyTorch optimisers accept **parameter groups**, each with its own settings:
#   `torch.optim.Adam([{"params": head_params, "lr": 1e-2}, {"params": body_params,
#   "lr": 1e-3}])`.
#
# Write `fine_tune_param_groups(model, lr_head, lr_body, layers_to_unfreeze)`: freeze the
# whole body, then make the last `layers_to_unfreeze` blocks of `model.features`
# trainable again (0 means none: way 1), and return the list of groups: first the head's
# parameters with `lr_head`, then the parameters of the unfrozen blocks with `lr_body`
# (leave that group out when there are none). The argument checks (learning rates above
# 0, `lr_body <= lr_head`, the range of `layers_to_unfreeze`) are written for you.

# %% nbgrader={"grade": true, "grade_id": "fine_tune_param_groups", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): transfer_learning.fine_tune_param_groups
from cs231n_utils.checks.transfer import check_fine_tune_param_groups

check_fine_tune_param_groups()

# %% [markdown]
# Fine-tuning the top two blocks, with a learning rate ten times smaller than the head's.
# The head again has the normalisation in front of it, which now normalises features that
# slowly change as the blocks below them learn.

# %%
from cs231n_utils.transfer_learning import fine_tune_param_groups

FINE_TUNE = {"lr_head": 1e-2, "lr_body": 1e-3, "layers_to_unfreeze": 2}


def fit_way3(split, **changes):
    """Way 3: a new head and the top blocks trained, the lower blocks frozen.

    `changes` replace entries of FINE_TUNE (e.g. `layers_to_unfreeze=3`).
    """
    settings = {**FINE_TUNE, **changes}
    model = load_pretrained()
    torch.manual_seed(split["seed"])
    head = replace_head(model, split["num_classes"])
    groups = fine_tune_param_groups(model, **settings)
    model.head = with_feature_norm(head)
    model.history = train_classifier(model, split["X_train"], split["y_train"],
                                     param_groups=groups,
                                     **RECIPE,
                                     X_val=split["X_val"], y_val=split["y_val"],
                                     seed=split["seed"])
    model.head = fold_feature_norm(model.head)
    return model


way3_models = run_and_report("way 3", fit_way3, "way 3 (fine-tune 2 blocks)")
model = way3_models["A (similar)"]
for k, (block, original) in enumerate(zip(model.features, pretrained.features, strict=True)):
    change = max((p - q).abs().max().item() / q.abs().max().item()
                 for p, q in zip(block.parameters(), original.parameters(), strict=True))
    print(f"target A, block {k + 1}: largest change relative to the pretrained weights {change:.1%}")

# %% [markdown]
# How many blocks to unfreeze? Below, 0 (way 1: only the head), 2 and all 3 blocks with
# the smaller learning rate for the body, and all 3 with the head's learning rate
# (which is then just training the whole network from the pretrained weights), on both
# targets with 100 labels per class.

# %%
unfreeze_runs = [(3, 1e-3), (3, 1e-2)]
if QUICK:
    unfreeze_runs = [(3, 1e-3)]
unfreeze_results = {}  # (target, blocks, body lr) -> (test accuracy, seconds)
for name in targets:  # 0 blocks is way 1, 2 blocks with 1e-3 the run above
    unfreeze_results[(name, 0, 1e-3)] = results[("way 1", name)]
    unfreeze_results[(name, 2, 1e-3)] = results[("way 3", name)]
with tqdm(total=len(unfreeze_runs) * len(targets), desc="blocks to unfreeze") as bar:
    for name, task in targets.items():
        for layers, lr_body in unfreeze_runs:
            start = time.perf_counter()
            model = fit_way3(demo[name], lr_body=lr_body, layers_to_unfreeze=layers)
            unfreeze_results[(name, layers, lr_body)] = (
                accuracy(model, task["X_test"], task["y_test"]), time.perf_counter() - start)
            bar.update(1)

print(f"{'blocks trained':<16}{'body lr':>9}" + "".join(f"{'target ' + n:>24}" for n in targets))
for layers, lr_body in sorted({key[1:] for key in unfreeze_results}):
    cells = [f"{unfreeze_results[(n, layers, lr_body)][0]:.1%} "
             f"({unfreeze_results[(n, layers, lr_body)][1]:.1f} s)" for n in targets]
    rate = "-" if layers == 0 else f"{lr_body:.0e}"
    print(f"{layers:<16}{rate:>9}" + "".join(f"{c:>24}" for c in cells))
print(f"{'from scratch':<25}" + "".join(f"{results[('scratch', n)][0]:>24.1%}" for n in targets))

# %% [markdown]
# Every amount of fine-tuning beat the frozen body (0 blocks) on both targets, and on the
# digits fine-tuning is what lifts the pretrained network from below the network trained
# from scratch to level with it or above. Whether two or three blocks are better is less
# clear: these are single runs on 500 or 1,000 images, and differences of a point are
# within their noise. One result goes against the rule of the smaller learning rate:
# training all three blocks with the *head's* rate did as well as or better than with
# the smaller one. That is not a contradiction; inline question 2 asks why.

# %% [markdown]
# ### Inline question 2
#
# Why should the pretrained blocks usually learn with a smaller rate than the new head?
# What could go wrong in the first steps if they used the same rate, and why is that risk
# larger when the new task has few labels? In the sweep above, the same rate for all
# blocks did at least as well; give reasons why the precaution mattered little here.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_lr_body", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# The body starts from weights that already compute useful features; fine-tuning should
# adjust them, not learn them again. The head starts from random weights, so at first
# its outputs are meaningless, the loss is large, and the gradients flowing back through
# it into the body are large and point in directions set by the random head rather than
# by the task. With the head's large rate, the first steps would push the pretrained
# filters far from where they were before the head has become sensible, destroying what
# pretraining learned; the result is little better than training from scratch. A smaller
# rate keeps the body near the pretrained solution while the head catches up. With few
# labels it matters more: a body free to move has many parameters to fit a handful of
# images and overfits, while staying near the pretrained weights acts as a regulariser.
# Here it mattered little because (1) the head has a normalisation in front of it, which
# keeps its early gradients moderate; (2) the pretrained network is small and was trained
# on only 4,500 images, so its weights are a good starting point but not a precious one:
# the network learns these tasks well even from scratch; (3) Adam's steps are bounded by
# the learning rate, and early stopping on the validation set keeps the best epoch, so a
# run that drifts is not punished; (4) these are single runs, and a point or two is
# noise. With a large network pretrained on millions of images and few target labels the
# precaution matters much more.
# ### END SOLUTION

# %% [markdown]
# ## 7. How many labels do you need?
#
# Now the real question: how do the ways compare as the number of labels changes? The
# study below trains every method with **10, 100, 1,000 and all** labels per class on
# both targets (1,000 is more than either target has in the data of this repository: 900
# per class for A after the validation split, about 108 for the digits, so that point is
# "all"). With 10 labels per class the result depends a lot on *which* images happen to
# be chosen, so that budget is repeated with three different subsets (and seeds) and the
# plot shows the mean and the spread (the standard deviation of the three); the larger
# budgets are one run each, to keep the notebook fast (the runs with 100 labels per
# class are those of sections 3-6: the same subsets, not trained again). As before, the
# validation set has the same number of labels per class as the training set. Every run
# is timed, and scored on the whole test set of its target.
#
# The lecture's advice, which we want to check against the plot:
#
# - little data, target **similar** to the source: train only a linear classifier on the
#   top features (way 1 or 2); fine-tuning risks overfitting;
# - little data, target **different**: the top features are specialised for the source,
#   so a linear classifier on them helps less; features from **earlier** layers, which
#   are more generic, may do better (section 9);
# - **a lot of data**: fine-tune (way 3), and more layers the more different the target;
#   with enough labels, training from scratch becomes an option too.

# %%
# (budgets, seeds): three subsets of 10 labels per class; one of 1,000 and of all
PLAN = [([10], (0,))] if QUICK else [([10], (0, 1, 2)), ([1000, None], (0,))]
methods = {"from scratch": fit_scratch, "way 1: frozen body": fit_way1,
           "way 2: features once": fit_way2, "way 3: fine-tune": fit_way3}
result_keys = dict(zip(methods, ["scratch", "way 1", "way 2", "way 3"], strict=True))


def runs_of_sections_3_to_6(name):
    """The runs with 100 labels per class (seed 0) of sections 3-6, as rows of the study."""
    n_train = len(demo[name]["y_train"])
    return [{"method": method, "budget": DEMO_LABELS, "label": f"{DEMO_LABELS:,}", "seed": 0,
             "per_class": n_train / demo[name]["num_classes"], "n_train": n_train,
             "accuracy": results[(key, name)][0], "seconds": results[(key, name)][1]}
            for method, key in result_keys.items()]


study = {}
for name, task in targets.items():
    first_budgets, first_seeds = PLAN[0]
    study[name] = label_budget_study(methods, task, first_budgets, take_per_class, seeds=first_seeds)
    study[name] += runs_of_sections_3_to_6(name)
    for budgets, seeds in PLAN[1:]:
        study[name] += label_budget_study(methods, task, budgets, take_per_class, seeds=seeds)
for name in targets:
    print(f"target {name}: test accuracy (mean ± spread over the seeds) and training time\n"
          f"{budget_table(study[name])}\n")

styles = {"from scratch": {"fmt": "s-", "color": "tab:blue"},
          "way 1: frozen body": {"fmt": "x", "color": "black", "markersize": 8, "zorder": 5},
          "way 2: features once": {"fmt": "o-", "color": "tab:green"},
          "way 3: fine-tune": {"fmt": "^-", "color": "tab:red"}}
fig, axes = plt.subplots(1, 2, figsize=(13, 4.3))
for ax, name in zip(axes, targets, strict=True):
    plot_label_budgets(study[name], ax=ax, title=f"target {name}", styles=styles)
plt.tight_layout()
plt.show()

# %% [markdown]
# Two numbers per budget summarise the plot: how much each way gains over training from
# scratch (in points of test accuracy), and how its time compares.

# %%
for name in targets:
    summary = summarise_runs(study[name])
    scratch_acc = {r["label"]: r["accuracy"] for r in summary if r["method"] == "from scratch"}
    print(f"target {name}: gain over training from scratch, in points")
    for label in dict.fromkeys(r["label"] for r in summary):
        gains = [f"{r['method'].split(':')[0]} {100 * (r['accuracy'] - scratch_acc[label]):+5.1f}"
                 for r in summary if r["label"] == label and r["method"] != "from scratch"]
        print(f"   {label:<10} " + "   ".join(gains))

# %% [markdown]
# **Accuracy floors.** A last sanity check of the four ways with 100 labels per class
# (the runs of sections 3-6, fixed seeds and subsets). Each must reach at least the test
# accuracy below, several points under what a correct run gets here. A way that falls
# short is broken somewhere outside what the checks test: a body that still trains in way
# 1, features taken in training mode or from the wrong layer in way 2, learning rates
# swapped or the wrong blocks unfrozen in way 3.

# %%
FULL_FLOORS = {"A (similar)": {"scratch": 0.85, "way 1": 0.85, "way 2": 0.85, "way 3": 0.88},
               "B (digits)": {"scratch": 0.90, "way 1": 0.90, "way 2": 0.90, "way 3": 0.92}}
# In quick mode the runs are shorter, and the floors lower.
QUICK_FLOORS = {"A (similar)": {"scratch": 0.70, "way 1": 0.80, "way 2": 0.80, "way 3": 0.83},
                "B (digits)": {"scratch": 0.70, "way 1": 0.83, "way 2": 0.83, "way 3": 0.87}}
FLOORS = QUICK_FLOORS if QUICK else FULL_FLOORS
for name, floors in FLOORS.items():
    for key, floor in floors.items():
        acc = results[(key, name)][0]
        assert acc >= floor, (f"target {name}, {key}: test accuracy {acc:.1%} with "
                              f"{DEMO_LABELS} labels per class is below the floor {floor:.0%}")
    print(f"target {name}: every way is above its floor (" + ", ".join(
        f"{key} {results[(key, name)][0]:.1%} >= {floor:.0%}" for key, floor in floors.items())
        + ")")

# %% [markdown]
# **What the plot shows, against the advice.** The numbers are those of the committed
# checkpoint and the seeds above. At 10 labels per class the three subsets give spreads of
# up to about three points, and the larger budgets are single runs with noise of their
# own: on the digits, 100 and all (about 108) labels per class are almost the same
# training set, and their results differ by up to about half a point.
#
# - **Ways 1 and 2 are one curve.** At every budget and on both targets they reach the
#   same accuracy (the black crosses sit on the green line), and way 2 takes a fraction
#   of the time: the body runs once instead of once per epoch.
# - **Target A (similar), few labels: "a linear classifier on top".** Only partly
#   confirmed. The linear head on the frozen features was the cheapest method by far and
#   level with training from scratch at 10 and 100 labels per class (at 10 it is a little
#   lower, within the spread over subsets), not better; fine-tuning was ahead of both at
#   both budgets, clearly at 100. The advice's worry, that fine-tuning overfits a small dataset, did not show:
#   with a small learning rate for the body, only two blocks trained and early stopping,
#   fine-tuning was safe even with 50 training images.
# - **Target A, all labels: "fine-tune".** Confirmed. With 900 images per class,
#   training from scratch overtook the frozen features (it can learn features made for
#   sandals and bags, rather than for T-shirts and coats), and fine-tuning was the best
#   of all.
# - **Target B (different): "the top features help less".** Confirmed. The linear head
#   on the top features was below training from scratch at every budget: the top
#   features of a clothes network are not what a digit classifier needs (at 10 labels per
#   class the gap is within the spread). Fine-tuning, which lets the top blocks adapt to
#   strokes, was level with or above training from scratch at every budget; at 10 labels
#   per class it was ahead on average and much steadier across the three subsets. Section
#   9 asks whether an earlier layer would do better than the top one.
# - **Time.** Way 2 was the cheapest everywhere; fine-tuning cost less than training
#   from scratch (about half with all the labels of A: it converges in fewer epochs and
#   computes no gradients for the frozen first block); way 1 was several times slower
#   than way 2 for the same model.
#
# Keep in mind what is not like the lecture's setting: our pretrained network is tiny
# and was pretrained on 4,500 images of five classes, not on a million images of a
# thousand classes, and the targets are easy enough that a small network learns them from
# scratch with a few hundred labels. The gaps would be much larger with a big pretrained
# network and a harder target.

# %% [markdown]
# ### Inline question 3
#
# Using the plot and the tables above: you have a new task of the same kind as target B
# with only 10 labelled images per class and need a classifier today. Which way would you
# choose and why? Would your answer change with 1,000 labels per class, or for a task like
# target A? Quote the numbers you rely on, and say how sure you are of differences of one
# or two points.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_which_way", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# (Quote the numbers of your run; the reasoning is what counts.) With 10 labels per class
# on a digit-like task I would fine-tune the top blocks (way 3): on target B it was ahead
# of both training from scratch and the linear head on average (by about two points),
# and, as important with so few labels, it was much steadier across the three subsets
# (a spread of a fraction of a point, against almost three for training from scratch),
# at a cost of a few seconds. The linear head on the frozen top features was no better
# than training from scratch there, so it is not worth relying on for a different kind
# of images, although as way 2 it costs almost nothing and is a useful first measurement.
# With 1,000 labels per class the choice is between fine-tuning and training from
# scratch: on target A with all 900 labels per class, training from scratch overtook the
# frozen features and came within two points of fine-tuning, which was still the best
# and needed about half the time; I would fine-tune and keep training from scratch as the
# baseline to beat. For a task like target A with few labels, the notes' order makes
# sense: first way 2 (the same model as way 1 in a fraction of the time) to see what the
# pretrained features are worth, then fine-tuning, which gained about three more points
# here. Differences of one or two points at 10 labels per class are within the spread
# over subsets, and the single runs at the larger budgets have noise of their own, so I
# would not decide on them: repeat with more subsets and seeds, or prefer the cheaper
# method.
# ### END SOLUTION

# %% [markdown]
# ## 8. What the pretrained features see
#
# Why do the pretrained features help on A and less on B? A few looks inside.
#
# **The first layer's filters.** Block 1 has 16 filters of 3x3 pixels. So small a filter
# can only say which direction of light-to-dark change it responds to; the pictures below
# show the filters (white = large positive weight) and what they make of one image of
# each target (the 16 maps after block 1's convolution and ReLU).

# %%
filters = pretrained.features[0][0].weight.detach().numpy()  # (16, 1, 3, 3)
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6), gridspec_kw={"width_ratios": [1, 1.4, 1.4]})
axes[0].imshow(visualize_grid(filters.transpose(0, 2, 3, 1), ubound=1.0, padding=1)[:, :, 0],
               cmap="gray")
axes[0].set_title("block 1: 16 filters of 3x3")
for ax, (name, task) in zip(axes[1:], targets.items(), strict=True):
    with torch.no_grad():
        maps = pretrained.features[0][:2](task["X_test"][:1])[0]  # conv + ReLU: (16, 28, 28)
    ax.imshow(visualize_grid(maps.numpy()[:, :, :, None], ubound=1.0, padding=2)[:, :, 0],
              cmap="gray")
    ax.set_title(f"block 1's 16 maps, a target {name} image")
for ax in axes:
    ax.axis("off")
plt.tight_layout()
plt.show()

# %% [markdown]
# **Nearest neighbours.** Take a test image and look for the training images closest to
# it, once by the distance between their pixels and once by the distance between their
# feature vectors (each of the 64 features standardised with the training set's mean and
# standard deviation, so that none dominates). If the features capture what matters for
# the classes, the neighbours in feature space share the query's class more often than
# the neighbours in pixel space. The fraction of test images whose single nearest
# neighbour has the right label (1-NN accuracy) measures that over the whole test set.

# %%
def standardised_features(task):
    """Pretrained feature vectors of the train and test images, standardised with the train ones."""
    train, test = (extract_features(pretrained, task[f"X_{s}"]).numpy() for s in ("train", "test"))
    mean, std = train.mean(axis=0), train.std(axis=0) + 1e-6
    return (train - mean) / std, (test - mean) / std


spaces = {}
for name, task in targets.items():
    f_train, f_test = standardised_features(task)
    pixels_train = task["X_train"].flatten(1).numpy()
    pixels_test = task["X_test"].flatten(1).numpy()
    spaces[name] = {"features": (f_train, f_test), "pixels": (pixels_train, pixels_test)}
    y_train, y_test = task["y_train"].numpy(), task["y_test"].numpy()
    line = []
    for space, (train, test) in spaces[name].items():
        nearest = nearest_neighbours(test, train, k=1)[:, 0]
        line.append(f"{space} {np.mean(y_train[nearest] == y_test):.1%}")
    print(f"target {name}: 1-NN test accuracy in " + ", in ".join(line))

NEIGHBOURS, QUERIES = 5, 3
fig, axes = plt.subplots(2 * QUERIES, 2 * NEIGHBOURS + 1, figsize=(13, 8.2))
for t, (name, task) in enumerate(targets.items()):
    queries = np.arange(QUERIES) * 7 + 3  # a few test images
    for space_index, (train, test) in enumerate(spaces[name].values()):
        found = nearest_neighbours(test[queries], train, k=NEIGHBOURS)
        for q, row in enumerate(found):
            r = t * QUERIES + q
            axes[r, 0].imshow(to_pixels(task["X_test"][queries[q]], task)[0], cmap="gray")
            axes[r, 0].set_title(f"{name[:1]}: {task['class_names'][task['y_test'][queries[q]]]}",
                                 fontsize=8)
            for j, index in enumerate(row):
                ax = axes[r, 1 + space_index * NEIGHBOURS + j]
                ax.imshow(to_pixels(task["X_train"][index], task)[0], cmap="gray")
                label = task["class_names"][task["y_train"][index]]
                right = task["y_train"][index] == task["y_test"][queries[q]]
                ax.set_title(label, fontsize=8, color="black" if right else "red")
for ax in axes.flat:
    ax.axis("off")
fig.text(0.33, 0.995, "nearest in feature space", ha="center", fontsize=11)
fig.text(0.77, 0.995, "nearest in pixel space", ha="center", fontsize=11)
plt.tight_layout(rect=(0, 0, 1, 0.98))
plt.show()

# %% [markdown]
# **A two-dimensional map.** PCA (the first two principal components, as in 05) of the
# test images of each target, once from the pixels and once from the standardised feature
# vectors, each point coloured by its class. PCA keeps only the two directions of largest
# variance, so it flatters nothing; well-separated colours mean that the main variation in
# that space follows the classes.

# %%
fig, axes = plt.subplots(2, 2, figsize=(11.5, 9))
for row, (name, task) in zip(axes, targets.items(), strict=True):
    y_test = task["y_test"].numpy()
    for ax, space in zip(row, ("pixels", "features"), strict=True):
        Z, explained = pca_project(spaces[name][space][1], 2)
        points = ax.scatter(Z[:, 0], Z[:, 1], c=y_test, cmap="tab10", s=6,
                            vmin=-0.5, vmax=9.5)
        ax.set_title(f"target {name}, {space} ({explained.sum():.0%} of the variance)")
        ax.set_xticks([])
        ax.set_yticks([])
    handles = [plt.Line2D([], [], marker="o", ls="", color=plt.cm.tab10(c)) for c in range(task["num_classes"])]
    row[1].legend(handles, task["class_names"], fontsize=7, loc="center left",
                  bbox_to_anchor=(1.0, 0.5))
plt.tight_layout()
plt.show()

# %% [markdown]
# The pictures are less flattering to the pretrained features than one might expect. On
# target A the 1-NN accuracy is the same in both spaces; the feature map pulls the three
# kinds of footwear into one tight cloud (the source network never had to tell shoes
# apart, it has no shoe class) and spreads shirts and bags out, while the pixel map
# separates the same groups in its own way. On the digits the pixels win: their nearest
# neighbours have the right label more often than the features', and only the 0s and 1s
# stand apart in the feature map. The top features were made for garments; averaged over
# the whole image, they keep little of *where* the strokes of a digit are.

# %% [markdown]
# ## 9. Which layer transfers best
#
# If the top layer is too specialised for digits, perhaps an earlier one is better. For
# each block we take its output maps (block 1: 16 maps of 14x14, block 2: 32 of 7x7,
# block 3: 64 of 3x3) and pool them into a vector in two ways: the average over the whole
# map (global average pooling, one number per channel, like `feature_vector`), and the
# averages over a 2x2 grid of regions (four numbers per channel, which keeps a coarse idea
# of *where* things are). A linear classifier (the same normalised head and recipe as
# ways 1-2) is trained on each kind of vector with all training labels. Two references
# for honesty: a linear classifier on the raw pixels, and the same features from a
# network with the same architecture and **random** weights (it tells how much of what we
# see is pretraining and how much is just "convolutions, ReLUs and pooling").

# %%
torch.manual_seed(0)
random_net = SmallCNN(num_classes=5)  # the same architecture, random weights
layer_tasks = {"B (digits)": digits} if QUICK else targets
layer_settings = [(block, grid) for grid in (1, 2) for block in (1, 2, 3)]


def linear_probe(vectors, task):
    """Test accuracy of a normalised linear head trained on per-split vectors (all labels)."""
    torch.manual_seed(0)
    probe = with_feature_norm(torch.nn.Linear(vectors["train"].shape[1], task["num_classes"]))
    train_classifier(probe, vectors["train"], task["y_train"], **LINEAR,
                     X_val=vectors["val"], y_val=task["y_val"])
    return accuracy(probe, vectors["test"], task["y_test"])


layer_results = {}
with tqdm(total=len(layer_tasks) * (2 * len(layer_settings) + 1), desc="layers") as bar:
    for name, task in layer_tasks.items():
        pixels = {s: task[f"X_{s}"].flatten(1) for s in ("train", "val", "test")}
        layer_results[(name, "pixels")] = (linear_probe(pixels, task), pixels["train"].shape[1])
        bar.update(1)
        for net_name, net in (("pretrained", pretrained), ("random", random_net)):
            for block, grid in layer_settings:
                vectors = {s: block_features(net, task[f"X_{s}"], block, grid)
                           for s in ("train", "val", "test")}
                layer_results[(name, net_name, block, grid)] = (linear_probe(vectors, task),
                                                                vectors["train"].shape[1])
                bar.update(1)

for name in layer_tasks:
    print(f"target {name}: test accuracy of a linear classifier (all labels); raw pixels "
          f"({layer_results[(name, 'pixels')][1]} numbers): {layer_results[(name, 'pixels')][0]:.1%}")
    print(f"   {'features':<28}{'numbers':>8}{'pretrained':>12}{'random':>9}")
    for block, grid in layer_settings:
        acc, size = layer_results[(name, "pretrained", block, grid)]
        rand = layer_results[(name, "random", block, grid)][0]
        pooling = "global average" if grid == 1 else "2x2 average"
        print(f"   {f'block {block}, {pooling}':<28}{size:>8}{acc:>12.1%}{rand:>9.1%}")

fig, axes = plt.subplots(1, len(layer_tasks), figsize=(6.5 * len(layer_tasks), 3.8), squeeze=False)
for ax, name in zip(axes[0], layer_tasks, strict=True):
    x = np.arange(3)
    for offset, (net_name, grid, color) in enumerate([("pretrained", 1, "tab:blue"),
                                                       ("pretrained", 2, "tab:cyan"),
                                                       ("random", 1, "tab:gray"),
                                                       ("random", 2, "silver")]):
        values = [layer_results[(name, net_name, block, grid)][0] for block in (1, 2, 3)]
        ax.bar(x + (offset - 1.5) * 0.2, values, width=0.2, color=color,
               label=f"{net_name}, {'global' if grid == 1 else '2x2'} average")
    ax.axhline(layer_results[(name, "pixels")][0], color="black", ls="--", label="raw pixels")
    ax.set_xticks(x, ["block 1", "block 2", "block 3"])
    low = min(v[0] for k, v in layer_results.items() if k[0] == name)
    ax.set_ylim(max(0.0, low - 0.05), 1.0)
    ax.set_ylabel("test accuracy")
    ax.set_title(f"target {name}: linear classifier on each block's output")
axes[0, -1].legend(fontsize=8, loc="lower right")
plt.tight_layout()
plt.show()

# %% [markdown]
# Reading the table:
#
# - With **global average pooling**, later blocks look better on both targets, but that
#   comparison is unfair: block 1 gives 16 numbers, block 3 gives 64, and averaging a map
#   over the whole image throws away where things are.
# - With the **2x2 grid**, which keeps a little layout, every block does much better on
#   the digits, and block 1's 64 numbers beat block 3's 64 global averages (the
#   vectors of ways 1-2). Most of what ways 1-2 lost on the digits was lost by the global
#   average, not by the depth of the layer. With the layout kept, the **last block** was
#   still the best on the digits, so the advice "for a different target, take features
#   from an earlier layer" is *not* confirmed by this network.
# - The **random network** tells how much of this is pretraining. On the digits, its
#   features are about as good as the pretrained ones at every block: for this target,
#   what the body offers comes from its architecture (local filters, ReLUs, pooling), not
#   from what it learned on clothes. On target A the pretrained top block is clearly
#   better than the random one (with either pooling), while blocks 1 and 2 are not: what
#   transfers to a similar task sits in the top block, the layer most specific to the
#   source's kind of images.
#
# The advice comes from networks with many more layers, whose top layers respond to very
# specific things (a dog's snout, a wheel) and whose early and middle layers to generic
# ones. Our network has three blocks: its "top" is, in depth, like the early layers of a
# large network, still generic enough to serve the digits, and our pretraining was too
# small to make any of it much better than random filters for a different task.

# %% [markdown]
# ### Inline question 4
#
# On target B, what hurt the frozen features of ways 1-2 more: the depth of the layer
# they come from, or the global average pooling? Answer with numbers from the table. What
# does the column of the random network say about how much the pretraining on clothes
# helps for the digits, and for target A? Why might the advice about earlier layers still
# be right for a large network pretrained on ImageNet?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_layer", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# The pooling. Block 3 with a global average (64 numbers, what ways 1-2 use) was a few
# points below block 3 with a 2x2 grid of averages, which was the best of all; even
# block 1 with a 2x2 grid (also 64 numbers) beat block 3's global average. The location
# of the strokes is essential for digits (a 6 and a 9 are the same stroke in different
# places; a 7 and a 1 differ by a bar at the top), and a global average keeps only how
# much of each pattern there is, not where; a coarse 2x2 layout is enough to separate
# most digits. The random network's features were about as good as the pretrained ones
# on the digits at every block, so for that target the clothes pretraining contributed
# almost nothing beyond what convolutions, ReLUs and pooling give anyway; on target A the
# pretrained top block was clearly better than the random one, so there the pretraining
# did transfer, and it sits in the top block. In a large ImageNet network the top layers
# are very specific (they detect parts of the thousand training classes), and the
# details another domain needs (strokes, textures of medical images) may have been
# discarded by then, while the early and middle layers still compute generic edges,
# corners and textures; our three-block network never gets that specific, so its top
# block is still generic.
# ### END SOLUTION

# %% [markdown]
# ## 10. Summary
#
# - A network trained on one task is a starting point for another. Its body turns an
#   image into a feature vector; for a new task we replace its head and decide how much of
#   the body to train.
# - **Way 1** freezes the body (`requires_grad = False`, not `eval()`) and trains a new
#   linear head. **Way 2** computes the feature vectors once and trains the same head on
#   them: the same model and accuracy, several times faster, because the body no longer
#   runs in every epoch (but no data augmentation and no change to the body). A
#   parameter-free normalisation in front of the head made it train in a few epochs and
#   folds into the head's weights afterwards.
# - **Way 3** fine-tunes the top blocks as well, with its own learning rate for the
#   body (parameter groups), so that the pretrained weights are adjusted rather than
#   overwritten.
# - Against training from scratch with 10 to all labels per class: fine-tuning was the
#   best or level with the best at every budget on both targets. The linear head on
#   frozen features was the cheapest; on the similar target it was level with training
#   from scratch with few labels (within the spread) and fell behind with all of them; on
#   the different target (digits) it was below training from scratch at every budget. The
#   lecture's advice held for "different: the top features help less" and "large:
#   fine-tune", only partly for "small and similar: a linear head" (fine-tuning did not
#   overfit here), and not for "different: take earlier layers": on the digits the global
#   average pooling cost more than the depth, and with a 2x2 layout the top block was
#   best.
# - The honest references matter: training from scratch with the same labels, recipe
#   and validation budget; repeated subsets at small budgets; and a randomly initialised
#   network of the same architecture, whose features were about as useful for the digits
#   as the pretrained ones. A pretrained network is worth most when it was trained on a
#   large, varied dataset close to the new task, which a 24k-parameter network trained on
#   4,500 images of five kinds of clothes is only partly.
