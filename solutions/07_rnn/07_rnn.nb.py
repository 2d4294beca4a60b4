# %% [markdown]
# # 07 - Recurrent networks
#
# Every network so far took one input of a fixed size and gave one answer. Text, speech,
# music and videos are **sequences**: their length varies, and what an element means
# depends on what came before it. A **recurrent neural network** (RNN) reads a sequence
# one element at a time and keeps a **hidden state**, a vector that summarises what it
# has read so far; at every step the new state is computed from the old state and the
# current input, with the *same* weights at every step. That one idea handles sequences of
# any length, and gives the network a memory.
#
# This notebook builds recurrent networks from scratch in NumPy: the vanilla RNN and its
# backward pass through time, the layers around it (word embeddings, a scoring layer and a
# loss at every step), and then asks why vanilla RNNs forget: gradients that travel back
# through many steps shrink or blow up. Two gated cells fix much of that, the **LSTM**
# and the **GRU**; we compare all three on a task whose dependency grows longer and
# longer. Then two applications: a **character-level language model** that writes fake
# Shakespeare (with your layers, then in PyTorch), and CS231n's capstone, **image
# captioning**, here on generated scenes of Fashion-MNIST items described by short
# sentences, with image features from the pretrained CNN of 06.
#
# **What you write.** In `cs231n_utils/`:
#
# - `rnn_layers.py`: the vanilla RNN step and its backward pass (section 1), the RNN
#   over a whole sequence and backpropagation through time (section 2), word embedding,
#   temporal affine and temporal softmax loss (section 3), the LSTM step and sequence
#   (section 5), the GRU step and sequence (section 6);
# - `classifiers/rnn.py`: the loss and the greedy sampling of `CaptioningRNN`
#   (section 9);
#
# plus four inline questions. Each function has a graded cell after its section: a visible
# check that prints `PASS ...` or stops with a one-line reason. Your points come from
# hidden tests on other random shapes against independent references (PyTorch's
# `RNNCell`, `LSTMCell`, `GRUCell` and `cross_entropy`, numerical gradients), which the
# grader runs outside this notebook: only what your functions return counts. From a
# terminal, `make check A=07_rnn` runs every visible check. The experiments' helpers
# (the gradient measurements, the sequence task, the language models, the training loops
# and the caption pictures) are given in `cs231n_utils/rnn_tools.py`; the data come from
# `cs231n_utils/data/text.py` and `cs231n_utils/data/scenes.py`, BLEU from
# `cs231n_utils/bleu.py`.
#
# **How long it takes.** Top to bottom, a minute or two on a laptop CPU. With the
# environment variable `CS231N_QUICK=1` (the grader sets `NBGRADER_EXECUTION`, with the
# same effect) the training runs shrink and everything finishes in well under a minute;
# the numbers get worse and noisier, but every cell still runs.
#
# **Contents**
# 1. A vanilla RNN step
# 2. Backpropagation through time
# 3. Word embeddings and temporal layers
# 4. Exploding and vanishing gradients
# 5. LSTM
# 6. GRU
# 7. Long dependencies: RNN, LSTM and GRU
# 8. A character-level language model
# 9. Image captioning
# 10. How fast is it?
# 11. Summary

# %%
import os

# A recurrent network is a long chain of small matrix products, one per time step. For
# those, one thread is about as fast as several, and on a busy machine several threads
# can be ten times slower (they wait for each other). So we ask NumPy's linear algebra
# library and PyTorch for one thread. This must happen before NumPy and PyTorch are first
# imported (restart the kernel if you change it); set the variables yourself to use more.
for _variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

# %matplotlib inline
# %load_ext autoreload
# %autoreload 2

import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from cs231n_utils import optim
from cs231n_utils.bleu import corpus_bleu
from cs231n_utils.data.scenes import (
    FEATURE_GRID,
    build_vocab,
    encode_captions,
    make_scenes,
    scene_features,
)
from cs231n_utils.data.text import CharVocab, load_shakespeare, split_text
from cs231n_utils.rnn_tools import (
    CharLSTM,
    SequenceClassifier,
    TorchCharLM,
    char_cross_entropy,
    char_lm_batches,
    gradient_norms_through_time,
    long_dependency_study,
    make_recall_task,
    recall_batches,
    sample_with_temperature,
    show_captions,
    train_captioner,
    train_numpy,
    train_torch_char_lm,
)
from cs231n_utils.timing import time_function

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
# The quick switch: the grader sets NBGRADER_EXECUTION; set CS231N_QUICK=1 yourself.
QUICK = bool(os.environ.get("NBGRADER_EXECUTION") or os.environ.get("CS231N_QUICK"))
plt.rcParams["figure.figsize"] = (9.0, 4.5)
plt.rcParams["image.interpolation"] = "nearest"
print("quick mode" if QUICK else "full mode", "- set CS231N_QUICK=1 for a fast run")

# %% [markdown]
# ## 1. A vanilla RNN step
#
# Write the inputs of a sequence as $x_1, x_2, \dots, x_T$, each a vector of $D$ numbers
# (a word, a character, a sound frame). A vanilla (Elman) RNN keeps a hidden state $h_t$
# of $H$ numbers and updates it at every step with one affine map and a tanh:
#
# $$h_t = \tanh(x_t W_x + h_{t-1} W_h + b).$$
#
# $W_x$ ($D \times H$) reads the input, $W_h$ ($H \times H$) carries the old state over,
# $b$ is a bias; $h_0$ is given (often zeros). The same three parameters are used at every
# step, which is what lets one network read sequences of any length, and what makes the
# state a memory: $h_t$ depends on $x_t$ and, through $h_{t-1}$, on everything before.
# Any output (a score for the next word, a class) is read from $h_t$ by further layers.
#
# As in CS231n, a whole minibatch goes through a step at once: `x` is $(N, D)$, `prev_h`
# is $(N, H)$, and the step is two matrix products, a sum and a tanh. For the backward
# pass, the derivative of $\tanh$ is $1 - \tanh^2$, which the output already holds;
# after that the two products route the gradient as in any affine layer. Since the same
# weights feed both products, `dWx`, `dWh` and `db` collect the gradient from every row
# of the minibatch.
#
# In `cs231n_utils/rnn_layers.py` write `rnn_step_forward(x, prev_h, Wx, Wh, b)`, which
# returns `next_h, cache`, and `rnn_step_backward(dnext_h, cache)`, which returns
# `dx, dprev_h, dWx, dWh, db`. The cache is fixed: `(x, prev_h, Wx, Wh, next_h)`.

# %% nbgrader={"grade": true, "grade_id": "rnn_step_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): rnn_layers.rnn_step_forward
from cs231n_utils.checks.rnn import check_rnn_step_forward

check_rnn_step_forward()

# %% nbgrader={"grade": true, "grade_id": "rnn_step_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): rnn_layers.rnn_step_backward
from cs231n_utils.checks.rnn import check_rnn_step_backward

check_rnn_step_backward()

# %% [markdown]
# ## 2. Backpropagation through time
#
# Running the step over a sequence **unrolls** the network: a chain of $T$ copies of the
# step, each passing its state to the next, all sharing $W_x$, $W_h$ and $b$. The forward
# pass simply calls the step $T$ times and keeps every hidden state, `h` of shape
# $(N, T, H)$, since the layers above usually read all of them.
#
# The backward pass over the unrolled chain is called **backpropagation through time**
# (BPTT). The gradient reaches a hidden state $h_t$ from two directions: from the layer
# above that read it (`dh[:, t]`, given), and from the next time step, whose input
# $h_t$ was (`dprev_h` of step $t + 1$). Those two add up. So BPTT walks the steps from
# the last to the first, feeding each step's backward the sum of its upstream gradient
# and what came back from the step after it; what comes out of the first step is `dh0`.
# Because the weights are shared, their gradient is the **sum** over all steps of each
# step's `dWx`, `dWh`, `db`, exactly as a variable used in several places of one formula.
#
# Write `rnn_forward(x, h0, Wx, Wh, b)`, with `x` of shape $(N, T, D)$, returning
# `h, cache` (the cache a list of the step caches), and `rnn_backward(dh, cache)`,
# returning `dx, dh0, dWx, dWh, db`. Use your step functions.

