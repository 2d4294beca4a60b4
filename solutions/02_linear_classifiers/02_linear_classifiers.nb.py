# %% [markdown]
# # 02 - Linear classifiers: score functions, losses and optimisation
#
# k-NN (assignment 01) keeps every training image and compares each new image with all
# of them. A **linear classifier** does the opposite: it boils the training set down to one
# weight matrix `W`, and classifying an image costs a single matrix product, however many
# images it was trained on. Building one takes three parts that stay with us for the
# rest of the course:
#
# 1. a **score function** that maps an image to one number per class (here: linear);
# 2. a **loss function** that says, as one number, how unhappy we are with those scores
#    on the training data (here: the multiclass SVM loss and the softmax loss);
# 3. an **optimiser** that searches for the `W` with the lowest loss (here: from random
#    guessing, through following the gradient, to minibatch stochastic gradient descent).
#
# **What you write.** In `cs231n_utils/classifiers/`: `svm_loss_naive` and
# `svm_loss_vectorized` (`linear_svm.py`, sections 3 and 5), `softmax_loss_naive` and
# `softmax_loss_vectorized` (`softmax.py`, sections 6 and 7), and in `linear_classifier.py`
# the methods `LinearClassifier.predict` (section 9) and `LinearClassifier.train`
# (section 13); plus the answers to five inline questions in this notebook. Every
# function has a graded cell right after its section: it runs a visible check that
# prints `PASS ...` or stops with a one-line reason. Your points come from hidden tests
# on other random shapes against PyTorch, which the grader runs outside this notebook:
# only what your functions return counts.
#
# **How long it takes.** Top to bottom, the notebook runs in one to two minutes on a
# laptop CPU with the embedded data. Set `CS231N_QUICK=1` before starting Jupyter (the
# grader sets `NBGRADER_EXECUTION`, with the same effect) and every experiment shrinks:
# fewer images, fewer steps, a smaller search. The numbers then get noisier, but every
# cell still runs.
#
# **Contents**
# 1. Linear classification: the score function
# 2. The data, the mean image and the bias trick
# 3. The multiclass SVM loss (graded)
# 4. Regularisation: which W to prefer
# 5. The SVM loss, vectorised (graded)
# 6. The softmax loss (graded)
# 7. The softmax loss, vectorised (graded)
# 8. Scores versus probabilities: SVM and softmax compared
# 9. Predicting (graded)
# 10. Optimisation, strategy 1: random search
# 11. Strategy 2: random local search
# 12. Strategy 3: following the gradient (numerical vs analytic; full-batch descent)
# 13. Minibatch SGD (graded)
# 14. The four strategies side by side
# 15. The step size: too small, about right, too large
# 16. Choosing the learning rate and regularisation on the validation set
# 17. What the classifiers learnt: one template per class
# 18. Final test accuracy
# 19. Summary

# %%
import os

# This notebook computes thousands of small matrix products (a batch of 200 images times
# W). For those, one thread is faster than several, and on a busy machine several
# threads can be ten times slower (they wait for each other). So we ask NumPy's linear
# algebra library for one thread. This must happen before NumPy is first imported, even
# by %matplotlib below (restart the kernel if you change it).
for _variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

# %matplotlib inline
# %load_ext autoreload
# %autoreload 2

import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

from cs231n_utils.classifiers.linear_classifier import LinearClassifier, LinearSVM, Softmax
from cs231n_utils.classifiers.linear_svm import svm_loss_naive, svm_loss_vectorized
from cs231n_utils.classifiers.softmax import softmax_loss_naive, softmax_loss_vectorized
from cs231n_utils.data import load_image_data
from cs231n_utils.gradient_check import grad_check_sparse
from cs231n_utils.timing import compare_timings, format_timings, time_function
from cs231n_utils.vis_utils import show_images

# The quick switch: the grader sets NBGRADER_EXECUTION; set CS231N_QUICK=1 yourself.
QUICK = bool(os.environ.get("NBGRADER_EXECUTION") or os.environ.get("CS231N_QUICK"))
plt.rcParams["figure.figsize"] = (9.0, 5.0)
plt.rcParams["image.interpolation"] = "nearest"
print("quick mode" if QUICK else "full mode", "- set CS231N_QUICK=1 for a fast run")

# %% [markdown]
# ## 1. Linear classification: the score function
#
# Flatten an image into a row vector $x$ of $D$ numbers (784 for a 28 x 28 grayscale
# image, 3072 for a 32 x 32 colour one). A linear classifier gives class $c$ the score
#
# $$ s_c = x \cdot w_c + b_c = \sum_{p=1}^{D} x_p\, w_{p,c} + b_c , $$
#
# a weighted sum of the pixels plus an offset, with one column of weights $w_c$ and one
# bias $b_c$ per class. For all $C$ classes at once, and for a whole batch of images
# stacked as the rows of $X$ (shape $N \times D$), that is one matrix product:
#
# $$ S = X W + b, \qquad X: (N, D),\quad W: (D, C),\quad S: (N, C). $$
#
# The predicted class is the one with the highest score. Three ways to read this:
#
# - **Weighted votes of pixels.** A positive $w_{p,c}$ means "bright pixel $p$ speaks
#   for class $c$", a negative one "speaks against it".
# - **Templates.** $x \cdot w_c$ is large when the image looks like the column $w_c$
#   reshaped into an image: each class has one *template*, and classifying is matching
#   the image against ten templates. Section 17 shows the templates the classifiers
#   learn. Only *one* template per class is also the model's main limit: a class that
#   comes in several different looks (a car from the front and from the side, a shoe
#   pointing left or right) has to be squeezed into a single average picture.
# - **Geometry.** An image is a point in $D$-dimensional space. Each score is a linear
#   function of that point, so the points where two classes score the same form a flat
#   hyperplane, and the classifier cuts the space into regions with flat walls.
#
# The picture shows the last reading in two dimensions, with weights made up by hand:
# each colour is the region where that class wins, and the black lines are where two
# scores tie.

# %%
toy_W = np.array([[1.0, -0.5, -0.6],
                  [0.2, 1.0, -0.9]])          # (D=2, C=3): one column per class
toy_b = np.array([0.0, -0.3, 0.4])
grid = np.linspace(-3, 3, 301)
gx, gy = np.meshgrid(grid, grid)
points = np.stack([gx.ravel(), gy.ravel()], axis=1)          # (N, 2)
winner = np.argmax(points @ toy_W + toy_b, axis=1).reshape(gx.shape)

fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.contourf(gx, gy, winner, levels=[-0.5, 0.5, 1.5, 2.5], colors=["C0", "C1", "C2"], alpha=0.35)
ax.contour(gx, gy, winner, levels=[0.5, 1.5], colors="k", linewidths=1)
for c in range(3):
    ax.plot([], [], "s", color=f"C{c}", alpha=0.5, label=f"class {c} wins")
ax.set_aspect("equal")
ax.set_xlabel("$x_1$")
ax.set_ylabel("$x_2$")
ax.legend(loc="lower left", fontsize=8)
ax.set_title("A linear classifier cuts space with straight walls")
plt.show()

