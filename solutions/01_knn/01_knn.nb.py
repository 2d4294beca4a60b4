# %% [markdown]
# # 01 - Image classification and k-nearest neighbours
#
# Given an image, say which of a fixed set of classes it shows. This notebook builds the
# simplest classifier that learns that from examples, the **k-nearest-neighbour (k-NN)
# classifier**, and uses it to meet ideas that stay with us for the whole course: the gap
# between pixels and meaning, training/validation/test data, hyper-parameters, and
# vectorised NumPy code.
#
# **What you write.** Five methods of `KNearestNeighbor` in
# `cs231n_utils/classifiers/k_nearest_neighbor.py` (sections 4, 5, 6, 8 and 9), plus the
# answers to four inline questions in this notebook. Each method has a graded cell right
# after its section: it runs a visible check that prints `PASS ...` or stops with a
# one-line reason. Your points come from hidden tests on other random shapes, which the
# grader runs outside this notebook: only what your methods return counts. You can also
# run every check from a terminal.
#
# **How long it takes.** Top to bottom, the notebook runs in well under a minute on a
# laptop CPU with the embedded data. Set the environment variable `CS231N_QUICK=1` before
# starting Jupyter (the grader sets `NBGRADER_EXECUTION`, which has the same effect) and
# every experiment shrinks: fewer images, fewer values of k. The numbers then get
# noisier, but every cell still runs.
#
# **Contents**
# 1. The semantic gap
# 2. The data
# 3. Nearest neighbour, k-NN, L1 and L2
# 4. Distances with two loops (graded)
# 5. Distances with one loop (graded)
# 6. Distances with no loops (graded)
# 7. Timing the three versions
# 8. Predicting labels: the majority vote (graded)
# 9. L1 distance (graded)
# 10. Choosing k: four ideas
# 11. Final test accuracy
# 12. Why k-NN is rarely used on images
# 13. Summary

# %%
# %matplotlib inline
# %load_ext autoreload
# %autoreload 2

import os

import matplotlib.pyplot as plt
import numpy as np
from scipy.spatial.distance import cdist
from tqdm.auto import tqdm

from cs231n_utils.classifiers.k_nearest_neighbor import KNearestNeighbor
from cs231n_utils.data import load_image_data
from cs231n_utils.timing import compare_timings, format_timings, time_function
from cs231n_utils.vis_utils import show_image_grid, show_images

# The quick switch: the grader sets NBGRADER_EXECUTION; set CS231N_QUICK=1 yourself.
QUICK = bool(os.environ.get("NBGRADER_EXECUTION") or os.environ.get("CS231N_QUICK"))
plt.rcParams["figure.figsize"] = (9.0, 5.0)
plt.rcParams["image.interpolation"] = "nearest"
print("quick mode" if QUICK else "full mode", "- set CS231N_QUICK=1 for a fast run")

# %% [markdown]
# ## 1. The semantic gap
#
# You look at a photo and see a sneaker. The computer sees a grid of numbers: one
# brightness between 0 and 255 per pixel (three per pixel for a colour image). Nothing in
# those numbers says "sneaker". Bridging the distance between the numbers and the meaning
# is called the **semantic gap**, and it is wider than it looks: the same object gives
# completely different numbers when
#
# - it is seen from another angle, or is another model of the same kind of object;
# - the light changes (every pixel gets darker or brighter);
# - it moves a few pixels, or is partly hidden, or sits on another background.
#
# People cope with all of this without effort. Writing rules by hand ("a sneaker has a
# sole edge here and laces there") breaks at once on the next image. The alternative is
# the **data-driven approach**: collect many labelled examples, let an algorithm learn from
# them (`train`), and then ask it about new images (`predict`).
#
# Below, first the numbers the computer actually gets for one image, then a few training
# images of every class, then many images of a single class to see how much one label can
# vary.

# %%
NUM_TRAIN = 2000 if QUICK else 9000
NUM_VAL = 500 if QUICK else 1000
NUM_TEST = 500 if QUICK else 2000

data = load_image_data(num_train=NUM_TRAIN, num_val=NUM_VAL, num_test=NUM_TEST, seed=0)
class_names = data["class_names"]
H, W, C = data["image_shape"]

image = data["X_train"][0]
print(f"One training image, label {data['y_train'][0]} ({class_names[data['y_train'][0]]}),"
      f" shape {image.shape}. Its top-left 8 x 12 pixels (first channel):")
print(image[:8, :12, 0].astype(int))

# %%
fig = show_image_grid(data["X_train"], data["y_train"], class_names, samples_per_class=7)
fig.suptitle("Seven random training images of each class")
plt.show()

# %%
VARIETY_CLASS = 8  # "Bag" in Fashion-MNIST, "ship" in CIFAR-10
members = np.flatnonzero(data["y_train"] == VARIETY_CLASS)[:16]
fig = show_images(data["X_train"][members], ncols=8, normalize=False, size=1.2)
fig.suptitle(f"Sixteen images of one class: {class_names[VARIETY_CLASS]}")
plt.show()

# %% [markdown]
# One label covers handles up or down, with and without straps, bright and dark, wide and
# narrow. A good classifier must give all of them the same answer and still tell a bag from
# a pullover.