# %% nbgrader={"grade": true, "grade_id": "rnn_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): rnn_layers.rnn_forward
from cs231n_utils.checks.rnn import check_rnn_forward

check_rnn_forward()

# %% nbgrader={"grade": true, "grade_id": "rnn_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): rnn_layers.rnn_backward
from cs231n_utils.checks.rnn import check_rnn_backward

check_rnn_backward()

# %% [markdown]
# How far back does the gradient of a loss reach? Below, a random RNN ($H = 32$) reads 30
# random inputs, and the loss looks only at the **last** hidden state. With your
# `rnn_backward` we get the gradient for every input $x_t$: the last inputs matter most,
# and the influence of the first ones, many steps back, is already tiny. Section 4 is
# about why.

# %%
from cs231n_utils.rnn_layers import rnn_backward, rnn_forward

rng = np.random.default_rng(0)
N, T, D, H = 16, 30, 8, 32
x = rng.standard_normal((N, T, D))
Wx, Wh, b = rng.standard_normal((D, H)) / np.sqrt(D), rng.standard_normal((H, H)) / np.sqrt(H), np.zeros(H)
h, cache = rnn_forward(x, np.zeros((N, H)), Wx, Wh, b)
dh = np.zeros_like(h)
dh[:, -1] = rng.standard_normal((N, H))                  # the loss reads only h_T
dx = rnn_backward(dh, cache)[0]
plt.figure(figsize=(7, 3))
plt.semilogy(np.arange(1, T + 1), np.linalg.norm(dx, axis=2).mean(axis=0), "o-")
plt.xlabel("time step t of the input")
plt.ylabel("mean norm of dL/dx_t")
plt.title("A loss on the last state: how much each input gets")
plt.show()

# %% [markdown]
# ## 3. Word embeddings and temporal layers
#
# Three layers turn the RNN into a model of text.
#
# **Word embedding.** Words (or characters) arrive as integers, indices into a vocabulary
# of $V$ entries. An embedding layer keeps one learned vector of $D$ numbers per entry, a
# matrix $W$ of shape $(V, D)$, and replaces every index by its row: `out[n, t] =
# W[x[n, t]]`. That is the same as multiplying a one-hot vector by $W$, without building
# the one-hot vectors. Its backward pass sends every position's upstream gradient to the
# row it read; a word that occurs twice collects **both** gradients (`np.add.at` does
# that; plain fancy-index assignment `dW[x] += dout` silently keeps only one of them).
#
# **Temporal affine.** The same affine layer at every time step: $(N, T, D)$ in,
# $(N, T, M)$ out, one weight matrix for all positions. Reshape to $(N T, D)$ and it is
# the affine layer of 03.
#
# **Temporal softmax loss.** At every position the network scores the $V$ words; the
# loss is the softmax loss of the right word, summed over the positions and averaged
# over the $N$ sequences (CS231n's convention: a sum over time, a mean over the batch).
# Sequences of a minibatch differ in length, so the short ones are padded with a
# `<NULL>` word; a boolean **mask** says which positions count, and the padded ones must
# contribute nothing, neither to the loss nor to the gradient.
#
# Write `word_embedding_forward(x, W)` / `word_embedding_backward(dout, cache)`,
# `temporal_affine_forward(x, w, b)` / `temporal_affine_backward(dout, cache)` and
# `temporal_softmax_loss(x, y, mask)`, which returns `loss, dx`.

# %% nbgrader={"grade": true, "grade_id": "word_embedding_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): rnn_layers.word_embedding_forward
from cs231n_utils.checks.rnn import check_word_embedding_forward

check_word_embedding_forward()

# %% nbgrader={"grade": true, "grade_id": "word_embedding_backward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): rnn_layers.word_embedding_backward
from cs231n_utils.checks.rnn import check_word_embedding_backward

check_word_embedding_backward()

# %% nbgrader={"grade": true, "grade_id": "temporal_affine_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): rnn_layers.temporal_affine_forward
from cs231n_utils.checks.rnn import check_temporal_affine_forward

check_temporal_affine_forward()

# %% nbgrader={"grade": true, "grade_id": "temporal_affine_backward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): rnn_layers.temporal_affine_backward
from cs231n_utils.checks.rnn import check_temporal_affine_backward

check_temporal_affine_backward()

# %% nbgrader={"grade": true, "grade_id": "temporal_softmax_loss", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): rnn_layers.temporal_softmax_loss
from cs231n_utils.checks.rnn import check_temporal_softmax_loss

check_temporal_softmax_loss()

# %% [markdown]
# Two properties in numbers: the embedding is a one-hot product in disguise, and padding
# is invisible to the loss (change the scores at masked positions and nothing moves).

# %%
from cs231n_utils.rnn_layers import temporal_softmax_loss, word_embedding_forward

rng = np.random.default_rng(1)
V, D = 6, 3
W = rng.standard_normal((V, D))
words = np.array([[0, 3, 3, 5]])
one_hot = np.eye(V)[words]                                # (1, 4, V)
print("embedding == one-hot @ W:", np.allclose(word_embedding_forward(words, W)[0], one_hot @ W))

scores = rng.standard_normal((2, 4, V))
targets = rng.integers(0, V, size=(2, 4))
mask = np.array([[True, True, True, False], [True, True, False, False]])
loss, dscores = temporal_softmax_loss(scores, targets, mask)
scores_changed = scores + 100 * rng.standard_normal(scores.shape) * ~mask[:, :, None]
loss_changed, _ = temporal_softmax_loss(scores_changed, targets, mask)
print(f"loss {loss:.6f}; with the padded positions' scores changed {loss_changed:.6f}; "
      f"largest gradient at a padded position {np.abs(dscores[~mask]).max():.1f}")

# %% [markdown]
# ## 4. Exploding and vanishing gradients
#
# Section 2 showed the gradient of a loss on the last state fading as it goes back in
# time. In the backward pass of one step, the gradient on $h_t$ is multiplied by the
# tanh's derivative and then by $W_h^\top$:
#
# $$\frac{\partial L}{\partial h_{t-1}} = \Big(\big(1 - h_t^2\big) \odot
# \frac{\partial L}{\partial h_t}\Big) W_h^\top .$$
#
# Going $k$ steps back means doing this $k$ times: a product of $k$ matrices. Each
# multiplication by $W_h^\top$ stretches a vector by at most the largest singular value
# $\sigma$ of $W_h$, and the tanh's derivative is at most 1 (usually less). So the
# gradient's norm after $k$ steps is at most about $\sigma^k$ times where it started:
#
# - with $\sigma < 1$ it **vanishes** geometrically, for sure;
# - with $\sigma > 1$ it **can explode** geometrically (whether it does depends on the
#   other singular values and on how much the activation's derivative shrinks it);
# - only around $\sigma = 1$, with an activation that does not shrink it, can it travel far.
#
# Either way, an RNN has trouble learning dependencies between far-apart steps: a
# vanished gradient carries no signal about the distant past (the update is driven by
# the recent steps only), and an exploded one gives a huge, useless step that can wreck
# the weights (and shows up as `inf` or `NaN` in the loss).
#
# We measure it. `gradient_norms_through_time(sigma, cell)` (in `rnn_tools.py`) runs an
# RNN with $H = 64$ on 60 random inputs, with $W_h = \sigma Q$ for a random orthogonal
# $Q$ (so **every** singular value is $\sigma$), puts a unit gradient on the last state
# and carries it back with your `rnn_step_backward` (and with a ReLU step written in the
# helper), recording the norm of $\partial L/\partial h_{T-k}$ for $k = 0 \dots 59$. The
# right panel sweeps $\sigma$ and also tries a Gaussian $W_h$ rescaled to the same
# largest singular value, whose other singular values are smaller.