# %% [markdown]
# Straight walls cannot separate everything. Two classes arranged as a disc inside a
# ring cannot be split by any line in the plane. But describe each point by three numbers
# instead of two, adding its squared distance from the centre as a third feature, and a
# flat plane (a horizontal line in the right picture) separates them perfectly. This is
# the idea the lecture notes stress: a representation in which the classes become
# linearly separable makes a linear classifier enough. Raw pixels are rarely such a
# representation; the networks of the later assignments learn one.

# %%
rng = np.random.default_rng(0)
angle = rng.uniform(0, 2 * np.pi, 400)
radius = np.where(np.arange(400) < 200, rng.uniform(0, 1, 400), rng.uniform(1.6, 2.4, 400))
ring_points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
ring_labels = (np.arange(400) >= 200).astype(int)
squared_radius = np.sum(ring_points**2, axis=1)

fig, axes = plt.subplots(1, 2, figsize=(9, 4))
for c in (0, 1):
    members = ring_labels == c
    axes[0].scatter(*ring_points[members].T, s=8, color=f"C{c}", label=f"class {c}")
    axes[1].scatter(ring_points[members, 0], squared_radius[members], s=8, color=f"C{c}")
axes[0].set_aspect("equal")
axes[0].set_title("2 features: no straight line separates")
axes[0].legend(fontsize=8)
axes[1].axhline(1.6, color="k", lw=1)
axes[1].set_xlabel("$x_1$")
axes[1].set_ylabel("$x_1^2 + x_2^2$")
axes[1].set_title("add a third feature: a plane separates")
plt.show()

# %% [markdown]
# ## 2. The data, the mean image and the bias trick
#
# We use the same images as in 01: the embedded Fashion-MNIST subset by default, or
# CIFAR-10 if you have downloaded it (the loader says which). Three steps turn images into
# the matrix $X$ a linear classifier wants:
#
# 1. **Flatten** every $H \times W \times C$ image into a row of $D = HWC$ numbers.
# 2. **Subtract the mean image**, the average of the *training* images pixel by pixel,
#    from every image (training, validation and test alike). Centred data make the
#    scores of a fresh, small `W` close to zero for every class, and let gradient
#    descent move all weights in useful directions instead of mostly along the shared
#    average. The mean comes from the training data only: the validation and test
#    images must not influence anything we fit.
# 3. **The bias trick.** Append a constant 1 to every row. Then the bias $b$ becomes one
#    more row of $W$ and the score function is a single product:
#
#    $$ [x,\ 1] \begin{bmatrix} W \\ b \end{bmatrix} = x W + b . $$
#
#    From here on $D$ counts that extra column (785 for Fashion-MNIST, 3073 for
#    CIFAR-10), and "W" means the stacked $(D, C)$ matrix.
#
# A small **development set** of training rows is kept aside for the checks and timings
# below, so that they run fast.

# %%
if QUICK:
    data = load_image_data(num_train=2000, num_val=500, num_test=500, seed=0)
else:
    data = load_image_data(num_val=1000, seed=0)   # every other training and test image
class_names = data["class_names"]
image_shape = data["image_shape"]
num_classes = len(class_names)

X_train = data["X_train"].reshape(len(data["X_train"]), -1)
X_val = data["X_val"].reshape(len(data["X_val"]), -1)
X_test = data["X_test"].reshape(len(data["X_test"]), -1)
y_train, y_val, y_test = data["y_train"], data["y_val"], data["y_test"]

mean_image = X_train.mean(axis=0)                  # (D,): from the training images only
fig = show_images([data["X_train"][0], mean_image.reshape(image_shape)],
                  titles=["a training image", "the mean training image"], normalize=False)
plt.show()


def add_bias_column(X):
    """Append a column of ones to (N, D) data: (N, D + 1)."""
    return np.hstack([X, np.ones((X.shape[0], 1))])


X_train = add_bias_column(X_train - mean_image)
X_val = add_bias_column(X_val - mean_image)
X_test = add_bias_column(X_test - mean_image)

num_dev = 200 if QUICK else 500
X_dev, y_dev = X_train[:num_dev], y_train[:num_dev]
for name, X in [("train", X_train), ("val", X_val), ("test", X_test), ("dev", X_dev)]:
    print(f"X_{name:5s} {X.shape}")

# %% [markdown]
# The bias trick changes nothing about the scores. A quick numerical confirmation with a
# random `W` and `b`:

# %%
rng = np.random.default_rng(1)
D_pixels = X_train.shape[1] - 1
W_plain = 1e-3 * rng.standard_normal((D_pixels, num_classes))
b_plain = rng.standard_normal(num_classes)
rows = X_train[:5, :-1]                                             # pixels only
with_bias = rows @ W_plain + b_plain
with_trick = add_bias_column(rows) @ np.vstack([W_plain, b_plain])
print("largest difference between x W + b and [x, 1] [W; b]:",
      np.abs(with_bias - with_trick).max())
assert np.allclose(with_bias, with_trick)

# %% [markdown]
# ## 3. The multiclass SVM loss
#
# A score function needs a measure of how good a given `W` is. The **multiclass SVM
# loss** asks for something simple: for every training example, the score of the correct
# class should beat the score of every *other* class by at least a safety margin
# $\Delta$ (we use $\Delta = 1$, the constant `MARGIN` in `linear_svm.py`). Every class
# that gets closer than that, or even overtakes the correct one, costs the amount by
# which it violates the margin. For example $i$ with scores $s$ and correct class $y_i$:
#
# $$ L_i = \sum_{j \neq y_i} \max\left(0,\ s_j - s_{y_i} + \Delta\right). $$
#
# The function $\max(0, \cdot)$ is called the **hinge**: zero while the margin is kept,
# growing linearly once it is broken. The loss over the data is the average over the
# $N$ examples, plus a regularisation term that section 4 explains:
#
# $$ L = \frac{1}{N}\sum_i L_i + \lambda \sum_{p,c} W_{p,c}^2 . $$
#
# ($\lambda$ is the argument `reg`.) An example by hand: three classes, scores
# $s = (2.0, 4.5, -1.0)$, correct class 0. Class 1 beats the correct class by 2.5, which
# with the margin costs $4.5 - 2.0 + 1 = 3.5$; class 2 is more than 1 below, which costs
# nothing. So $L_i = 3.5$.

# %%
scores = np.array([2.0, 4.5, -1.0])
correct = 0
violations = {j: max(0.0, scores[j] - scores[correct] + 1.0) for j in range(3) if j != correct}
print("per-class terms:", violations, " L_i =", sum(violations.values()))

# %% [markdown]
# **The gradient.** Training needs $\partial L / \partial W$. Scores depend on the weights
# through $s_j = x_i \cdot w_j$, so a term $s_j - s_{y_i} + \Delta$ that is active (positive)
# grows by $x_i$ per unit of the column $w_j$ and shrinks by $x_i$ per unit of the column
# $w_{y_i}$. An inactive term contributes nothing. Hence, for each example and each
# violating class $j$:
#
# - add $x_i$ to column $j$ of the gradient;
# - subtract $x_i$ from column $y_i$ (once per violating class).
#
# Then divide by $N$, like the loss, and add the derivative of the regularisation term,
# $2 \lambda W$.
#
# Open `cs231n_utils/classifiers/linear_svm.py` and write `svm_loss_naive` with loops:
# one over the examples, one over the classes, computing the loss and the gradient `dW`
# at the same time. The input checks at the top are already written (wrong shapes and
# labels outside `0 .. C-1` give a clear error). The graded cell compares your loss
# with PyTorch's hinge loss and your gradient with a numerical gradient, with and
# without regularisation.