# %% [markdown]
# ## 2. The data
#
# `load_image_data` prints which images it uses. By default that is a balanced subset of
# **Fashion-MNIST** that ships with the workbook: 10 classes of clothing and shoes, 28 x 28
# grayscale pixels, 10,000 training and 2,000 test images. If you have downloaded
# **CIFAR-10** with `bash datasets/get_datasets.sh`, the same call uses it instead: 10
# classes of objects and animals, 32 x 32 colour pixels, 50,000 training and 10,000 test
# images (we then use only as many as above). All code below works for both.
#
# The data come in three parts:
#
# - **training** images: the classifier may look at them and their labels;
# - **validation** images: held out from training, used to choose settings such as k;
# - **test** images: touched once, at the very end, to report how well we do.
#
# k-NN compares images as long vectors, so we flatten each H x W x C image into one row
# of D = H * W * C numbers. (`reshape` gives a view: no pixel is copied.)

# %%
X_train = data["X_train"].reshape(len(data["X_train"]), -1)
X_val = data["X_val"].reshape(len(data["X_val"]), -1)
X_test = data["X_test"].reshape(len(data["X_test"]), -1)
y_train, y_val, y_test = data["y_train"], data["y_val"], data["y_test"]

for name, X, y in [("train", X_train, y_train), ("val", X_val, y_val), ("test", X_test, y_test)]:
    counts = np.bincount(y, minlength=len(class_names))
    print(f"X_{name:5s} {X.shape}  {X.dtype}  images per class {counts.min()}-{counts.max()}")

# %% [markdown]
# ## 3. Nearest neighbour, k-NN, L1 and L2
#
# **Nearest neighbour.** Training is remembering: store every training image with its
# label. To classify a new image, find the training image that is most similar to it and
# copy its label.
#
# "Most similar" needs a distance between two images $a$ and $b$ (rows of D pixels). The
# two classic choices:
#
# - **L1 (Manhattan) distance** $\; d_1(a, b) = \sum_p |a_p - b_p|$: add up the absolute
#   pixel differences.
# - **L2 (Euclidean) distance** $\; d_2(a, b) = \sqrt{\sum_p (a_p - b_p)^2}$: the
#   straight-line length between the two points in D-dimensional space.
#
# Both are 0 for identical images and grow as pixels differ, but they weigh differences
# differently. Squaring makes L2 punish one large difference more than many small ones;
# L1 counts every unit of difference the same wherever it is. L2 does not care how the
# coordinate axes are turned (rotate all points together and no L2 distance changes); L1
# does, because it measures along the axes. So L1 suits data whose coordinates each mean
# something on their own (a pixel, a sensor reading, a price), and is less swayed by a
# few wildly different coordinates; L2 suits data where only the geometry matters. For
# raw pixels neither is clearly right, so we will treat the choice as a setting to try
# (section 9).
#
# **k nearest neighbours.** One neighbour is fragile: a single mislabelled or unusual
# training image claims a whole patch of space around it. Using the **k** closest training
# images and letting them vote (majority wins) smooths this out. k is a
# **hyper-parameter**: a setting we choose, not something learnt from the data (section 10
# says how).
#
# The picture shows the points at distance 1 from the centre under each distance: a
# diamond for L1, a circle for L2. Turning the diamond changes which points lie on it;
# turning the circle changes nothing.

# %%
angles = np.linspace(0, 2 * np.pi, 400)
directions = np.stack([np.cos(angles), np.sin(angles)], axis=1)
l1_unit = directions / np.abs(directions).sum(axis=1, keepdims=True)   # |x| + |y| = 1
fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.plot(l1_unit[:, 0], l1_unit[:, 1], label="L1 distance 1 (diamond)")
ax.plot(directions[:, 0], directions[:, 1], label="L2 distance 1 (circle)")
ax.set_aspect("equal")
ax.axhline(0, color="gray", lw=0.5)
ax.axvline(0, color="gray", lw=0.5)
ax.legend(loc="lower center", fontsize=8)
ax.set_title("Points at distance 1 from the origin")
plt.show()

v = np.array([1.0, 0.0])
turn = np.array([[np.cos(np.pi / 4), -np.sin(np.pi / 4)], [np.sin(np.pi / 4), np.cos(np.pi / 4)]])
for name, vec in [("v", v), ("v turned by 45 degrees", turn @ v)]:
    print(f"{name:24s} L1 length {np.abs(vec).sum():.3f}   L2 length {np.sqrt(vec @ vec):.3f}")

# %% [markdown]
# ## 4. Distances with two loops
#
# Everything k-NN does at test time rests on one array: the **distance matrix**
# `dists` of shape `(num_test, num_train)`, where `dists[i, j]` is the L2 distance between
# test row `i` and training row `j`.
#
# Open `cs231n_utils/classifiers/k_nearest_neighbor.py`. `train` is already written: it
# checks the shapes and stores `self.X_train` and `self.y_train`. Fill in
# `compute_distances_two_loops`: one loop over the test rows, one over the training rows,
# and for each pair the square root of the sum of squared differences. Use NumPy for the
# sum over the D pixels (no third loop), and no library distance function (no
# `np.linalg.norm`, no SciPy): the point is to write it yourself.
#
# Then run the graded cell. Its check compares your matrix with SciPy's `cdist` on small
# random data.

# %% nbgrader={"grade": true, "grade_id": "two_loops", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): KNearestNeighbor.compute_distances_two_loops
from cs231n_utils.checks.knn import check_two_loops

check_two_loops()

# %% [markdown]
# Two Python loops cost one round trip through the interpreter per (test, train) pair.
# Here is how long it takes on a few test images against the full training set; keep the
# number in mind for section 7.

# %%
classifier = KNearestNeighbor()
classifier.train(X_train, y_train)