# %%
SIGMAS = (0.5, 0.9, 1.0, 1.1, 1.5, 2.0)
sweep = np.linspace(0.5, 2.0, 16)
fig, axes = plt.subplots(1, 3, figsize=(15, 4))
for ax, cell in zip(axes[:2], ("tanh", "relu"), strict=True):
    for sigma, color in zip(SIGMAS, plt.cm.coolwarm(np.linspace(0, 1, len(SIGMAS))), strict=True):
        ax.semilogy(gradient_norms_through_time(sigma, cell), color=color, label=f"sigma = {sigma}")
    ax.set_title(f"{cell} RNN, Wh = sigma x orthogonal")
    ax.set_xlabel("steps back from the last state (k)")
    ax.set_ylabel("norm of dL/dh_{T-k}")
    ax.set_ylim(1e-30, 1e12)
identity = gradient_norms_through_time(1.0, "relu", kind="identity")
axes[1].semilogy(identity, "k--", label="Wh = identity")
axes[0].legend(fontsize=8, loc="lower left")
axes[1].legend(fontsize=8, loc="lower left")
for cell, color in (("tanh", "tab:blue"), ("relu", "tab:red")):
    for kind, style in (("orthogonal", "o-"), ("gaussian", "s:")):
        far = [gradient_norms_through_time(s, cell, kind=kind)[50] for s in sweep]
        axes[2].semilogy(sweep, far, style, color=color, ms=3, label=f"{cell}, {kind} Wh")
axes[2].axvline(1.0, color="0.6", lw=0.8)
axes[2].set_xlabel("largest singular value of Wh (sigma)")
axes[2].set_ylabel("norm of dL/dh_{T-50}")
axes[2].set_title("50 steps back")
axes[2].legend(fontsize=8)
plt.tight_layout()
plt.show()
for cell in ("tanh", "relu"):
    print(cell, "- norm 50 steps back:", ", ".join(
        f"sigma {s}: {gradient_norms_through_time(s, cell)[50]:.1e}" for s in SIGMAS))

# %% [markdown]
# What the pictures say:
#
# - **Below 1** every curve is a straight line down on the log scale: geometric decay. At
#   $\sigma = 0.5$ the gradient 50 steps back is smaller than $10^{-15}$: whatever
#   happened there has no say in the update.
# - **At 1 and a little above** both networks still lose the gradient, only more slowly.
#   The tanh's derivative $1 - h^2$ is below 1 wherever the state is not exactly 0, and
#   a ReLU passes the gradient only through the units that are on (about half of them
#   here), so each step shrinks it even when $W_h$ does not. With $W_h$ = identity
#   (dashed, the "IRNN" start) the ReLU network keeps most of it over 60 steps.
# - **Well above 1** (1.5 and 2) the ReLU network explodes: nothing in it bounds the
#   growth, and the forward pass blows up as well (its states grow geometrically too).
#   The tanh network grows much more slowly, because large states saturate the tanh,
#   whose small derivative then holds the gradient back.
# - The right panel: a Gaussian $W_h$ with the same largest singular value still
#   vanishes at $\sigma = 2$, because most of its singular values are much smaller. A
#   largest singular value above 1 is **necessary** for an explosion but **not
#   sufficient**; below 1 is **sufficient** for vanishing (with tanh or ReLU, whose
#   derivatives are at most 1).
#
# **What to do about it.** An explosion is the easier problem: it is loud (the loss jumps
# or turns into `NaN`), and **gradient clipping** tames it: when the norm of the gradient
# exceeds a threshold, scale it down to the threshold before the update. The direction
# stays, only the step gets shorter. Vanishing is quiet (training just never picks up
# the long-range pattern) and harder to fix; the usual remedies: start the weights
# where the gradient survives (orthogonal or identity $W_h$ near $\sigma = 1$, units away
# from their saturated range), use ReLU instead of tanh or sigmoid, and above all change
# the cell: the **LSTM** and the **GRU** of sections 5 and 6.
#
# **Clipping at work.** A ReLU RNN learns the recall task of section 7 (remember the first
# of 12 symbols), starting from $W_h = 2 \times$ orthogonal, with plain SGD, once without
# and once with clipping to a global norm of 1 (`clip_by_global_norm` of 05, inside the
# training loop `train_numpy`). Adam would hide the effect: it divides every step by a
# running gradient size.

# %%
clip_iterations = 150 if QUICK else 300
x_check, y_check = make_recall_task(1000, 10, seed=99)
clip_runs = {}
for clip_norm in (None, 1.0):
    model = SequenceClassifier(9, 4, "relu", recurrent_scale=2.0, seed=0)
    history = train_numpy(model, recall_batches(10, 32, clip_iterations, seed=1),
                          update_rule=optim.sgd, optim_config={"learning_rate": 0.05},
                          clip_norm=clip_norm)
    clip_runs[clip_norm] = (history, model.accuracy(x_check, y_check))

fig, axes = plt.subplots(1, 2, figsize=(12, 3.6))
for (clip_norm, (history, acc)), color in zip(clip_runs.items(), ("tab:red", "tab:blue"), strict=True):
    label = ("no clipping" if clip_norm is None else f"clipped to norm {clip_norm}") + f" (accuracy {acc:.0%})"
    axes[0].semilogy(history.loss, color=color, lw=0.8, label=label)
    axes[1].semilogy(history.grad_norm, color=color, lw=0.8, label=label)
axes[1].axhline(1.0, color="k", ls="--", lw=0.8)
axes[0].set_title("training loss")
axes[1].set_title("gradient norm before clipping")
for ax in axes:
    ax.set_xlabel("iteration")
    ax.legend(fontsize=8)
plt.show()
for clip_norm, (history, acc) in clip_runs.items():
    print(f"clip {clip_norm}: largest gradient norm {max(history.grad_norm):.1e}, largest loss "
          f"{max(history.loss):.1f}, final loss {np.mean(history.loss[-20:]):.3f}, "
          f"test accuracy {acc:.1%} (guessing: 25%)" + (" DIVERGED" if history.diverged else ""))

# %% [markdown]
# Without clipping, the first few updates meet gradients in the hundreds or thousands and
# throw the weights far away; from there the gradient is small and useless, and the
# network stays at chance for good. With clipping, the same huge gradients only set the
# direction, the steps stay short, and the network learns the task.

# %% [markdown]
# **Inline question 1.** (a) A tanh RNN has a $W_h$ whose largest singular value
# is 0.9. Give an upper bound for how much the gradient on the hidden state can be
# multiplied by over 50 steps back, and say why. (b) Why does gradient clipping help
# against exploding gradients but do nothing against vanishing ones?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_exploding", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# (a) Each step back multiplies the gradient by $\mathrm{diag}(1 - h_t^2)$ and then by
# $W_h^\top$. The first has entries between 0 and 1, so it never lengthens a vector; the
# second lengthens it by at most its largest singular value, 0.9. Over 50 steps the norm
# is therefore multiplied by at most $0.9^{50} \approx 0.005$, and in practice by much less,
# because the tanh's derivative is usually well below 1 and most directions are stretched
# by less than the largest singular value.
# (b) Clipping only ever shrinks a gradient: when its norm exceeds the threshold it is
# rescaled to the threshold, otherwise left alone. That bounds the size of an update, so
# a rare huge gradient can no longer throw the weights far away, while the direction is
# kept. A vanishing gradient is too small, not too large; clipping leaves it unchanged.
# The information about the distant past is missing from it (its contribution is
# swamped by the recent steps), and no rescaling of the total brings it back: that
# needs a different initialisation or a different cell (LSTM, GRU) in which the
# gradient is not shrunk at every step.
# ### END SOLUTION