# %% nbgrader={"grade": true, "grade_id": "svm_naive", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Graded (3 points): svm_loss_naive
from cs231n_utils.checks.linear import check_svm_loss_naive

check_svm_loss_naive()

# %% [markdown]
# Two sanity checks on real data, the way you would debug a loss in practice.
#
# **The initial loss.** With tiny random weights all scores are close to 0, so every one
# of the $C - 1$ wrong classes violates the margin by about $\Delta = 1$: the loss should
# be close to $C - 1 = 9$.
#
# **A gradient check** on the development set: `grad_check_sparse` compares your `dW`
# with a numerical derivative at a few random entries, without and with
# regularisation. Relative errors around $10^{-9}$ or smaller mean the gradient is right.

# %%
rng = np.random.default_rng(2)
W = 1e-4 * rng.standard_normal((X_dev.shape[1], num_classes))
loss, dW = svm_loss_naive(W, X_dev, y_dev, 0.0)
print(f"initial SVM loss {loss:.3f} (expected about {num_classes - 1})")
assert abs(loss - (num_classes - 1)) < 0.5, "a small random W should give a loss near C - 1"

for reg in (0.0, 1e2):
    print(f"reg = {reg}")
    loss, dW = svm_loss_naive(W, X_dev, y_dev, reg)
    errors = grad_check_sparse(lambda w, reg=reg: svm_loss_naive(w, X_dev, y_dev, reg)[0],
                               W, dW, num_checks=6, seed=3)
    assert errors.max() < 1e-6, "the analytic and numerical gradients disagree"

# %% [markdown]
# **Inline question 1.** Now and then one entry of an SVM gradient check disagrees
# clearly while all the others match to 1e-9, although the code is right. What causes
# that? Is it a reason to worry? Give a one-dimensional example where the numerical
# gradient is wrong, and say how the margin $\Delta$ changes how often it happens.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_svm_kinks", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# The hinge $\max(0, z)$ has a kink at $z = 0$, where it is not differentiable. When a
# margin term $s_j - s_{y_i} + \Delta$ lies within the step $h$ of 0, the centred
# difference evaluates the loss on both sides of the kink and returns a slope between 0
# and 1 (about the average of the two one-sided slopes), while the analytic gradient
# uses one side only. Neither is wrong at a kink, so it is not a bug; it is only a
# concern if mismatches are frequent, which would point to a real error. A 1-D example:
# $f(x) = \max(0, x)$ at $x = 10^{-6}$ with $h = 10^{-5}$ gives
# $(f(x+h) - f(x-h)) / 2h = 1.1 \cdot 10^{-5} / 2 \cdot 10^{-5} = 0.55$, but
# $f'(x) = 1$. The margin only moves the position of the kinks. A kink is hit when some
# term lands within $h$ of zero, i.e. when $s_j - s_{y_i}$ lies within $h$ of
# $-\Delta$. With tiny random weights all scores are near 0, so a margin $\Delta$ close
# to 0 makes that frequent, while $\Delta = 1$ (or larger) puts the kinks far from
# where the scores are, so mismatches become rare (with $\Delta = 0$ and all-zero
# weights, every term sits exactly on its kink).
# ### END SOLUTION

# %% [markdown]
# ## 4. Regularisation: which W to prefer
#
# Suppose some `W` classifies every training example with all margins met, so the data
# loss is 0. Then `2 * W` does too: doubling every score doubles every gap. The data loss
# alone cannot choose between infinitely many weight matrices. The **regularisation
# penalty** $R(W)$ breaks the tie by adding a preference that has nothing to do with the
# data. The usual choice is the squared L2 norm, $R(W) = \sum W^2$, weighted by
# $\lambda$.
#
# What does L2 prefer? Small weights, and among weights that give the same scores, weights
# spread over many inputs rather than concentrated on a few. Take an input
# $x = (1, 1, 1, 1)$ and two weight vectors that give it the same score 1: one uses a
# single pixel, the other all four equally.

# %%
x = np.array([1.0, 1.0, 1.0, 1.0])
w_peaked = np.array([1.0, 0.0, 0.0, 0.0])
w_spread = np.array([0.25, 0.25, 0.25, 0.25])
for name, w in [("peaked", w_peaked), ("spread", w_spread)]:
    print(f"{name}: score x.w = {x @ w:.2f}, L2 penalty sum(w^2) = {np.sum(w * w):.4f}")

# %% [markdown]
# The spread-out weights pay a quarter of the penalty. A classifier that takes a little
# evidence from many pixels is less thrown off by any single pixel, which tends to
# generalise better to new images: regularisation fights **overfitting**, at the price
# of fitting the training data a little less well. How strong it should be ($\lambda$)
# is a hyper-parameter, chosen on validation data in section 16. (The bias row is
# usually left out of the penalty, since it does not multiply any pixel; CS231n, and we,
# keep the simpler formula that penalises all of `W`.)

# %% [markdown]
# ## 5. The SVM loss, vectorised
#
# The loops of the naive version run $N \times C$ times in the Python interpreter. Write
# `svm_loss_vectorized` with whole-array operations instead, for the loss *and* the
# gradient:
#
# 1. all scores at once, `X @ W`, shape `(N, C)`;
# 2. the correct-class score of every row with integer-array indexing,
#    `scores[np.arange(N), y]`, shape `(N,)`;
# 3. all margins at once by broadcasting, then zero the correct class's own entry and clip
#    at 0;
# 4. for the gradient, first build the `(N, C)` matrix of how much each score moves the
#    loss: 1 for each violating class, and minus the number of violations for the correct
#    class (divided by $N$); then `dW` is one matrix product of `X.T` with that matrix,
#    plus $2 \lambda W$.
#
# The graded cell checks loss and gradient as before, and also counts the lines of Python
# your function runs: a loop over the examples runs too many.

# %% nbgrader={"grade": true, "grade_id": "svm_vectorized", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Graded (3 points): svm_loss_vectorized
from cs231n_utils.checks.linear import check_svm_loss_vectorized

check_svm_loss_vectorized()

# %% [markdown]
# The two versions must agree on the development set, up to rounding. Then the speed:

# %%
W = 1e-4 * np.random.default_rng(4).standard_normal((X_dev.shape[1], num_classes))
loss_naive, grad_naive = svm_loss_naive(W, X_dev, y_dev, 1e2)
loss_vec, grad_vec = svm_loss_vectorized(W, X_dev, y_dev, 1e2)
print(f"loss: naive {loss_naive:.10f}, vectorised {loss_vec:.10f}")
print(f"largest gradient difference: {np.abs(grad_naive - grad_vec).max():.2e}")
assert abs(loss_naive - loss_vec) < 1e-8 and np.allclose(grad_naive, grad_vec), "they disagree"

rows = compare_timings({"svm_loss_naive": svm_loss_naive,
                        "svm_loss_vectorized": svm_loss_vectorized},
                       W, X_dev, y_dev, 1e2, repeat=3)
print(format_timings(rows))