seconds = time_function(classifier.compute_distances_two_loops, X_val[:10], repeat=1)
pairs = len(X_train) * len(X_test)
print(f"two loops: {seconds:.2f} s for 10 test images x {len(X_train)} training images; "
      f"the whole test set would take about {seconds / 10 * len(X_test):.0f} s "
      f"({pairs / 1e6:.0f} million pairs)")

# %% [markdown]
# ## 5. Distances with one loop
#
# NumPy works on whole arrays in compiled code, far faster than a Python loop. Remove the
# inner loop: in `compute_distances_one_loop`, compare test row `i` with *all* training
# rows at once. `self.X_train - X[i]` subtracts the row from every training row
# (**broadcasting**: the shapes `(num_train, D)` and `(D,)` line up from the right), and a
# sum along `axis=1` gives one number per training row.

# %% nbgrader={"grade": true, "grade_id": "one_loop", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): KNearestNeighbor.compute_distances_one_loop
from cs231n_utils.checks.knn import check_one_loop

check_one_loop()

# %% [markdown]
# ## 6. Distances with no loops
#
# Now compute the whole matrix with no Python loop at all. Broadcasting a
# `(num_test, 1, D)` array against a `(1, num_train, D)` one would work in principle, but
# it builds a `num_test x num_train x D` array: for 2,000 test and 9,000 training images
# of 784 pixels that is over 100 GB. The way out is to expand the square:
#
# $$\|a - b\|^2 = \|a\|^2 + \|b\|^2 - 2\, a \cdot b .$$
#
# - $\|a\|^2$ for every test row is a vector of length `num_test`, $\|b\|^2$ for every
#   training row one of length `num_train`;
# - all the dot products $a \cdot b$ at once are one matrix product, `X @ self.X_train.T`,
#   of shape `(num_test, num_train)`. Matrix products are the most optimised operation in
#   numerical computing, so this is where the speed comes from;
# - broadcasting adds the two vectors as a column and a row.
#
# Two details. Rounding can make a tiny squared distance come out slightly *negative*
# (when $a$ and $b$ are nearly equal, we subtract two large, almost equal numbers), and the
# square root of a negative number is NaN: clamp at 0 before the root. And the
# `(num_test, num_train)` array is the big one: build it once and finish the formula in
# place (`*=`, `+=`, `out=`) instead of making several copies of it.
#
# The check also counts how many lines of Python your method runs: a loop over rows
# (including a list comprehension) runs too many and fails.

# %% nbgrader={"grade": true, "grade_id": "no_loops", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Graded (3 points): KNearestNeighbor.compute_distances_no_loops
from cs231n_utils.checks.knn import check_no_loops

check_no_loops()

# %% [markdown]
# All three versions must give the same matrix, up to rounding: the no-loop version can
# lose a few of the 16 digits of float64 in the expansion (with whole-number pixels, as
# here, it is often exact). We compare them by the largest absolute difference.

# %%
sample = X_val[:20]
d_two = classifier.compute_distances_two_loops(sample)
d_one = classifier.compute_distances_one_loop(sample)
d_none = classifier.compute_distances_no_loops(sample)
print(f"two loops vs one loop: max |difference| {np.abs(d_two - d_one).max():.2g}")
print(f"two loops vs no loops: max |difference| {np.abs(d_two - d_none).max():.2g}")
assert np.allclose(d_two, d_one) and np.allclose(d_two, d_none), "the versions disagree"

# %% [markdown]
# Now the distances from every validation image to every training image, and a picture of
# part of the matrix. Rows (validation images) and columns (training images) are sorted by
# class, so the picture falls into 10 x 10 blocks: dark means close. If pixel distance
# knew about classes, the diagonal blocks (same class on both sides) would be clearly
# darker than the rest. Some are; others are not, and some rows or columns are dark or
# bright all the way across (an image that is close to or far from almost everything,
# e.g. a very dark or very bright one).

# %%
dists_val = classifier.compute_distances_no_loops(X_val)
print("dists_val:", dists_val.shape)

row_order = np.argsort(y_val[:300], kind="stable")
col_order = np.argsort(y_train[:1200], kind="stable")
fig, ax = plt.subplots(figsize=(10, 3.5))
ax.imshow(dists_val[:300][row_order][:, col_order], cmap="viridis", aspect="auto")
for edge in np.flatnonzero(np.diff(y_val[:300][row_order])) + 0.5:
    ax.axhline(edge, color="white", lw=0.6)
for edge in np.flatnonzero(np.diff(y_train[:1200][col_order])) + 0.5:
    ax.axvline(edge, color="white", lw=0.6)
ax.set_xlabel("training image (sorted by class)")
ax.set_ylabel("validation image (sorted by class)")
ax.set_title("L2 distances, dark = close")
plt.show()

# %% [markdown]
# ## 7. Timing the three versions
#
# The same answer, three speeds. `compare_timings` runs each version a few times on the
# same data and keeps the fastest run (slower runs measure whatever else the computer was
# doing). The two-loop version is so slow that we time all three on a small slice.

# %%
n_rows, n_train = (20, 500) if QUICK else (100, 2000)
small = KNearestNeighbor()
small.train(X_train[:n_train], y_train[:n_train])
rows_timed = X_val[:n_rows]
rows = compare_timings(
    {
        "two loops": small.compute_distances_two_loops,
        "one loop": small.compute_distances_one_loop,
        "no loops": small.compute_distances_no_loops,
    },
    rows_timed,
    repeat=2,
)
print(f"{n_rows} validation images x {n_train} training images, D = {X_train.shape[1]}")
print(format_timings(rows))