# %% [markdown]
# ## 5. LSTM
#
# The **long short-term memory** (LSTM) keeps two vectors instead of one: a hidden state
# $h_t$, which the layers above read and which reacts to the recent inputs, and a **cell
# state** $c_t$, a memory meant to hold information for long. A step thus has three
# inputs ($x_t$, $h_{t-1}$, $c_{t-1}$) and two outputs ($h_t$, $c_t$). It computes four
# vectors of $H$ numbers from the input and the previous hidden state, all at once:
# $a = x_t W_x + h_{t-1} W_h + b$, with $W_x$ of shape $(D, 4H)$, $W_h$ $(H, 4H)$, $b$
# $(4H,)$, cut into four blocks of $H$ in CS231n's order $i, f, o, g$:
#
# $$i = \sigma(a_i),\quad f = \sigma(a_f),\quad o = \sigma(a_o),\quad g = \tanh(a_g)$$
# $$c_t = f \odot c_{t-1} + i \odot g, \qquad h_t = o \odot \tanh(c_t).$$
#
# - the **forget gate** $f$ (between 0 and 1, per unit) decides how much of the old
#   memory to keep;
# - the **input gate** $i$ decides how much of the **candidate** $g$ (new content,
#   between -1 and 1) to write;
# - the **output gate** $o$ decides how much of the memory to show as $h_t$.
#
# The memory is changed by a multiplication with $f$ and an **addition**, not by a matrix
# product and a squashing function. Backwards, the gradient on $c_{t-1}$ gets $f \odot
# \partial L/\partial c_t$ through that path: elementwise, and with $f$ close to 1 almost
# unchanged, however many steps it travels. This is what lets an LSTM connect events
# far apart in time.
#
# Backward pass of a step, in order: $c_t$ receives gradient from two places, from the
# next step (`dnext_c`) and through $h_t = o \tanh(c_t)$; then the products give the
# gradients of $f$, $i$, $g$ and $c_{t-1}$; the gate non-linearities give the gradient
# of $a$ (put the four blocks back together in the order $i, f, o, g$); and $a$ is an
# affine map, as in the vanilla step. The sequence version starts with $c_0 = 0$; only
# `h` is returned, and the cell state stays internal.
#
# Write `lstm_step_forward(x, prev_h, prev_c, Wx, Wh, b)` (returns `next_h, next_c,
# cache`), `lstm_step_backward(dnext_h, dnext_c, cache)` (returns `dx, dprev_h, dprev_c,
# dWx, dWh, db`), `lstm_forward(x, h0, Wx, Wh, b)` and `lstm_backward(dh, cache)`. Use the
# sigmoid `_sigmoid` given at the top of the file: it does not overflow.

# %% nbgrader={"grade": true, "grade_id": "lstm_step_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): rnn_layers.lstm_step_forward
from cs231n_utils.checks.rnn import check_lstm_step_forward

check_lstm_step_forward()

# %% nbgrader={"grade": true, "grade_id": "lstm_step_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): rnn_layers.lstm_step_backward
from cs231n_utils.checks.rnn import check_lstm_step_backward

check_lstm_step_backward()

# %% nbgrader={"grade": true, "grade_id": "lstm_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): rnn_layers.lstm_forward
from cs231n_utils.checks.rnn import check_lstm_forward

check_lstm_forward()

# %% nbgrader={"grade": true, "grade_id": "lstm_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): rnn_layers.lstm_backward
from cs231n_utils.checks.rnn import check_lstm_backward

check_lstm_backward()

# %% [markdown]
# **Inline question 2.** Look only at the path through the cell state,
# $c_t = f_t \odot c_{t-1} + i_t \odot g_t$. (a) What is $\partial L/\partial c_{t-1}$
# along this path, given $\partial L/\partial c_t$, and what is it after $k$ steps? (b)
# Why does this let gradients travel much further than in a vanilla RNN, and why do
# people often start the forget gate's bias at 1 or more? (c) Is an LSTM immune to
# vanishing gradients?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_lstm_gradient", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# (a) $\partial L/\partial c_{t-1} = f_t \odot \partial L/\partial c_t$; after $k$ steps
# the gradient is multiplied elementwise by the product of the $k$ forget gates,
# $f_t \odot f_{t-1} \odot \dots \odot f_{t-k+1}$.
# (b) In a vanilla RNN every step back multiplies the gradient by $W_h^\top$ and by the
# tanh's derivative, a matrix and a squashing factor that are the same kind of thing at
# every step, so the effect compounds geometrically. Along the cell state there is no
# matrix and no squashing derivative, only the forget gates, which the network controls:
# where a unit should remember, $f$ is close to 1 and the gradient passes through many
# steps almost unchanged (like the identity path of a residual block). The forget gate
# is a sigmoid, so with a bias of 0 it starts near 0.5 and halves the gradient at every
# step until the network learns otherwise; a bias of 1 (f about 0.73) or more (3 gives
# about 0.95) starts the network remembering, so the gradient from distant steps is there
# from the start (the experiment after section 6 shows it).
# (c) No. When the forget gates are well below 1 the product still shrinks geometrically
# (which is right when the network means to forget), and the other paths (through $h$,
# the gates and $W_h$) vanish or explode like a vanilla RNN's. Exploding gradients can
# still happen, so clipping is still used with LSTMs. The LSTM makes long memory possible
# and easy to learn; it does not guarantee it.
# ### END SOLUTION

# %% [markdown]
# ## 6. GRU
#
# The **gated recurrent unit** (GRU, Cho et al. 2014) is a lighter cousin of the LSTM:
# no separate cell state, two gates instead of three. With $W_x$ $(D, 3H)$, $W_h$
# $(H, 3H)$, $b$ $(3H,)$ in PyTorch's order $r, z, n$:
#
# $$r = \sigma(x W_{x,r} + h_{t-1} W_{h,r} + b_r), \qquad
#   z = \sigma(x W_{x,z} + h_{t-1} W_{h,z} + b_z)$$
# $$n = \tanh\big(x W_{x,n} + b_n + r \odot (h_{t-1} W_{h,n})\big), \qquad
#   h_t = (1 - z) \odot n + z \odot h_{t-1}.$$
#
# The **update gate** $z$ mixes the old state and a candidate $n$: with $z$ close to 1 the
# state is copied forward (and so is the gradient, through the $z \odot h_{t-1}$ term),
# the same additive path as the LSTM's cell. The **reset gate** $r$ decides how much of the
# old state the candidate may look at. (This is exactly `torch.nn.GRUCell` with its
# hidden bias set to 0; the reset gate multiplies $h_{t-1} W_{h,n}$, after the product.)
#
# In the backward pass, $h_{t-1}$ receives gradient along four paths: directly through
# $z \odot h_{t-1}$, and through the products with $W_h$ that feed $r$, $z$ and $n$. Cache
# $h_{t-1} W_{h,n}$ (`hn`): the reset gate's gradient needs it.
#
# Write `gru_step_forward(x, prev_h, Wx, Wh, b)`, `gru_step_backward(dnext_h, cache)`,
# `gru_forward(x, h0, Wx, Wh, b)` and `gru_backward(dh, cache)`, with the same outputs as
# the vanilla RNN's functions.