# %% [markdown]
# ## 6. The softmax loss
#
# The SVM treats scores as plain numbers with no meaning beyond their order. The
# **softmax classifier** keeps the same linear scores but reads them as *unnormalised
# log-probabilities*: exponentiate them to get positive numbers, divide by their sum, and
# each class gets a probability,
#
# $$ p_c = \frac{e^{s_c}}{\sum_j e^{s_j}} \qquad\text{(the softmax function).} $$
#
# The loss is the **cross-entropy** between these probabilities and the "true"
# distribution that puts all its mass on the correct class, which comes down to minus
# the log-probability of the correct class:
#
# $$ L_i = -\log p_{y_i} = \log \sum_j e^{s_j} - s_{y_i} . $$
#
# The loss is 0 only if the correct class gets probability 1, and grows without bound as
# that probability goes to 0. (Minimising it is maximum-likelihood estimation of `W`; with
# the regularisation term it is a maximum a posteriori estimate with a Gaussian prior on
# the weights.)
#
# **Numerical stability.** The first term is the *log-sum-exp* of the scores, and
# computed literally it breaks: `np.exp(1000.0)` is `inf` in float64, and a very
# negative score makes its probability underflow to 0, whose log is `-inf`. Both go away
# with one identity: for any constant $m$,
# $\log \sum_j e^{s_j} = m + \log \sum_j e^{s_j - m}$. With $m = \max_j s_j$ the largest
# shifted score is 0, every exponential lies in $(0, 1]$ and their sum in $[1, C]$, so
# nothing overflows and the log is never taken of 0. Use $L_i = \log\sum_j e^{s_j - m} -
# (s_{y_i} - m)$, never the log of a computed probability.

# %%
big_scores = np.array([1000.0, 0.0, -1000.0])
with np.errstate(all="ignore"):   # the literal formula warns about the overflow
    literal = np.log(np.sum(np.exp(big_scores))) - big_scores
shifted = big_scores - big_scores.max()
stable = np.log(np.sum(np.exp(shifted))) - shifted
print("loss of each class as the correct one, literal formula:", literal)
print("the same with the largest score subtracted first:      ", stable)

# %% [markdown]
# **The gradient.** Differentiating $L_i$ with respect to the scores gives a strikingly
# simple result: $\partial L_i / \partial s_c = p_c - [c = y_i]$, the probabilities with 1
# subtracted at the correct class. (The log-sum-exp term has derivative $p_c$; the
# $-s_{y_i}$ term gives the $-1$.) Through $s_c = x_i \cdot w_c$, column $c$ of the
# gradient receives $x_i (p_c - [c = y_i])$: an outer product of $x_i$ with that vector.
#
# Write `softmax_loss_naive` in `cs231n_utils/classifiers/softmax.py` with a loop over
# the examples (the classes may be handled with array operations inside it), stable as
# described. Its graded cell also tries scores that differ by $10^4$: the loss and the
# gradient must be finite and correct.

# %% nbgrader={"grade": true, "grade_id": "softmax_naive", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Graded (3 points): softmax_loss_naive
from cs231n_utils.checks.linear import check_softmax_loss_naive

check_softmax_loss_naive()

# %% [markdown]
# The same two sanity checks as for the SVM: the initial loss, and gradient checks
# without and with regularisation.

# %%
rng = np.random.default_rng(5)
W = 1e-4 * rng.standard_normal((X_dev.shape[1], num_classes))
loss, dW = softmax_loss_naive(W, X_dev, y_dev, 0.0)
print(f"initial softmax loss {loss:.4f}; -log(1/{num_classes}) = {np.log(num_classes):.4f}")
assert abs(loss - np.log(num_classes)) < 0.2, "a small random W should give about log(C)"

for reg in (0.0, 1e2):
    print(f"reg = {reg}")
    loss, dW = softmax_loss_naive(W, X_dev, y_dev, reg)
    errors = grad_check_sparse(lambda w, reg=reg: softmax_loss_naive(w, X_dev, y_dev, reg)[0],
                               W, dW, num_checks=6, seed=6)
    assert errors.max() < 1e-6, "the analytic and numerical gradients disagree"

# %% [markdown]
# **Inline question 2.** Why should the softmax loss of a small random `W` be close to
# $-\log(0.1) \approx 2.303$ with ten classes? What would you suspect if the first loss
# you print is 25, or 0.01?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_softmax_initial_loss", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# With tiny weights every score is close to 0, so all exponentials are close to 1 and
# the softmax gives every class about the same probability, $1/C = 0.1$. The loss of
# each example is then $-\log 0.1 = \log 10 \approx 2.303$, and so is the average. A
# first loss far from that means the weights are not small (a wrong initialisation
# scale, or data that were not centred and give large scores), or the loss is computed
# wrongly: 25 suggests large random scores (confidently wrong predictions), a forgotten
# average over $N$ or a huge regularisation term; 0.01 suggests the correct class is
# being looked up wrongly, e.g. the loss uses the largest probability instead of the one
# of the label, or the labels leak into the scores.
# ### END SOLUTION

# %% [markdown]
# ## 7. The softmax loss, vectorised
#
# Now `softmax_loss_vectorized`, without any loop: scores `(N, C)`, subtract each row's
# maximum (`keepdims=True` keeps the shape `(N, 1)` for broadcasting), exponentiate, sum
# each row, and pick the correct-class entries with `scores[np.arange(N), y]`. The
# gradient with respect to the scores is the probability matrix with 1 subtracted at
# each row's correct class, divided by $N$; one product with `X.T` turns it into `dW`.

# %% nbgrader={"grade": true, "grade_id": "softmax_vectorized", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Graded (3 points): softmax_loss_vectorized
from cs231n_utils.checks.linear import check_softmax_loss_vectorized

check_softmax_loss_vectorized()

# %%
W = 1e-4 * np.random.default_rng(7).standard_normal((X_dev.shape[1], num_classes))
loss_naive, grad_naive = softmax_loss_naive(W, X_dev, y_dev, 1e2)
loss_vec, grad_vec = softmax_loss_vectorized(W, X_dev, y_dev, 1e2)
print(f"loss: naive {loss_naive:.10f}, vectorised {loss_vec:.10f}")
print(f"largest gradient difference: {np.abs(grad_naive - grad_vec).max():.2e}")
assert abs(loss_naive - loss_vec) < 1e-8 and np.allclose(grad_naive, grad_vec), "they disagree"

rows = compare_timings({"softmax_loss_naive": softmax_loss_naive,
                        "softmax_loss_vectorized": softmax_loss_vectorized},
                       W, X_dev, y_dev, 1e2, repeat=3)
print(format_timings(rows))

# %% [markdown]
# And the stability, on your own function: weights that make the scores of one image
# differ by $2 \cdot 10^4$. The loss of an image whose correct class scores $10^4$ below
# the best one should be about $10^4$: large, but a finite number.

# %%
W_huge = np.diag([1e4, 0.0, -1e4])         # with x = (1, 1, 1) the scores are (1e4, 0, -1e4)
x_one = np.ones((1, 3))
for label in range(3):
    loss, dW = softmax_loss_vectorized(W_huge, x_one, np.array([label]), 0.0)
    print(f"correct class {label}: loss {loss:.1f}, gradient finite: {np.isfinite(dW).all()}")