fig, ax = plt.subplots(figsize=(6, 2.5))
ax.barh([r.name for r in rows], [r.seconds for r in rows], color=["C3", "C1", "C2"])
ax.set_xscale("log")
ax.invert_yaxis()
ax.set_xlabel("seconds (log scale)")
for r in rows:
    ax.text(r.seconds, r.name, f"  {r.seconds:.3g} s", va="center")
ax.set_title("Same distances, three implementations")
plt.show()

# %% [markdown]
# The no-loop version is around a hundred times faster than two loops, and more on bigger
# data: a Python loop pays the interpreter's overhead at every step, while one matrix
# product runs in optimised, multi-threaded compiled code. "Write it as array operations"
# is the single most useful habit for the rest of the course.

# %% [markdown]
# ## 8. Predicting labels: the majority vote
#
# With `dists` in hand, prediction is bookkeeping. For each test row `i`:
#
# 1. find the indices of the `k` smallest entries of `dists[i]` (`np.argsort` sorts them
#    all; `np.argpartition` only separates the k smallest, which is cheaper);
# 2. look up their labels in `self.y_train`;
# 3. return the most common label. When two labels get the same number of votes, return
#    the **smaller** label, so the answer never depends on an arbitrary order.
#    `np.bincount(labels)` counts how often each label occurs and `argmax` returns the
#    first (smallest) of several maxima: exactly that rule.
#
# Fill in `predict_labels`. Its check feeds it fixed distance matrices (not yours), so it
# tests the vote alone.

# %% nbgrader={"grade": true, "grade_id": "predict_labels", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Graded (3 points): KNearestNeighbor.predict_labels
from cs231n_utils.checks.knn import check_predict_labels

check_predict_labels()

# %% [markdown]
# A first accuracy, on the validation set (the test set waits for section 11):

# %%
for k in (1, 5):
    y_pred = classifier.predict_labels(dists_val, k=k)
    print(f"k = {k}: {np.mean(y_pred == y_val):.1%} of {len(y_val)} validation images correct")

# %% [markdown]
# Far above the 10% of guessing. To *see* what k does, here is k-NN on a toy problem in
# two dimensions, where we can colour every point of the plane by the class k-NN would
# predict there. Three clouds of points, with a few labels deliberately wrong. With k = 1
# every wrong label carves out its own little island; with a larger k the vote outweighs
# isolated points and the boundaries get smoother.

# %%
rng = np.random.default_rng(1)
centres = np.array([[0.0, 0.0], [3.0, 0.5], [1.5, 2.8]])
toy_y = np.repeat(np.arange(3), 40)
toy_X = centres[toy_y] + rng.normal(scale=0.8, size=(len(toy_y), 2))
flipped = rng.choice(len(toy_y), size=8, replace=False)
toy_y[flipped] = (toy_y[flipped] + rng.integers(1, 3, size=8)) % 3   # label noise
toy_colours = np.array(["C0", "C1", "C2"])

lo, hi = toy_X.min(axis=0) - 1, toy_X.max(axis=0) + 1
gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 160), np.linspace(lo[1], hi[1], 160))
grid = np.column_stack([gx.ravel(), gy.ravel()])


def plot_regions(ax, knn, k, title):
    """Colour the plane by k-NN's prediction and draw the toy training points."""
    regions = knn.predict(grid, k=k).reshape(gx.shape)
    ax.contourf(gx, gy, regions, levels=[-0.5, 0.5, 1.5, 2.5], colors=toy_colours, alpha=0.25)
    ax.scatter(toy_X[:, 0], toy_X[:, 1], c=toy_colours[toy_y], edgecolors="k", s=18)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])


toy_l2 = KNearestNeighbor()
toy_l2.train(toy_X, toy_y)
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
plot_regions(axes[0], toy_l2, 1, "k = 1 (L2)")
plot_regions(axes[1], toy_l2, 7, "k = 7 (L2)")
plt.show()

# %% [markdown]
# ## 9. L1 distance
#
# `KNearestNeighbor(metric="l1")` makes a classifier whose `predict` uses the L1 distance
# instead of L2. Fill in `compute_distances_l1`: the sum of absolute differences. L1 has no
# matrix-product shortcut like the one in section 6, so a loop over the test rows, each
# compared with all training rows at once, is the sensible way (it is the reason L2 is the
# default: it is much faster to compute).

# %% nbgrader={"grade": true, "grade_id": "l1", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): KNearestNeighbor.compute_distances_l1
from cs231n_utils.checks.knn import check_l1

check_l1()

# %% [markdown]
# Does the distance matter? On the toy problem the boundaries change character: L1's are
# made of horizontal, vertical and diagonal pieces, because its "circles" are diamonds.
# On the images we compare the two on part of the validation set. L1 is slower, so we
# compute it in chunks with a progress bar.

# %%
toy_l1 = KNearestNeighbor(metric="l1")
toy_l1.train(toy_X, toy_y)
fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
plot_regions(axes[0], toy_l2, 1, "k = 1, L2")
plot_regions(axes[1], toy_l1, 1, "k = 1, L1")
plt.show()

# L1 takes about 0.04 s per validation image here (D = 784), four times that on CIFAR-10.
num_compare = 100 if QUICK or X_train.shape[1] > 1000 else 300
classifier_l1 = KNearestNeighbor(metric="l1")
classifier_l1.train(X_train, y_train)
chunks = np.array_split(np.arange(num_compare), 10)
dists_val_l1 = np.vstack([
    classifier_l1.compute_distances_l1(X_val[chunk]) for chunk in tqdm(chunks, desc="L1 distances")
])
for k in (1, 5):
    acc_l1 = np.mean(classifier_l1.predict_labels(dists_val_l1, k=k) == y_val[:num_compare])
    acc_l2 = np.mean(classifier.predict_labels(dists_val[:num_compare], k=k) == y_val[:num_compare])
    print(f"k = {k}: L1 {acc_l1:.1%}   L2 {acc_l2:.1%}   ({num_compare} validation images)")