# %% nbgrader={"grade": true, "grade_id": "gru_step_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): rnn_layers.gru_step_forward
from cs231n_utils.checks.rnn import check_gru_step_forward

check_gru_step_forward()

# %% nbgrader={"grade": true, "grade_id": "gru_step_backward", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): rnn_layers.gru_step_backward
from cs231n_utils.checks.rnn import check_gru_step_backward

check_gru_step_backward()

# %% nbgrader={"grade": true, "grade_id": "gru_forward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): rnn_layers.gru_forward
from cs231n_utils.checks.rnn import check_gru_forward

check_gru_forward()

# %% nbgrader={"grade": true, "grade_id": "gru_backward", "locked": true, "points": 1, "schema_version": 3, "solution": false, "task": false}
# Graded (1 point): rnn_layers.gru_backward
from cs231n_utils.checks.rnn import check_gru_backward

check_gru_backward()

# %% [markdown]
# **The gradient through time, with gates.** The measurement of section 4 again, at
# $\sigma = 1$ (every gate block of $W_h$ orthogonal), now with your LSTM and GRU steps. For
# the LSTM the state is $(h, c)$, and we vary the bias of the forget gate; for the GRU the
# bias of the update gate, the gate that keeps the old state.

# %%
plt.figure(figsize=(8, 4))
plt.semilogy(gradient_norms_through_time(1.0, "tanh"), "k", label="vanilla RNN (tanh)")
for bias, color in ((0.0, "tab:orange"), (1.0, "tab:red"), (3.0, "darkred")):
    plt.semilogy(gradient_norms_through_time(1.0, "lstm", gate_bias=bias), color=color,
                 label=f"LSTM, forget-gate bias {bias:g}")
for bias, color in ((0.0, "tab:cyan"), (3.0, "tab:blue")):
    plt.semilogy(gradient_norms_through_time(1.0, "gru", gate_bias=bias), "--", color=color,
                 label=f"GRU, update-gate bias {bias:g}")
plt.xlabel("steps back from the last state (k)")
plt.ylabel("norm of the gradient on the state")
plt.title("Gradient through time at initialisation (sigma = 1)")
plt.legend(fontsize=8)
plt.show()

# %% [markdown]
# With its keeping gate at 0.5 (bias 0), a gated cell loses the gradient even faster than
# the vanilla RNN: about half of it at every step. Biased towards keeping (forget gate
# about 0.95 with bias 3), the LSTM carries the gradient over all 60 steps (it even grows a
# little: the paths through the gates and $W_h$ are still there), and so does the GRU with
# update-gate bias 3. These are only starting points: in training the gates are learned,
# and the network opens or closes them where the task needs. The next section puts that
# to the test.

# %% [markdown]
# ## 7. Long dependencies: RNN, LSTM and GRU
#
# A task with a dependency of known length: a sequence starts with one of 4 **values**,
# then come `distance` random **distractor** symbols (4 kinds), then a **question mark**;
# the right answer at the question mark is the first value. The network must carry one of
# four facts across `distance` steps of noise; guessing gets 25%. Each model embeds the
# symbols, runs its cell ($H = 32$) and scores the four values from the last hidden state
# with your temporal affine layer and temporal softmax loss, on a time axis of length 1
# (`SequenceClassifier` in `rnn_tools.py`, built on your layers). Every model trains on
# the same fresh minibatches with Adam (learning rate 0.01, 250 iterations of 32
# sequences, clipping to norm 5) and is tested on 1,000 new sequences.

# %%
x_demo, y_demo = make_recall_task(3, 6, seed=0)
print("three sequences with distance 6 (values 0-3, distractors 4-7, question mark 8):")
for row, label in zip(x_demo, y_demo, strict=True):
    print(" ", " ".join(map(str, row)), "-> answer", label)

# %%
distances = (2, 5, 10) if QUICK else (2, 5, 10, 20, 30)
study_models = {"RNN": {"cell": "rnn"}, "LSTM": {"cell": "lstm"},
                "LSTM, forget-gate bias 3": {"cell": "lstm", "forget_bias": 3.0},
                "GRU": {"cell": "gru"}}
study = long_dependency_study(distances, study_models,
                              num_iterations=120 if QUICK else 250, seed=0)
plt.figure(figsize=(8, 4))
for (name, accuracies), style in zip(study.items(), ("o-", "s-", "s--", "^-"), strict=True):
    plt.plot(distances, accuracies, style, label=name)
plt.axhline(0.25, color="0.5", ls=":", label="guessing")
plt.xscale("log")
plt.xticks(distances, [str(d) for d in distances])
plt.minorticks_off()
plt.ylim(0, 1.05)
plt.xlabel("distance: distractors between the value and the question")
plt.ylabel("test accuracy")
plt.title("Recall the first symbol")
plt.legend()
plt.show()
print(f"{'distance':>24s}: " + " ".join(f"{d:>5d}" for d in distances))
for name, accuracies in study.items():
    print(f"{name:>24s}: " + " ".join(f"{a:5.0%}" for a in accuracies))

# %% [markdown]
# The vanilla RNN solves the short distances and falls to guessing from about 10
# distractors on. The LSTM with the usual forget-gate bias of 1 gets further and fades at
# 20-30; with a bias of 3, as the gradient picture suggested, it recalls across all the
# distances tried, and so does the GRU. Longer training moves every curve to the right,
# but the order stays: gates make long dependencies learnable. (A few hundred iterations
# of one seed make the exact crossing points noisy; try other seeds.)

# %% [markdown]
# ## 8. A character-level language model
#
# A **language model** gives the probability of the next symbol given the ones before.
# At character level, the text is a sequence of characters; the network reads
# "To be or not to b" and should put most probability on "e". Trained on a big text, it
# picks up spelling, words, punctuation, line structure; sampling from it, one character
# at a time, each fed back as the next input, writes new text in the same style.
#
# Our text: seven plays of Shakespeare (public domain, about 0.94 million characters,
# `datasets/shakespeare.txt`). The last 10% is kept for validation. The model
# (`CharLSTM` in `rnn_tools.py`) is built from your layers: `word_embedding` for the
# characters, `lstm_forward` (with $h_0 = 0$), `temporal_affine` for the scores of the
# next character, `temporal_softmax_loss` with a full mask, divided by $T$ so that the
# loss is the mean **cross-entropy per character** in nats. Training reads windows of
# $T = 50$ characters, 32 at a time, and updates with your Adam of 05 (learning rate
# 0.01, gradients clipped to norm 5).
#
# **Perplexity** is $\exp$ of the mean cross-entropy per character on text the model has
# not trained on: the number of equally likely characters among which the model is, on
# average, as unsure as it is. A model that knows nothing but the 76 characters has
# perplexity 76; one that always knows the next character has 1.

# %%
text = load_shakespeare()
vocab = CharVocab(text)
train_text, val_text = split_text(text, val_fraction=0.1)
train_ids, val_ids = vocab.encode(train_text), vocab.encode(val_text)
print(f"{len(text):,} characters, {vocab.size} distinct; {len(train_ids):,} for training, "
      f"{len(val_ids):,} for validation")
print(repr(text[5000:5400]))

# %%
np_steps = 60 if QUICK else 300
np_lr = 1e-2
np_lm = CharLSTM(vocab.size, embed_dim=32, hidden_dim=128, seed=0)
np_history = train_numpy(np_lm, char_lm_batches(train_ids, 32, 50, np_steps, seed=0),
                         optim_config={"learning_rate": np_lr}, clip_norm=5.0,
                         progress=True, desc="CharLSTM (NumPy)", total=np_steps)