# %% [markdown]
# ## 8. Scores versus probabilities: SVM and softmax compared
#
# The two losses look at the same scores in different ways. Take the lecture notes'
# example: one image, three classes (cat, dog, ship), scores $[12.5, 0.6, -23.0]$, and the
# image is a cat.
#
# - The **SVM** sees the cat ahead of the dog by 11.9 and of the ship by 35.5, far more
#   than the margin of 1: its loss is exactly 0, and it stays 0 whatever happens to the
#   scores as long as the margins hold. The numbers themselves have no unit and no
#   interpretation beyond their order: they are *uncalibrated*.
# - The **softmax** turns the same scores into probabilities. Its loss is small but never
#   0: it would always like the correct probability a little closer to 1.

# %%
note_scores = np.array([12.5, 0.6, -23.0])
names3 = ["cat", "dog", "ship"]


def softmax(s):
    """Probabilities from scores, computed stably (largest score subtracted first)."""
    e = np.exp(s - s.max())
    return e / e.sum()


# Your loss functions on one "image" x = [1] with W = the scores as a row: x @ W = scores.
x_one, W_scores = np.ones((1, 1)), note_scores[np.newaxis, :]
p = softmax(note_scores)
print("softmax probabilities:", ", ".join(f"{n} {q:.3g}" for n, q in zip(names3, p, strict=True)))
for label in (0, 1):
    svm_value = svm_loss_vectorized(W_scores, x_one, np.array([label]), 0.0)[0]
    softmax_value = softmax_loss_vectorized(W_scores, x_one, np.array([label]), 0.0)[0]
    print(f"if it is a {names3[label]}: SVM loss {svm_value:.2f}, "
          f"softmax loss {softmax_value:.3g}")

# %% [markdown]
# The notes describe the softmax as giving something like $[0.9, 0.09, 0.01]$ for such an
# image. Those are not the softmax of $[12.5, 0.6, -23.0]$ (printed above: almost all the
# mass on "cat"); they are the probabilities of scores with the same order but a much
# smaller spread, for example $\log[0.9, 0.09, 0.01] = [-0.11, -2.41, -4.61]$. And the
# spread of the scores is exactly what regularisation controls: a stronger penalty
# gives smaller weights, smaller score gaps, and softer probabilities. So the
# softmax's "confidence" is only meaningful relative to the regularisation used; the
# *order* of its probabilities is what one can rely on.

# %%
print("scores scaled by  probabilities (cat, dog, ship)")
for factor in (1.0, 0.5, 0.2, 0.1):
    print(f"  {factor:4.1f}           {np.round(softmax(factor * note_scores), 4)}")
print("log([0.9, 0.09, 0.01]) =", np.round(np.log([0.9, 0.09, 0.01]), 2),
      "-> softmax", np.round(softmax(np.log([0.9, 0.09, 0.01])), 3))

# %% [markdown]
# In practice the two classifiers usually end up with similar accuracy (sections 16 and
# 18). The difference is in what they are satisfied with: the SVM stops caring about an
# example once its margins are met, the softmax keeps pushing every example's correct
# probability towards 1.
#
# **Inline question 3.** True or false: it is possible to add a new example to the
# training set that leaves the SVM loss unchanged, but no such example can be added
# without changing the softmax loss. Explain.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_svm_vs_softmax", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# True. What a new example changes is its own term $L_i$ (the average then divides by
# $N + 1$ instead of $N$, the same rescaling for both losses). An example whose correct
# class already beats every other class by more than the margin has hinge loss exactly
# 0: it adds nothing to the summed SVM loss and nothing to its gradient. The softmax
# loss of an example is $-\log p_{y}$ with $p_y < 1$ for any finite scores, so it is
# always strictly positive: every new example adds something to the loss and pulls on
# the gradient, however well it is already classified.
# ### END SOLUTION

# %% [markdown]
# ## 9. Predicting
#
# From here on the two losses live inside classes. `LinearClassifier` in
# `cs231n_utils/classifiers/linear_classifier.py` holds the weights `self.W` (shape
# `(D, C)`) and has two methods: `train` (section 13) and `predict`. Its subclasses
# `LinearSVM` and `Softmax` only say which loss to minimise (they call your vectorised
# losses).
#
# Write `predict`: the scores of all rows of `X` at once, and for each row the class with
# the highest score. We need it right away, to measure the accuracy of the weights that
# the optimisers below find.

# %% nbgrader={"grade": true, "grade_id": "linear_classifier_predict", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): LinearClassifier.predict
from cs231n_utils.checks.linear import check_predict

check_predict()

# %%
def accuracy_of(W, X, y):
    """Fraction of the rows of X that the weights W classify correctly."""
    model = LinearClassifier()
    model.W = W
    return float(np.mean(model.predict(X) == y))


W = 1e-4 * np.random.default_rng(8).standard_normal((X_train.shape[1], num_classes))
print(f"a random W: validation accuracy {accuracy_of(W, X_val, y_val):.1%} "
      f"(chance is {1 / num_classes:.0%})")

# %% [markdown]
# ## 10. Optimisation, strategy 1: random search
#
# A loss function turns "find a good classifier" into "find the `W` with the lowest
# loss". The lecture notes picture this as a hiker, blindfolded, on a hilly landscape
# whose height at each point is the loss: the goal is the bottom of the valley. The
# landscape has $D \times C$ dimensions (7,850 for Fashion-MNIST), so it cannot be
# looked at, only probed.
#
# We compare four strategies, all minimising the SVM loss on the same training images,
# with the same **budget**: the number of examples pushed through
# `svm_loss_vectorized`. One loss evaluation on all $N_{opt}$ training images costs
# $N_{opt}$; a minibatch of 200 costs 200. (The loss function returns a gradient
# every time; the first two strategies simply ignore it.)
#
# **Strategy 1, random search:** try many random weight matrices and keep the one with the
# lowest loss. It is the hiker jumping to random places and remembering the lowest one.

# %%
N_OPT = 500 if QUICK else 2000          # training images used by the four strategies
EVALS = 60 if QUICK else 500           # budget: this many passes over those images
BATCH = 200
REG_OPT = 1e3
X_opt, y_opt = X_train[:N_OPT], y_train[:N_OPT]
budget = EVALS * N_OPT
D, C = X_opt.shape[1], num_classes
results = {}   # strategy -> (final W, [(examples used, loss), ...])


def full_loss(W):
    """The SVM loss of W on the optimisation images (its gradient is ignored)."""
    return svm_loss_vectorized(W, X_opt, y_opt, REG_OPT)[0]


rng = np.random.default_rng(10)
best_loss, best_W, curve = np.inf, None, []
for attempt in tqdm(range(EVALS), desc="random search"):
    W_try = 1e-4 * rng.standard_normal((D, C))
    loss = full_loss(W_try)
    if loss < best_loss:
        best_loss, best_W = loss, W_try
    curve.append(((attempt + 1) * N_OPT, best_loss))
results["random search"] = (best_W, curve)
print(f"best loss after {EVALS} random tries: {best_loss:.3f}; "
      f"validation accuracy {accuracy_of(best_W, X_val, y_val):.1%}")