# %% [markdown]
# The two are close on raw pixels; with a few hundred validation images a difference of a
# percentage point or two is within the noise. Which one wins is an empirical question,
# answered on validation data like any other hyper-parameter.

# %% [markdown]
# **Inline question 1.** Suppose the same change is made to every image (training *and*
# test) before running a 1-nearest-neighbour classifier. For each change, can the
# predictions change with the L1 distance? With the L2 distance? Explain briefly.
#
# 1. Add 20 to every pixel of every image.
# 2. Multiply every pixel of every image by 0.5.
# 3. Divide each pixel position by its own standard deviation over the training set
#    (so pixel 17 is divided by one number, pixel 18 by another).
# 4. Rotate the data: replace every image vector $x$ by $Rx$ for one fixed rotation
#    matrix $R$ (for example, a 45-degree rotation in the plane of two pixels).

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_l1_l2_invariance", "locked": false, "points": 2, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# 1-NN only uses the *ranking* of distances from a test image to the training images, so a
# change that leaves every distance the same, or scales all of them by one positive
# factor, cannot change a prediction.
#
# 1. **Neither changes.** Adding the same constant to both images cancels in every
#    difference $a_p - b_p$.
# 2. **Neither changes.** Every difference is halved, so every L1 and every L2 distance is
#    halved; the ranking is the same.
# 3. **Both can change.** Each coordinate is scaled by a different factor, so pixels that
#    vary little now count for more. Distances change by different amounts and the
#    nearest neighbour can change, under L1 and L2 alike.
# 4. **L2 cannot change, L1 can.** A rotation keeps Euclidean lengths, so
#    $\|Ra - Rb\|_2 = \|a - b\|_2$. The L1 length depends on the axes: $(1, 0)$ has L1
#    length 1, but turned by 45 degrees it becomes $(0.71, 0.71)$ with L1 length 1.41, so
#    L1 distances change by different factors and the ranking can change.
# ### END SOLUTION

# %% [markdown]
# ## 10. Choosing k: four ideas
#
# k (and the choice between L1 and L2) are hyper-parameters. How should we pick them? The
# lecture considers four ideas in turn; we try each one.
#
# ### Idea 1: the k that does best on the training data
#
# Classify training images with the classifier that has memorised them. Here: the first
# training images against the full training set.

# %%
k_choices = [1, 3, 5, 10, 20] if QUICK else [1, 3, 5, 8, 10, 12, 15, 20, 50, 100]
num_queries = 300 if QUICK else 1000
dists_train = classifier.compute_distances_no_loops(X_train[:num_queries])
train_accuracy = {
    k: np.mean(classifier.predict_labels(dists_train, k=k) == y_train[:num_queries])
    for k in k_choices
}
for k, acc in train_accuracy.items():
    print(f"k = {k:3d}: training accuracy {acc:.1%}")

# %% [markdown]
# k = 1 wins, with (almost) perfect accuracy, and would win on any data set.

# %% [markdown]
# **Inline question 2.** Why does k = 1 reach (almost) 100% accuracy on the training
# images, and why does that make training accuracy useless for choosing k? What could
# keep it a little below 100%?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_train_accuracy", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# Every training image is itself in the stored training set, at distance 0, so its single
# nearest neighbour is itself and the prediction is its own label. The score measures
# memory, not generalisation: it says nothing about images the classifier has not seen,
# and it always favours k = 1, the setting most sensitive to noise and mislabelled
# examples. Only held-out data can tell how well a k generalises. It can fall a little
# below 100% when two identical (or equally distant) training images carry different
# labels, or when rounding in the no-loop distances makes another image look as close.
# ### END SOLUTION

# %% [markdown]
# ### Idea 2: the k that does best on the test data
#
# Better: score each k on images the classifier has not memorised. But if those are the
# test images, we have used the test set to make a decision, and the accuracy of the
# winner on that same test set is no longer an honest estimate of how it will do on new
# images. The reason is selection: each score is partly luck (which images happen to be in
# the set), and picking the maximum also picks the luck. The test set is meant to be a
# stand-in for the future; once it has influenced a choice, it is not.
#
# We can measure this effect without touching the test set. Split the validation images
# at random into halves A and B, pick the k that does best on A, and compare its accuracy
# on A (the "peeked" number) with its accuracy on B (an honest number for the same
# choice). Repeat for many random splits.

# %%
val_pred = {k: classifier.predict_labels(dists_val, k=k) for k in k_choices}
correct = np.array([val_pred[k] == y_val for k in k_choices])   # (num_k, num_val)