np_val_ce = char_cross_entropy(np_lm, val_ids, seq_len=100)
print(f"NumPy CharLSTM (H = 128, {sum(p.size for p in np_lm.params.values()):,} parameters), "
      f"{np_steps} steps: training loss {np.mean(np_history.loss[-20:]):.3f} nats/char, "
      f"validation {np_val_ce:.3f} nats/char, validation perplexity {math.exp(np_val_ce):.2f}")

# %% [markdown]
# **Sampling with a temperature.** At every step the model gives scores $s$ for the next
# character; we draw from $\mathrm{softmax}(s / \tau)$. With $\tau = 1$ we sample from the
# model's own distribution; $\tau < 1$ sharpens it (safer, more repetitive text), and
# $\tau > 1$ flattens it (more surprising, more misspelt). Each sample starts from the
# same prompt (read through your `lstm_step_forward`, carrying $h$ and $c$).

# %%
TEMPERATURES = (0.5, 1.0, 1.5)
prompt = vocab.encode("HAMLET.\n")
for temperature in TEMPERATURES:
    sample = vocab.decode(np_lm.sample(prompt, 250, temperature=temperature, seed=1))
    print(f"--- temperature {temperature} ---\nHAMLET.\n{sample}\n")

# %% [markdown]
# **The same model in PyTorch.** `TorchCharLM` is `nn.Embedding`, `nn.LSTM` and
# `nn.Linear`. First, the NumPy model's weights copied into it (PyTorch orders the gates
# $i, f, g, o$ and has two biases): the two must agree to rounding, a last check of your
# LSTM against PyTorch's.

# %%
copied = TorchCharLM.from_numpy(np_lm)
x_val = val_ids[:2 * 50 + 1]
x_batch, y_batch = x_val[:-1].reshape(2, 50), x_val[1:].reshape(2, 50)
with torch.no_grad():
    torch_scores = copied(torch.as_tensor(x_batch))[0].numpy()
print("largest difference of the scores, NumPy vs PyTorch:",
      f"{np.abs(np_lm.scores(x_batch) - torch_scores).max():.1e}")
print(f"validation cross-entropy: NumPy {np_val_ce:.4f}, PyTorch copy "
      f"{char_cross_entropy(copied, val_ids, seq_len=100):.4f}")

# %% [markdown]
# Now a fresh `TorchCharLM` of the same size, trained four times longer on the same
# stream of batches, with PyTorch's Adam and clipping and a learning rate that falls from
# 0.01 to 0 along half a cosine (a schedule of 05: large steps first, fine ones at the
# end). At this size PyTorch's LSTM is only a few times faster per step than yours
# (section 10).

# %%
torch_steps = 100 if QUICK else 1200
torch_lr = 1e-2
torch.manual_seed(0)
torch_lm = TorchCharLM(vocab.size, embed_dim=32, hidden_dim=128)
torch_losses = train_torch_char_lm(
    torch_lm, char_lm_batches(train_ids, 32, 50, torch_steps, seed=0), clip_norm=5.0,
    learning_rate=torch_lr,
    lr_schedule=lambda it: torch_lr * 0.5 * (1 + math.cos(math.pi * it / torch_steps)),
    progress=True, desc="TorchCharLM", total=torch_steps)
torch_val_ce = char_cross_entropy(torch_lm, val_ids, seq_len=100)
print(f"PyTorch LSTM (H = 128), {torch_steps} steps: training loss {np.mean(torch_losses[-20:]):.3f} "
      f"nats/char, validation {torch_val_ce:.3f} nats/char, validation perplexity "
      f"{math.exp(torch_val_ce):.2f}")

fig, ax = plt.subplots(figsize=(8, 3.5))
smooth = np.ones(20) / 20
ax.plot(np.convolve(np_history.loss, smooth, mode="valid"), label="NumPy CharLSTM (your layers)")
ax.plot(np.convolve(torch_losses, smooth, mode="valid"), label="PyTorch, same model, longer")
ax.axhline(np_val_ce, color="tab:blue", ls=":", label=f"NumPy validation (perplexity {math.exp(np_val_ce):.1f})")
ax.axhline(torch_val_ce, color="tab:orange", ls=":", label=f"PyTorch validation (perplexity {math.exp(torch_val_ce):.1f})")
ax.set_xlabel("iteration")
ax.set_ylabel("cross-entropy per character (nats)")
ax.set_title("Training loss (moving average of 20 minibatches)")
ax.legend(fontsize=8)
plt.show()

for temperature in TEMPERATURES:
    sample = vocab.decode(torch_lm.sample(prompt, 250, temperature=temperature, seed=1))
    print(f"--- PyTorch model, temperature {temperature} ---\nHAMLET.\n{sample}\n")

# %% [markdown]
# Both models have picked up the layout of a play (speakers' names in capitals on a line
# of their own, stage directions in brackets), short frequent words and punctuation; the
# longer-trained PyTorch model writes mostly real words at the lower temperatures. At 0.5
# the text is tidy but keeps repeating favourite words ("the"); at 1.5 it dissolves into
# letter soup.
#
# **What to expect.** With these settings the NumPy model reaches a validation perplexity
# of about 7.6 (a little over 2 nats per character) in 300 steps, and the PyTorch model,
# trained four times longer, about 6.1 (1.8 nats). Both numbers treat every window of
# 100 validation characters as a fresh start, so the first characters of a window are
# guessed with little context. Bigger models trained for hours on this text reach about
# 3.5-4; the cheapest way to improve here is more steps and a larger $H$.
#
# How a temperature reshapes one distribution: the model's prediction after "To be or
# not to b".

# %%
context = vocab.encode("To be or not to b")
scores_next = np_lm.scores(context[None])[0, -1].astype(np.float64)
top = np.argsort(scores_next)[::-1][:8]
fig, axes = plt.subplots(1, len(TEMPERATURES), figsize=(13, 2.8), sharey=True)
for ax, temperature in zip(axes, TEMPERATURES, strict=True):
    p = np.exp(scores_next / temperature - np.max(scores_next / temperature))
    p /= p.sum()
    ax.bar([repr(vocab.decode([i]))[1:-1] for i in top], p[top])
    ax.set_title(f"temperature {temperature}: top 8 of {vocab.size}")
axes[0].set_ylabel("probability")
plt.show()
draws = sample_with_temperature(np.tile(scores_next, (2000, 1)), 1.0, np.random.default_rng(0))
print(f"share of 2000 draws at temperature 1 that are 'e': {np.mean(draws == vocab.char_to_idx['e']):.2f}")

# %% [markdown]
# **Inline question 3.** (a) What does sampling with temperature $\tau$ turn into
# as $\tau \to 0$ and as $\tau \to \infty$? (b) Would dividing the scores by a temperature
# change the validation perplexity that we report, and would a temperature other than 1
# improve it?

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_temperature", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# (a) $\mathrm{softmax}(s/\tau)$ gives character $j$ a probability proportional to
# $\exp(s_j/\tau)$. As $\tau \to 0$ the ratio between the best character and any other,
# $\exp((s_{best} - s_j)/\tau)$, grows without bound, so all the probability goes to the
# highest score: greedy decoding, the same most likely character every time (and text
# that easily loops). As $\tau \to \infty$ all $s_j/\tau$ go to 0 and the distribution
# becomes uniform over the vocabulary: random characters, whatever the model learned.
# (b) The perplexity we report is computed from the model's own probabilities,
# $\mathrm{softmax}(s)$, with no temperature; the temperature is a choice made when
# sampling and does not enter the number. If one did score the validation text with
# $\mathrm{softmax}(s/\tau)$, a $\tau$ other than 1 would usually make it worse: training
# minimised the cross-entropy of exactly $\mathrm{softmax}(s)$, so it is (about)
# calibrated; sharpening makes it overconfident on the characters it gets wrong, flattening
# wastes probability on characters that do not come. Only a badly calibrated model
# (e.g. one that overfits) can gain from a fitted temperature. Temperature changes the
# style of the samples, not the quality of the model.
# ### END SOLUTION