# %% [markdown]
# ## 11. Strategy 2: random local search
#
# Better: start somewhere, try a small random step $W + \delta W$, and take it only if it
# lowers the loss. The hiker now feels around with one foot and steps only downhill.
# Each try still costs one loss evaluation; the progress comes from keeping every
# improvement instead of starting over.

# %%
STEP = 3e-5
rng = np.random.default_rng(11)
W = 1e-4 * rng.standard_normal((D, C))     # a random start, as random search tries
current = full_loss(W)
curve = [(N_OPT, current)]
for attempt in tqdm(range(1, EVALS), desc="random local search"):
    W_try = W + STEP * rng.standard_normal((D, C))
    loss = full_loss(W_try)
    if loss < current:
        W, current = W_try, loss
    curve.append(((attempt + 1) * N_OPT, current))
results["random local search"] = (W, curve)
print(f"loss after {EVALS} tries: {current:.3f}; "
      f"validation accuracy {accuracy_of(W, X_val, y_val):.1%}")

# %% [markdown]
# ## 12. Strategy 3: following the gradient
#
# Guessing a direction and checking it is wasteful, because the best direction can be
# computed: the **gradient** $\nabla_W L$ points in the direction in which the loss
# increases fastest, so $-\nabla_W L$ is the steepest way down. (The hiker feels the
# slope under their feet and walks downhill along it.)
#
# There are two ways to get the gradient.
#
# - **Numerically**, by finite differences: nudge one weight by $\pm h$, evaluate the
#   loss twice, divide the difference by $2h$, and repeat for every weight. Easy to write
#   and always available, but approximate and slow: $2 \times D \times C$ evaluations of
#   the whole loss for *one* gradient.
# - **Analytically**, with the formula derived by calculus, as in your loss functions:
#   exact and fast (about the cost of one more loss evaluation), but easy to get wrong.
#
# In practice one uses the analytic gradient and checks it against the numerical one on
# a few entries, which is the **gradient check** you did in sections 3 and 6. Here is
# what the numerical gradient would cost on our optimisation images:

# %%
W = 1e-3 * np.random.default_rng(12).standard_normal((D, C))
seconds_loss = time_function(full_loss, W, repeat=3)
seconds_analytic = time_function(svm_loss_vectorized, W, X_opt, y_opt, REG_OPT, repeat=3)
seconds_numeric = 2 * D * C * seconds_loss
print(f"one loss evaluation:           {seconds_loss * 1e3:8.2f} ms")
print(f"analytic gradient (with loss): {seconds_analytic * 1e3:8.2f} ms")
print(f"numerical gradient, estimated: {seconds_numeric:8.2f} s "
      f"= 2 x {D} x {C} loss evaluations, about "
      f"{seconds_numeric / seconds_analytic:,.0f} times the analytic one")
_, dW = svm_loss_vectorized(W, X_opt, y_opt, REG_OPT)
# (If one of these lines shows a relative error far above the others, a margin sits on
# the hinge's kink: inline question 1.)
errors = grad_check_sparse(full_loss, W, dW, num_checks=3, seed=12)

# %% [markdown]
# The gradient gives a direction, not a distance. How far to go along it is the **step
# size** (or **learning rate**), and the loss along the line $W - t\,\nabla_W L$ shows
# why it matters: a small step lowers the loss a little, a better one lowers it a lot,
# and too large a step overshoots the valley and lands higher than where it started.

# %%
steps = np.logspace(-9, -4, 26)
along = [full_loss(W - t * dW) for t in steps]
fig, ax = plt.subplots(figsize=(6, 3))
ax.semilogx(steps, along, "o-")
ax.axhline(full_loss(W), color="gray", ls="--", label="loss at W")
ax.set_xlabel("step size t")
ax.set_ylabel("loss at W - t dW")
ax.set_yscale("log")
ax.set_title("One step along the negative gradient")
ax.legend()
plt.show()

# %% [markdown]
# **Full-batch gradient descent** repeats that step: compute the gradient on all the
# training images, move, recompute. With our budget it gets `EVALS` steps.

# %%
LEARNING_RATE_GD = 1e-6
W = 1e-3 * np.random.default_rng(13).standard_normal((D, C))
curve = []
for step in tqdm(range(EVALS), desc="gradient descent"):
    loss, dW = svm_loss_vectorized(W, X_opt, y_opt, REG_OPT)
    curve.append(((step + 1) * N_OPT, loss))
    W -= LEARNING_RATE_GD * dW
results["gradient descent (full batch)"] = (W, curve)
print(f"loss after {EVALS} steps: {full_loss(W):.3f}; "
      f"validation accuracy {accuracy_of(W, X_val, y_val):.1%}")

# %% [markdown]
# ## 13. Minibatch SGD
#
# One gradient over the whole training set is expensive, and with 50,000 or a million
# images, mostly redundant: images of the same class resemble each other, so the
# gradient over a random **minibatch** of, say, 200 of them points in nearly the same
# direction as the full one, at a fraction of the cost. **Minibatch stochastic gradient
# descent (SGD)** takes one step per minibatch, drawing a new random batch each time.
# Each step is noisier, but for the same amount of computation it takes many more
# steps, and in practice it gets much further. (Strictly, "SGD" means batches of one
# example; the name is used for any batch size. Batch sizes are often powers of 2, which
# some hardware handles slightly faster.)
#
# Write the two marked parts of `LinearClassifier.train`:
#
# 1. **Sampling**: draw `batch_size` random row indices from `0 .. num_train - 1`, *with
#    replacement* (cheaper than without, and just as good here), using the generator
#    `rng` that `train` makes from its `seed` argument (so that a run can be repeated
#    exactly); take those rows of `X` as `X_batch` and the same entries of `y` as
#    `y_batch`.
# 2. **The update**: one step of gradient descent on `self.W` with the gradient that
#    `self.loss` returned.
#
# The graded check trains a classifier whose loss it supplies itself, so it tests only
# your sampling and your update: that the batches are random rows of `X` with their own
# labels, and that every step moves `W` by exactly `-learning_rate * dW`.

# %% nbgrader={"grade": true, "grade_id": "linear_classifier_train", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): LinearClassifier.train
from cs231n_utils.checks.linear import check_train

check_train()

# %% [markdown]
# Now the fourth strategy: minibatch SGD on the same images and budget. A batch of 200
# costs 200 examples of the budget, so SGD gets `EVALS * N_OPT / 200` steps instead of
# `EVALS`.

# %%
sgd_steps = budget // BATCH
sgd_model = LinearSVM()
history = sgd_model.train(X_opt, y_opt, learning_rate=LEARNING_RATE_GD, reg=REG_OPT,
                          num_iters=sgd_steps, batch_size=BATCH, verbose=True, seed=14)
curve = [((step + 1) * BATCH, loss) for step, loss in enumerate(history)]
results["minibatch SGD"] = (sgd_model.W, curve)
print(f"{sgd_steps} steps of {BATCH} examples; loss on all {N_OPT} images "
      f"{full_loss(sgd_model.W):.3f}; validation accuracy "
      f"{accuracy_of(sgd_model.W, X_val, y_val):.1%}")

# %% [markdown]
# ## 14. The four strategies side by side
#
# Same loss, same images, same budget. The lecture notes report, on CIFAR-10 test
# images, 15.5% for random search and 21.4% for random local search (and about 10% for
# guessing). Our numbers are on the validation images of the data loaded above.