rng = np.random.default_rng(0)
gaps = []
for _ in range(500):
    order = rng.permutation(len(y_val))
    half_a, half_b = order[: len(order) // 2], order[len(order) // 2 :]
    acc_a, acc_b = correct[:, half_a].mean(axis=1), correct[:, half_b].mean(axis=1)
    best = np.argmax(acc_a)
    gaps.append(acc_a[best] - acc_b[best])
gaps = np.array(gaps)

fig, ax = plt.subplots(figsize=(7, 3))
ax.hist(100 * gaps, bins=30, color="C1")
ax.axvline(100 * gaps.mean(), color="k", ls="--", label=f"mean {100 * gaps.mean():+.2f} points")
ax.set_xlabel("accuracy on the half used to choose k  minus  accuracy on the other half (points)")
ax.legend()
plt.show()
print(f"Over {len(gaps)} random splits, the half that chose k rates the winner "
      f"{100 * gaps.mean():+.2f} percentage points higher on average than fresh data does.")

# %% [markdown]
# The bias is positive, and small here because we only choose among a handful of k
# values. Tune dozens of settings on the same data and it grows. That is why the test set
# is used exactly once, at the end.
#
# ### Idea 3: train, validation, test
#
# Hold out part of the training data as a **validation set**, choose hyper-parameters by
# their validation accuracy, and only then measure test accuracy once. The validation
# curve shows the trade-off that the training accuracy (dashed) hides: too small a k
# follows noise, too large a k lets far-away images, often of other classes, outvote the
# close ones.

# %%
val_accuracy = {k: correct[i].mean() for i, k in enumerate(k_choices)}
best_k_val = max(val_accuracy, key=val_accuracy.get)   # the first (smallest) best k
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(k_choices, [val_accuracy[k] for k in k_choices], "o-", label="validation")
ax.plot(k_choices, [train_accuracy[k] for k in k_choices], "s--", label="training (idea 1)")
ax.set_xscale("log")
ax.minorticks_off()
ax.set_xticks(k_choices, [str(k) for k in k_choices])
ax.set_xlabel("k")
ax.set_ylabel("accuracy")
ax.legend()
ax.set_title("Accuracy against k")
plt.show()
print(f"best k on the validation set: {best_k_val} ({val_accuracy[best_k_val]:.1%})")

# %% [markdown]
# ### Idea 4: cross-validation
#
# One validation set of a thousand images is itself a noisy judge. **k-fold
# cross-validation** (a different k: the number of folds) uses the training data better:
# cut it into 5 equal folds; for each fold, train on the other four and measure accuracy on
# it; average the 5 results for every candidate value. Every training image serves as
# validation data exactly once, and the spread across folds shows how much the score moves
# by chance. The price is 5 times the work, which is why cross-validation is common with
# small data and cheap models and rare in deep learning, where one training run can take
# days.
#
# Each fold needs one distance matrix; all values of k reuse it.

# %%
num_folds = 5
order = np.random.default_rng(0).permutation(len(X_train))   # shuffle before cutting
fold_indices = np.array_split(order, num_folds)
k_to_accuracies = {k: [] for k in k_choices}

with tqdm(total=num_folds * len(k_choices), desc=f"{num_folds}-fold cross-validation") as bar:
    for fold in range(num_folds):
        held_out = fold_indices[fold]
        kept = np.concatenate([fold_indices[j] for j in range(num_folds) if j != fold])
        knn = KNearestNeighbor()
        knn.train(X_train[kept], y_train[kept])
        fold_dists = knn.compute_distances_no_loops(X_train[held_out])
        for k in k_choices:
            y_pred = knn.predict_labels(fold_dists, k=k)
            k_to_accuracies[k].append(np.mean(y_pred == y_train[held_out]))
            bar.update()

means = np.array([np.mean(k_to_accuracies[k]) for k in k_choices])
spreads = np.array([np.std(k_to_accuracies[k]) for k in k_choices])
best_k = k_choices[int(np.argmax(means))]   # argmax: the smallest k among equal means

fig, ax = plt.subplots(figsize=(7, 3.5))
for k in k_choices:
    ax.scatter([k] * num_folds, k_to_accuracies[k], color="gray", s=12)
ax.errorbar(k_choices, means, yerr=spreads, fmt="o-", capsize=4, label="mean +- std of 5 folds")
ax.set_xscale("log")
ax.minorticks_off()
ax.set_xticks(k_choices, [str(k) for k in k_choices])
ax.set_xlabel("k")
ax.set_ylabel("accuracy on the held-out fold")
ax.set_title("5-fold cross-validation")
ax.legend()
plt.show()
for k, m, s in zip(k_choices, means, spreads, strict=True):
    print(f"k = {k:3d}: {m:.1%} +- {s:.1%}" + ("   <- best" if k == best_k else ""))

# %% [markdown]
# Neighbouring values of k are often within one standard deviation of each other: the
# data cannot really tell them apart, and any of them would do.

# %% [markdown]
# **Inline question 3.** The validation set and the test set are both labelled images that
# the classifier was not trained on. What is the difference in how we are allowed to use
# them, and what goes wrong if we use the test set like a validation set? And what does
# cross-validation give you that a single validation split does not?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_val_vs_test", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# The validation set is for making decisions: we may look at it as often as we like to
# choose k, the distance, or anything else. The test set is for one final measurement
# after every decision is made, so that its score estimates performance on new data. If
# we choose settings by test accuracy, the test set has become part of the training
# process: the reported number is biased upwards (we kept whatever happened to score well
# on these particular images, as the split experiment above showed) and we no longer have
# any untouched data to tell us how the model will really do.
#
# Cross-validation uses every training image for validation once and averages over
# several splits, so the estimate for each setting is less noisy and we see its spread
# between folds, at the cost of training and evaluating several times.
# ### END SOLUTION

# %% [markdown]
# ## 11. Final test accuracy
#
# Now, and only now, the test set. k comes from cross-validation. Since the choice is made,
# the validation images go back into the training set: more examples help k-NN.

# %%
X_all = np.concatenate([X_train, X_val])
y_all = np.concatenate([y_train, y_val])
final = KNearestNeighbor()
final.train(X_all, y_all)
dists_test = final.compute_distances_no_loops(X_test)
y_test_pred = final.predict_labels(dists_test, k=best_k)
test_accuracy = np.mean(y_test_pred == y_test)

dataset_name = {"cifar10": "CIFAR-10", "fashion-mnist": "Fashion-MNIST",
                "fashion-mnist-embedded": "the embedded Fashion-MNIST subset"}[data["source"]]
print(f"k-NN (k = {best_k}, L2, {len(X_all)} training images) on {dataset_name}: "
      f"test accuracy {test_accuracy:.1%} ({len(y_test)} test images)")
print(f"   cross-validation estimate: {means[k_choices.index(best_k)]:.1%};  "
      f"validation accuracy with k = {best_k}: {val_accuracy[best_k]:.1%}")
print("For comparison, CS231n's k-NN on CIFAR-10 (5,000 training images) reaches about 27-28%.")

per_class = [np.mean(y_test_pred[y_test == c] == c) for c in range(len(class_names))]
for name, acc in sorted(zip(class_names, per_class, strict=True), key=lambda p: p[1]):
    print(f"   {name:12s} {acc:.0%}")

# %% [markdown]
# **What to expect.** On the embedded Fashion-MNIST subset k-NN gets roughly 80% right;
# on CIFAR-10 the same code gets about 27-28%, CS231n's figure. Fashion-MNIST is much
# easier for a pixel-by-pixel comparison: every item is centred, scaled to fill the frame,
# seen from the same standard viewpoint, in grayscale, on an empty black background. Two
# images of the same class therefore tend to have bright pixels in the same places. CIFAR-10
# photos have objects anywhere in the frame, at any size and pose, in colour, on cluttered
# backgrounds, so the background and lighting dominate pixel distances. The classes that
# k-NN gets wrong most often on Fashion-MNIST (shirt, coat, pullover) are the ones whose
# silhouettes really are alike. Some of its mistakes:

# %%
wrong = np.flatnonzero(y_test_pred != y_test)[:8]
titles = [f"{class_names[y_test[i]]}\nas {class_names[y_test_pred[i]]}" for i in wrong]
fig = show_images(data["X_test"][wrong], titles=titles, normalize=False, size=1.5)
plt.show()

# %% [markdown]
# ## 12. Why k-NN is rarely used on images
#
# ### Slow where it hurts
#
# Training takes no time: it stores references to the arrays. All the work happens at
# prediction time, and it grows with the size of the training set: every new image is
# compared with every stored one. In practice we want the opposite: training may take
# long (it happens once, on big machines), prediction must be fast (it happens for every
# user, maybe on a phone). The models in the rest of the course compress the training
# data into a fixed set of weights, so their prediction cost does not depend on how many
# training images there were.

# %%
train_seconds = time_function(final.train, X_all, y_all, repeat=3)
predict_seconds = time_function(final.predict, X_test, k=best_k, repeat=1)
print(f"train:   {train_seconds * 1e6:8.1f} microseconds for {len(X_all)} images")
print(f"predict: {predict_seconds * 1e3:8.1f} milliseconds for {len(X_test)} images "
      f"({predict_seconds / len(X_test) * 1e6:.0f} microseconds per image)")

sizes = [500, 1000, 2500] if QUICK else [1000, 2500, 5000, 10000]
queries = X_test[:100] if QUICK else X_test[:500]
costs = []
for n in sizes:
    knn = KNearestNeighbor()
    knn.train(X_all[:n], y_all[:n])
    costs.append(time_function(knn.predict, queries, k=best_k, repeat=2))
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(sizes, 1e3 * np.array(costs), "o-")
ax.set_xlabel("training images stored")
ax.set_ylabel(f"ms to classify {len(queries)} images")
ax.set_title("k-NN prediction cost grows with the training set")
plt.show()

# %% [markdown]
# ### Pixel distances are not semantic
#
# L2 distance between pixel vectors measures how much the pixels differ, not whether the
# images show the same thing. Take a test image and change it in ways that keep its
# meaning: shift it three pixels to the right, or dim it to 60% brightness. Then find the
# closest training image of a *different* class. Below, for the first 500 test images, we
# count how often a changed copy is farther from the original than that other-class image,
# and show the image where this is most striking. The titles give each image's L2 distance
# to the original.

# %%
def shift_right(images, pixels):
    """Move (N, H, W, C) images right by ``pixels``, filling the gap with 0 (black)."""
    shifted = np.zeros_like(images)
    shifted[:, :, pixels:, :] = images[:, :, : images.shape[2] - pixels, :]
    return shifted


first = np.arange(min(500, len(X_test)))
moved = shift_right(data["X_test"][first], 3).reshape(len(first), -1)
d_shifted = np.sqrt(np.sum((moved - X_test[first]) ** 2, axis=1))
d_dimmed = 0.4 * np.sqrt(np.sum(X_test[first] ** 2, axis=1))   # |x - 0.6 x| = 0.4 |x|
other_class = y_all[np.newaxis, :] != y_test[first, np.newaxis]
d_other = np.where(other_class, dists_test[first], np.inf).min(axis=1)
print(f"Of {len(first)} test images, the shifted copy is farther than the nearest image of "
      f"another class for {np.mean(d_shifted > d_other):.0%}, the dimmed copy for "
      f"{np.mean(d_dimmed > d_other):.0%}.")

i = first[np.argmax(np.minimum(d_shifted, d_dimmed) / d_other)]
original = data["X_test"][i]
nearest_other = np.flatnonzero(other_class[i])[np.argmin(dists_test[i, other_class[i]])]
pictures = [original, shift_right(original[np.newaxis], 3)[0], 0.6 * original,
            X_all[nearest_other].reshape(H, W, C)]
names = [f"original ({class_names[y_test[i]]})", "shifted 3 px", "60% brightness",
         f"other class ({class_names[y_all[nearest_other]]})"]
titles = [f"{name}\nL2 {np.sqrt(np.sum((p - original) ** 2)):.0f}"
          for name, p in zip(names, pictures, strict=True)]
fig = show_images(pictures, titles=titles, normalize=False, size=2.4)
plt.show()

# %% [markdown]
# To a person the first three images are the same item and the fourth is something else;
# to L2 the fourth is the closest. The effect is systematic. Shift *every* test image and
# measure the accuracy of the final classifier:

# %%
shift_accuracy = {}
for pixels in tqdm([0, 1, 2, 3, 4], desc="shifted test sets"):
    moved = shift_right(data["X_test"], pixels).reshape(len(X_test), -1) if pixels else X_test
    shift_accuracy[pixels] = np.mean(final.predict(moved, k=best_k) == y_test)
for pixels, acc in shift_accuracy.items():
    print(f"test images shifted {pixels} px right: accuracy {acc:.1%}")

# %% [markdown]
# **Inline question 4.** Why does k-NN's accuracy fall when every test image moves by a
# few pixels, although the objects are as easy for a person to recognise? Name one way to
# make a nearest-neighbour classifier cope better with such shifts.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_shift", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# The distance compares pixel p of one image with pixel p of the other. After a shift the
# object's bright pixels sit at other positions, so they are compared with background
# pixels of the training images: the distance to every image of the right class grows, and
# images of other classes that happen to overlap the shifted shape can become the nearest.
# The representation (raw pixels at fixed positions) has no notion that a moved object is
# the same object. Ways to cope: add shifted copies of the training images to the training
# set (data augmentation); take the distance as the minimum over small shifts of one
# image; or compare features that change little under small shifts (blurred or pooled
# images, or the features a convolutional network learns) instead of raw pixels.
# ### END SOLUTION

# %% [markdown]
# ### The curse of dimensionality
#
# k-NN works when a new image has training images *close* to it. In many dimensions
# "close" stops meaning much. Two facts show it:
#
# - To cover the unit interval with points 0.1 apart takes 10 points; the unit square, 100;
#   a D-dimensional cube, $10^D$. With D = 784 no data set comes close: almost all of the
#   space is empty.
# - Among random points, distances **concentrate**: as D grows, the nearest and the
#   farthest point from a query end up at almost the same distance, so "nearest" carries
#   little information.
#
# The experiment: 1,000 random points and 100 random queries, uniform in the unit cube of
# D dimensions, and the ratio (distance to the nearest point) / (distance to the farthest
# point), averaged over the queries. Near 0 means the nearest point is special; near 1
# means all points are about equally far.

# %%
dims = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000]
rng = np.random.default_rng(0)
ratios = []
for dim in dims:
    points = rng.uniform(size=(1000, dim))
    queries = rng.uniform(size=(100, dim))
    d = cdist(queries, points)
    ratios.append(np.mean(d.min(axis=1) / d.max(axis=1)))