# %% [markdown]
# ## 9. Image captioning
#
# A captioner reads an image and writes a sentence about it. CS231n does this with the
# COCO data set (hundreds of thousands of photos); we generate our own, small and
# offline: `make_scenes` puts two Fashion-MNIST items on a 56 x 56 canvas, side by side or
# one above the other, some of them drawn at half size, and writes what it drew: "a
# sneaker left of a bag", "a small shirt above a dress". Training scenes take their items
# from the training images, the held-out scenes from other images.
#
# **Image features.** The images go through the convolutional body of the network
# pretrained in 06 (three conv blocks), whose 7 x 7 grid of 64-channel features is averaged
# down to a coarse grid of cells (`FEATURE_GRID` = 3 by default: 3 x 3 cells, 576 numbers
# per scene) and flattened. Unlike one global average, the cells keep a rough idea of
# *where* things are, which "left of" and "above" need (`scene_features`).
#
# **The model** (`CaptioningRNN` in `classifiers/rnn.py`, as in CS231n):
#
# - an affine projection turns the image features into the initial hidden state $h_0$;
# - a caption is a row of word indices: `<START>`, the words, `<END>`, then `<NULL>`
#   padding; the network reads `<START> a sneaker left of a` and must predict
#   `a sneaker left of a bag` one position later, every position at once. Reading the
#   true previous word rather than its own guess is called **teacher forcing**;
# - word embedding, your RNN, LSTM or GRU, a temporal affine layer for the vocabulary
#   scores, and your temporal softmax loss with the mask `target != <NULL>`.
#
# At test time there is no true caption to read: `sample` starts from `<START>`, takes the
# highest-scoring word at every step and feeds it back as the next input (greedy
# decoding), running the cell one step at a time (your step functions).
#
# Write `CaptioningRNN.loss(features, captions)` and `CaptioningRNN.sample(features,
# max_length)`; the parameters are created for you in `__init__`.

# %%
num_train_scenes = 500 if QUICK else 2000
num_test_scenes = 200 if QUICK else 300
train_scenes = make_scenes(num_train_scenes, seed=0, split="train")
test_scenes = make_scenes(num_test_scenes, seed=0, split="test")
word_to_idx = build_vocab(train_scenes["captions"])
max_words = max(len(c.split()) for c in train_scenes["captions"] + test_scenes["captions"])
train_captions = encode_captions(train_scenes["captions"], word_to_idx, max_words)
test_captions = encode_captions(test_scenes["captions"], word_to_idx, max_words)
train_features = scene_features(train_scenes["images"])
test_features = scene_features(test_scenes["images"])
print(f"{num_train_scenes} training and {num_test_scenes} held-out scenes; features on a "
      f"{FEATURE_GRID} x {FEATURE_GRID} grid: {train_features.shape}; {len(word_to_idx)} words "
      f"in the vocabulary:")
print(" ".join(word_to_idx))
print("first caption encoded:", train_scenes["captions"][0], "->", train_captions[0])
show_captions(train_scenes["images"][:8], {}, truth=train_scenes["captions"][:8])
plt.show()

# %% nbgrader={"grade": true, "grade_id": "captioning_loss", "locked": true, "points": 3, "schema_version": 3, "solution": false, "task": false}
# Graded (3 points): CaptioningRNN.loss
from cs231n_utils.checks.rnn import check_captioning_loss

check_captioning_loss()

# %% nbgrader={"grade": true, "grade_id": "captioning_sample", "locked": true, "points": 2, "schema_version": 3, "solution": false, "task": false}
# Graded (2 points): CaptioningRNN.sample
from cs231n_utils.checks.rnn import check_captioning_sample

check_captioning_sample()

# %% [markdown]
# **Overfit a small set first.** As in CS231n, the first test of a captioner is whether it
# can learn 50 captions by heart: 50 epochs of batches of 25 with Adam. CS231n's thresholds
# for the final loss (summed over the words of a caption, averaged over the captions):
# below 0.1 for the RNN and below 0.5 for the LSTM.

# %%
from cs231n_utils.classifiers.rnn import CaptioningRNN

overfit = {}
for cell_type, threshold in (("rnn", 0.1), ("lstm", 0.5)):
    np.random.seed(0)
    model = CaptioningRNN(word_to_idx, input_dim=train_features.shape[1], wordvec_dim=64,
                          hidden_dim=128, cell_type=cell_type)
    history = train_captioner(model, train_features[:50], train_captions[:50], num_epochs=50,
                              batch_size=25, learning_rate=5e-3, seed=0)
    overfit[cell_type] = history.loss
    print(f"{cell_type}: final training loss {history.loss[-1]:.4f} (CS231n's threshold {threshold})")
    assert history.loss[-1] < threshold, f"the {cell_type} captioner did not overfit 50 captions"

plt.figure(figsize=(7, 3))
for cell_type, losses in overfit.items():
    plt.semilogy(losses, label=cell_type)
plt.xlabel("iteration")
plt.ylabel("training loss")
plt.title("Overfitting 50 captions")
plt.legend()
plt.show()

# %% [markdown]
# **Now on more scenes.** Both captioners on all the training scenes (batches of 50, Adam,
# the learning rate decayed by 5% per epoch), then sampled greedily on the held-out scenes.

# %%
caption_epochs = 6 if QUICK else 15
captioners, caption_losses = {}, {}
for cell_type in ("rnn", "lstm"):
    np.random.seed(0)
    captioners[cell_type] = CaptioningRNN(word_to_idx, input_dim=train_features.shape[1],
                                          wordvec_dim=64, hidden_dim=128, cell_type=cell_type)
    caption_losses[cell_type] = train_captioner(
        captioners[cell_type], train_features, train_captions, num_epochs=caption_epochs,
        batch_size=50, learning_rate=5e-3, lr_decay=0.95, seed=0, progress=True,
        desc=f"{cell_type} captioner").loss

plt.figure(figsize=(7, 3))
for cell_type, losses in caption_losses.items():
    plt.plot(np.convolve(losses, np.ones(20) / 20, mode="valid"), label=cell_type)
plt.xlabel("iteration")
plt.ylabel("training loss")
plt.title("Captioners on all training scenes (moving average of 20 minibatches)")
plt.legend()
plt.show()

# %%
sampled = {cell_type: model.decode(model.sample(test_features, max_length=max_words + 2))
           for cell_type, model in captioners.items()}
sampled_train = {cell_type: model.decode(model.sample(train_features[:num_test_scenes], max_length=max_words + 2))
                 for cell_type, model in captioners.items()}
show = np.arange(12)
show_captions(test_scenes["images"][show], {name.upper(): [sampled[name][i] for i in show] for name in sampled},
              truth=[test_scenes["captions"][i] for i in show], ncols=4)
plt.show()

# %% [markdown]
# **BLEU.** How to score a caption automatically? BLEU (Papineni et al. 2002), the
# standard of machine translation, counts how many of the generated caption's words,
# word pairs, triples and quadruples (n-grams, $n = 1 \dots 4$) also occur in a reference
# caption (each one counted at most as often as the reference has it), pools the counts
# over the whole test set into four precisions, takes their geometric mean and multiplies
# by a penalty for captions that are too short. 1 means every caption equals its
# reference; a single wrong word costs several n-grams. `cs231n_utils/bleu.py` has
# `corpus_bleu`; our scenes have exactly one true caption each.