# %%
dataset_name = {"cifar10": "CIFAR-10", "fashion-mnist": "Fashion-MNIST",
                "fashion-mnist-embedded": "embedded Fashion-MNIST"}[data["source"]]
notes = {"random search": "15.5%", "random local search": "21.4%"}
strategy_accuracy = {}
print(f"budget: {budget:,} examples through the SVM loss ({EVALS} passes over "
      f"{N_OPT} training images)\n")
print(f"{'strategy':31s} {'loss':>8s} {'train acc':>10s} {'val acc':>8s}   "
      f"{'notes, CIFAR-10 test':>20s}")
for name, (W, _) in results.items():
    strategy_accuracy[name] = accuracy_of(W, X_val, y_val)
    print(f"{name:31s} {full_loss(W):8.3f} {accuracy_of(W, X_opt, y_opt):10.1%} "
          f"{strategy_accuracy[name]:8.1%}   {notes.get(name, '-'):>20s}")
print(f"\n(our data: {dataset_name}; chance is {1 / num_classes:.0%})")

fig, ax = plt.subplots(figsize=(7, 3.5))
for name, (_, curve) in results.items():
    used, losses = zip(*curve, strict=True)
    ax.plot(used, losses, label=name, alpha=0.8, lw=1)
ax.set_yscale("log")
ax.set_xlabel("examples through the loss (budget used)")
ax.set_ylabel("training loss (SGD: minibatch loss)")
ax.set_title("Four ways down the same loss landscape")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# Random search barely beats chance: in thousands of dimensions almost every random
# direction is a bad one. Random local search keeps its improvements and does better,
# but each improvement is small and most tries are rejected. Following the gradient
# goes downhill at every step. And with the same budget, minibatch SGD takes
# `N_OPT / 200` times as many steps as full-batch descent, so its noisy steps get it
# further. The ranking is the same as in the notes; on Fashion-MNIST every number is
# higher than on CIFAR-10 because the images are much easier (01 showed why).
#
# **Inline question 4.** Why does random local search do better than random search with
# the same number of loss evaluations? And why does minibatch SGD reach a lower loss than
# full-batch gradient descent with the same budget, although each of its gradients is
# only an estimate?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_optimisation", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# Random search starts over at every try, so its result is only the luckiest of a few
# hundred independent guesses, and in thousands of dimensions a random W is almost
# always poor. Random local search accumulates: each accepted step starts from the best
# point so far, so many small improvements add up, even though most tries are rejected.
# Full-batch gradient descent computes the exact steepest direction but spends a pass
# over all the images on each step. A minibatch gradient is an unbiased estimate of the
# full one, and because training images are redundant (many resemble each other) its
# direction is close to the exact one; for the same computation SGD takes N/batch_size
# times as many steps, and many slightly noisy steps get further than few exact ones.
# ### END SOLUTION

# %% [markdown]
# ## 15. The step size: too small, about right, too large
#
# The learning rate is the most important setting of gradient descent. With the full
# training set and the `LinearSVM` class: a rate far too small barely moves in the
# time given; a good one brings the loss down quickly and then fluctuates around a low
# value (the minibatch noise); one that is too large overshoots, and the loss jumps
# around at a high level or grows without bound.

# %%
curve_iters = 200 if QUICK else 1000
rates = {"too small (1e-9)": 1e-9, "about right (1e-6)": 1e-6, "too large (3e-4)": 3e-4}
fig, ax = plt.subplots(figsize=(7, 3.5))
for label, rate in tqdm(rates.items(), desc="step sizes"):
    model = LinearSVM()
    history = model.train(X_train, y_train, learning_rate=rate, reg=1e2,
                          num_iters=curve_iters, seed=15)
    ax.plot(history, label=f"{label}: val acc {np.mean(model.predict(X_val) == y_val):.0%}",
            lw=1)
ax.set_yscale("log")
ax.set_xlabel("iteration")
ax.set_ylabel("minibatch loss")
ax.set_title("SVM loss during SGD for three learning rates")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 16. Choosing the learning rate and regularisation on the validation set
#
# Learning rate and regularisation strength are hyper-parameters: as in 01, we choose
# them by training on the training set and measuring accuracy on the validation set,
# never the test set. Both act on a multiplicative scale, so we try values spaced evenly
# in the logarithm, every combination of the two (a **grid search**), for both
# classifiers. Each run is short; the best one is kept.

# %%
if data["source"] == "cifar10":   # CIFAR-10's good settings lie elsewhere (CS231n: ~1e-7, ~2.5e4)
    learning_rates, regs = [3e-8, 1e-7, 3e-7, 1e-6], [3e3, 1e4, 2.5e4, 5e4]
else:
    learning_rates, regs = [1e-6, 3e-6, 1e-5, 3e-5], [1e1, 1e2, 1e3, 1e4]
search_iters = 1000
if QUICK:
    learning_rates, regs, search_iters = learning_rates[1:3], regs[1:3], 200
search = {}   # classifier name -> {(lr, reg): (train acc, val acc, trained model)}
best = {}     # classifier name -> (val acc, lr, reg, trained model)
with tqdm(total=2 * len(learning_rates) * len(regs), desc="grid search") as bar:
    for cls in (LinearSVM, Softmax):
        name = cls.__name__
        search[name], best[name] = {}, (-1.0, None, None, None)
        for lr in learning_rates:
            for reg in regs:
                model = cls()
                model.train(X_train, y_train, learning_rate=lr, reg=reg,
                            num_iters=search_iters, seed=16)
                train_acc = float(np.mean(model.predict(X_train) == y_train))
                val_acc = float(np.mean(model.predict(X_val) == y_val))
                search[name][lr, reg] = (train_acc, val_acc, model)
                if val_acc > best[name][0]:
                    best[name] = (val_acc, lr, reg, model)
                bar.update()

fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
for ax, name in zip(axes, search, strict=True):
    grid_acc = np.array([[search[name][lr, reg][1] for lr in learning_rates] for reg in regs])
    image = ax.imshow(grid_acc, cmap="viridis", origin="lower", vmin=0, vmax=grid_acc.max())
    for i in range(len(regs)):
        for j in range(len(learning_rates)):
            ax.text(j, i, f"{grid_acc[i, j]:.0%}", ha="center", va="center",
                    color="w" if grid_acc[i, j] < 0.7 * grid_acc.max() else "k")
    ax.set_xticks(range(len(learning_rates)), [f"{lr:.0e}" for lr in learning_rates])
    ax.set_yticks(range(len(regs)), [f"{reg:.0e}" for reg in regs])
    ax.set_xlabel("learning rate")
    ax.set_ylabel("regularisation strength")
    ax.set_title(f"{name}: validation accuracy")
fig.colorbar(image, ax=axes, shrink=0.8)
plt.show()
for name, (val_acc, lr, reg, _) in best.items():
    print(f"best {name}: learning rate {lr:.0e}, reg {reg:.0e}: validation accuracy {val_acc:.1%}")