image_ratio = np.mean(dists_test.min(axis=1) / dists_test.max(axis=1))

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(dims, ratios, "o-", label="uniform random points")
ax.scatter([X_test.shape[1]], [image_ratio], color="C3", zorder=3,
           label=f"real images: test vs training (D = {X_test.shape[1]})")
ax.set_xscale("log")
ax.set_ylim(0, 1)
ax.set_xlabel("dimension D")
ax.set_ylabel("nearest / farthest distance")
ax.set_title("Distances concentrate as the dimension grows")
ax.legend(fontsize=8)
plt.show()
for dim, ratio in zip(dims, ratios, strict=True):
    print(f"D = {dim:4d}: nearest / farthest = {ratio:.2f}")
print(f"real images, D = {X_test.shape[1]}: {image_ratio:.2f}")

# %% [markdown]
# For random points the ratio climbs towards 1: in a thousand dimensions every point is
# about as far as every other. Real images fare much better than random points of the same
# dimension, because they are far from random: neighbouring pixels are correlated and the
# images of a class occupy a thin, lower-dimensional part of pixel space. That structure
# is what lets k-NN work at all on Fashion-MNIST. But pixel space is still a poor place to
# measure similarity, and the better the data's structure is captured (by learned features
# instead of raw pixels), the better nearest neighbours work, which is where the rest of
# the course goes.

# %% [markdown]
# ## 13. Summary
#
# - Classification from data: training stores examples, prediction compares against them.
#   k-NN is the simplest instance, and a useful baseline.
# - The distance matrix can be computed with two loops, one loop, or none; the vectorised
#   version, built around one matrix product, is orders of magnitude faster.
# - k and the distance are hyper-parameters. Choose them on validation data or by
#   cross-validation, never on training accuracy (k = 1 always wins there) and never on the
#   test set (the estimate becomes optimistic). Test once, at the end.
# - k-NN on raw pixels is slow at test time, fooled by shifts and lighting, and limited by
#   the curse of dimensionality. On CIFAR-10 it reaches about 27-28%; on the easier
#   Fashion-MNIST about 80%. Linear classifiers (02) and neural networks (03-05) learn
#   what to compare instead of comparing raw pixels.