# %%
references = [[caption] for caption in test_scenes["captions"]]
train_references = [[caption] for caption in train_scenes["captions"][:num_test_scenes]]
bleu = {}
for cell_type in captioners:
    bleu[cell_type] = corpus_bleu(references, sampled[cell_type])
    exact = np.mean([s == t for s, t in zip(sampled[cell_type], test_scenes["captions"], strict=True)])
    print(f"{cell_type.upper():4s}: held-out BLEU-4 {bleu[cell_type]:.3f} "
          f"(on training scenes {corpus_bleu(train_references, sampled_train[cell_type]):.3f}); "
          f"{exact:.0%} of held-out captions exactly right")

# %% [markdown]
# Most held-out captions get the layout right ("left of" or "above") and at least one of
# the two items; the usual errors are confusions the features make hard anyway (shirt,
# t-shirt, pullover and coat; sandal, sneaker and boot), and "small" is sometimes missed
# or invented. Scores on training scenes are higher than on held-out ones: the models
# have started to memorise the training items. Sometimes a captioner even names the same
# kind of item twice, which no true caption does. With these settings the held-out BLEU-4 is
# about 0.65-0.7 for both cells: on captions this short and regular, the LSTM's longer
# memory buys little over the vanilla RNN; what limits both is telling the items apart
# from the coarse features of a network trained on other things.

# %% [markdown]
# **Inline question 4.** During training the captioner always reads the *true*
# previous word (teacher forcing); when sampling it reads its *own* previous word. (a)
# Why is training done this way? (b) What can go wrong at test time because of the
# difference, and name one way to reduce the problem.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_teacher_forcing", "locked": false, "points": 1, "schema_version": 3, "solution": true, "task": false}
# ### BEGIN SOLUTION
# (a) With the true previous words as inputs, the inputs of every time step are known in
# advance, so the whole caption goes through the network in one forward pass (all steps
# of `rnn_forward` at once, a loss at every position) and every position gets a useful
# training signal: the network learns "what comes next after a correct beginning". If it
# read its own guesses, early in training they would be nonsense, the later positions
# would be trained on garbage prefixes, training would be slow and unstable, and the
# choice of a word (an argmax or a draw) cannot be differentiated through anyway.
# (b) At test time the network only ever sees prefixes it wrote itself, and it has never
# been trained on prefixes that contain a mistake ("exposure bias"). One wrong word (a
# "shirt" where a "coat" was) puts it in a situation it does not know, and the errors can
# compound: the rest of the caption may lose its structure, repeat words or never say
# `<END>`. Remedies: scheduled sampling (during training, feed the model's own prediction
# instead of the true word with a probability that grows over training), beam search at
# test time (keep the k best partial captions instead of committing to one word at each
# step), or training on whole generated sequences with a sequence-level objective.
# ### END SOLUTION

# %% [markdown]
# ## 10. How fast is it?
#
# Your LSTM runs one Python-level step per time step, with a dozen NumPy operations
# each; PyTorch's `nn.LSTM` runs its loop in C++ with fused kernels. At the small sizes of
# this notebook the per-step overhead matters as much as the arithmetic. Below, one forward
# and backward pass of an LSTM layer ($N = 32$, $T = 32$, $D = 64$, $H = 128$, float32)
# both ways, the PyTorch one also computing the gradient of its input, as yours does.

# %%
from cs231n_utils.rnn_layers import lstm_backward, lstm_forward

rng = np.random.default_rng(0)
N, T, D, H = 32, 32, 64, 128
x = rng.standard_normal((N, T, D)).astype(np.float32)
h0 = np.zeros((N, H), np.float32)
Wx = (rng.standard_normal((D, 4 * H)) / np.sqrt(D)).astype(np.float32)
Wh = (rng.standard_normal((H, 4 * H)) / np.sqrt(H)).astype(np.float32)
b = np.zeros(4 * H, np.float32)
dh = rng.standard_normal((N, T, H)).astype(np.float32)


def numpy_lstm_pass():
    h, cache = lstm_forward(x, h0, Wx, Wh, b)
    return lstm_backward(dh, cache)


torch_lstm = torch.nn.LSTM(D, H, batch_first=True)
x_torch = torch.from_numpy(x).requires_grad_()
dh_torch = torch.from_numpy(dh)


def torch_lstm_pass():
    out, _ = torch_lstm(x_torch)
    out.backward(dh_torch)


repeat = 3 if QUICK else 7
numpy_seconds = time_function(numpy_lstm_pass, repeat=repeat)
torch_seconds = time_function(torch_lstm_pass, repeat=repeat)
print(f"LSTM forward + backward, N={N}, T={T}, D={D}, H={H}, float32: yours "
      f"{numpy_seconds * 1e3:.1f} ms, torch.nn.LSTM {torch_seconds * 1e3:.1f} ms "
      f"(yours / PyTorch = {numpy_seconds / torch_seconds:.1f})")

# %% [markdown]
# About three times PyTorch's time at this small size, on one thread. The arithmetic is
# the same (the matrix products go to the same kind of compiled library); the difference
# is the overhead around it: your LSTM makes a dozen separate NumPy calls per step, each
# with its own pass over memory and Python between them, where PyTorch runs fused loops in
# C++. The larger the matrices, the more the products dominate and the smaller the gap: at
# the size of `benchmarks/bench_rnn.py` (N=64, T=32, D=128, H=256, which also times float64
# and the vanilla RNN) it comes down to about two. What PyTorch adds is everything around
# the arithmetic: GPUs, fused multi-layer and bidirectional LSTMs, no Python per step, and
# gradients you do not have to write.

# %% [markdown]
# ## 11. Summary
#
# - A **vanilla RNN** updates a hidden state with the same weights at every step,
#   $h_t = \tanh(x_t W_x + h_{t-1} W_h + b)$. **Backpropagation through time** walks the
#   unrolled steps backwards; a state's gradient adds what comes from above and from the
#   next step, and the shared weights' gradients are summed over the steps.
# - **Word embeddings** (a lookup whose backward adds gradients per word), a **temporal
#   affine** layer and a **masked temporal softmax loss** make a recurrent network a model
#   of sequences of words or characters; padding is masked out of loss and gradient.
# - **Exploding and vanishing gradients**: going back $k$ steps multiplies the gradient by
#   $k$ Jacobians, bounded by $\sigma^k$ with $\sigma$ the largest singular value of $W_h$.
#   Below 1 it vanished for sure (under $10^{-15}$ after 50 steps at $\sigma = 0.5$), well
#   above 1 the ReLU RNN exploded, and tanh's derivative (below 1) made even $\sigma = 1$
#   vanish. **Clipping** the gradient norm turned a training run that SGD wrecked into one
#   that learned; against vanishing, good initialisation, ReLU and **gated cells** help.
# - The **LSTM** adds a cell state updated by a forget gate and an addition, a path on
#   which the gradient is only multiplied by the forget gates; the **GRU** gets the same
#   with an update gate and no cell state. On a recall task the vanilla RNN failed from
#   about 10 distractors on, the LSTM (forget-gate bias 1) at 20-30, while the GRU and
#   the LSTM with a forget-gate bias of 3 recalled across all 30.
# - A **character-level LSTM** on Shakespeare, on your layers, reached a validation
#   perplexity of about 7.6 in 300 steps; the same model in `torch.nn`, trained four times
#   longer, about 6.1. Temperature trades safe, repetitive samples ($\tau < 1$) for
#   surprising, misspelt ones ($\tau > 1$).
# - **Image captioning**: CNN features of 06 as the initial state, teacher forcing in
#   training, greedy sampling at test time. Both captioners overfit 50 captions (RNN below
#   0.1, LSTM below 0.5), and trained on 2,000 scenes they reach a held-out BLEU-4 of
#   about 0.65-0.7.
# - Your NumPy LSTM takes two to three times as long as `torch.nn.LSTM` on one CPU thread:
#   the same matrix products, plus the overhead of many small NumPy calls per step.