# %% [markdown]
# Along the learning-rate axis the pattern of section 15 comes back: too small learns
# too little in the given steps, too large gets worse again. The two settings also
# interact: every step shrinks the weights by the factor $1 - 2\,\eta\lambda$ (learning
# rate $\eta$, strength $\lambda$), so a large rate with strong regularisation keeps the
# weights too small to fit the data, and accuracy drops in that corner. On Fashion-MNIST
# with this much data a moderate $\lambda$ does best; several cells are within a
# percent of each other, which is as close as a validation set of this size can tell
# apart. A finer search would zoom in around the best cell; each cell costs a full
# training run, which is why one starts with short runs and a coarse grid.

# %% [markdown]
# ## 17. What the classifiers learnt: one template per class
#
# Each column of `W` (without the bias row) has one weight per pixel: reshape it into an
# image and you see the class's **template**, the pattern whose dot product with an
# image gives the class's score. Bright means "a bright pixel here speaks for the class",
# dark "speaks against it". (Each template is stretched to its own range.)
#
# For each classifier we show two models from the search: the one that did best on the
# validation set, and the best one among the strongly regularised models (the top row
# of the grid).

# %%
for name in ("LinearSVM", "Softmax"):
    _, lr, reg, model = best[name]
    strong_reg = max(regs)
    strong = max((search[name][rate, strong_reg] for rate in learning_rates),
                 key=lambda result: result[1])
    for label, chosen in [(f"best on validation (reg {reg:.0e})", model),
                          (f"strong regularisation (reg {strong_reg:.0e})", strong[2])]:
        W_pixels = chosen.W[:-1]                          # drop the bias row: (D_pixels, C)
        templates = W_pixels.T.reshape(num_classes, *image_shape)
        print(f"{name} templates, {label}:")
        show_images(templates, titles=list(class_names), ncols=num_classes, size=1.3)
        plt.show()

# %% [markdown]
# The strongly regularised templates look like blurry average members of their class: a
# trouser has two legs, a sandal is mostly empty, a bag is a wide box. The weakly
# regularised ones are covered in pixel-level noise: what is left of the random initial
# weights, plus weights that fit quirks of individual training images. The L2 penalty
# shrinks every weight at every step, so noise that does not help the loss fades away;
# that is regularisation at work, made visible. (The noisy models can still score a
# little better: noise on single pixels costs little accuracy when the images are as
# clean as Fashion-MNIST's.) On CIFAR-10 the templates are blurrier still: a "horse"
# template may show a head on both sides, the average of horses facing left and right,
# and many are dominated by a background colour, e.g. blue for ships and planes.
#
# **Inline question 5.** Describe what the learned templates look like and explain why.
# Then use them to explain the main limit of a linear classifier that the lecture notes
# point out, with an example from the data.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_templates", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# Each template is roughly the average look of its class, minus what the other classes
# share: training adds examples of the class to its column and subtracts the images of
# other classes that score too high, so the weights end up bright where the class
# typically has bright pixels and the competitors do not (the two legs and the gap of a
# trouser, the sole of a sneaker, the wide body of a bag) and dark where competitors do.
# They are blurry because one template must score well on every member of the class at
# once. That is the limit: a linear classifier has exactly one template per class, so a
# class that comes in several distinct looks is forced into a single average. A sandal
# facing left and one facing right, a car seen from the front and from the side, or a
# horse facing either way (CIFAR-10, where the template shows a two-headed horse) all
# have to match the same weights, so the template fits none of them well. Models with
# hidden layers can learn several intermediate templates per class and combine them.
# ### END SOLUTION

# %% [markdown]
# ## 18. Final test accuracy
#
# The test set, once, with the settings chosen on the validation set.

# %%
test_accuracy = {}
for name, (*_, model) in best.items():
    test_accuracy[name] = float(np.mean(model.predict(X_test) == y_test))
targets = {"LinearSVM": "about 38%", "Softmax": "about 35-37%"}
print(f"{'classifier':10s} {'validation':>11s} {'test':>7s}   CS231n's target on CIFAR-10")
for name, (val_acc, *_) in best.items():
    print(f"{name:10s} {val_acc:11.1%} {test_accuracy[name]:7.1%}   {targets[name]}")
print(f"(our data: {dataset_name}, {len(y_train)} training and {len(y_test)} test images; "
      "k-NN in 01 reached about 80% on the embedded Fashion-MNIST, 27-28% on CIFAR-10)")
print("optimisation strategies (validation accuracy): "
      + ", ".join(f"{name} {acc:.1%}" for name, acc in strategy_accuracy.items())
      + "; the notes: random search 15.5%, random local search 21.4% (CIFAR-10)")

# %% [markdown]
# Finally the two classifiers' outputs for a few test images, side by side: the SVM's
# raw scores (any range, meaningful only in their order) and the softmax's
# probabilities (between 0 and 1, summing to 1).

# %%
svm_model, softmax_model = best["LinearSVM"][3], best["Softmax"][3]
picks = np.random.default_rng(18).choice(len(y_test), size=4, replace=False)
fig, axes = plt.subplots(3, len(picks), figsize=(12, 6.5), layout="constrained",
                         gridspec_kw={"height_ratios": [1.2, 1, 1]})
for k, i in enumerate(picks):
    image = data["X_test"][i]
    if image.shape[-1] == 1:
        axes[0, k].imshow(image[..., 0], cmap="gray", vmin=0, vmax=255)
    else:
        axes[0, k].imshow(image.astype(np.uint8))
    axes[0, k].set_title(f"test image: {class_names[y_test[i]]}", fontsize=9)
    axes[0, k].axis("off")
    svm_scores = X_test[i] @ svm_model.W
    probs = softmax(X_test[i] @ softmax_model.W)
    colours = ["C2" if c == y_test[i] else "C0" for c in range(num_classes)]
    axes[1, k].bar(range(num_classes), svm_scores, color=colours)
    axes[1, k].set_title("SVM scores", fontsize=9)
    axes[2, k].bar(range(num_classes), probs, color=colours)
    axes[2, k].set_ylim(0, 1)
    axes[2, k].set_title("softmax probabilities", fontsize=9)
    for row in (1, 2):
        axes[row, k].set_xticks(range(num_classes), [n[:5] for n in class_names],
                                rotation=90, fontsize=7)
plt.show()

# %% [markdown]
# ## 19. Summary
#
# - A linear classifier scores classes with one matrix product, `X @ W` (the bias folded
#   into `W` by appending a column of ones to `X`); each column of `W` is one template.
# - The multiclass SVM loss wants the correct score ahead of every other by a margin; the
#   softmax loss turns scores into probabilities and penalises minus the log-probability
#   of the correct class, computed stably with log-sum-exp. Both add L2 regularisation,
#   which prefers small, spread-out weights.
# - Vectorised losses compute the same numbers as loops, orders of magnitude faster; a
#   numerical gradient check confirms an analytic gradient.
# - Optimisation: random search and random local search get little for their budget;
#   following the gradient works, and minibatch SGD does the most with the same budget.
#   The learning rate and regularisation are chosen on validation data.
# - On the embedded Fashion-MNIST both linear classifiers reach roughly 81-83% on the
#   test set (83-85% on validation), a little above k-NN's 80% in 01 at a tiny fraction
#   of its prediction cost; on CIFAR-10 CS231n reports about 38% (SVM) and 35-37%
#   (softmax), well above k-NN's 27-28%. One template per class is the limit; the next
#   assignment removes it with a hidden layer.
