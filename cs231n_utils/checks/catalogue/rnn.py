"""Common mistakes of 07_rnn: the vanilla RNN, the word and temporal layers, the LSTM, the
GRU and the captioning network.

Every variant starts from the oracles of the checks (:mod:`cs231n_utils.checks.rnn`: the
NumPy forward passes that the numerical gradients differentiate, backpropagation through
time; :mod:`cs231n_utils.checks.rnn_gated`: the LSTM and GRU steps, the sequences, the
captioning loss by PyTorch autograd and greedy decoding with PyTorch's cells) and patches
in one mistake. A sequence's mistakes include those of its step function seen through the
whole sequence (a student's ``lstm_forward`` calls their ``lstm_step_forward``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import softmax

from cs231n_utils.checks.mistakes import Catalogue, Graded, returned
from cs231n_utils.checks.rnn import (
    _bptt,
    _per_position,
    _rnn_states,
    _sigmoid,
    _step_grads,
)
from cs231n_utils.checks.rnn_gated import (
    captioning_oracle,
    greedy_oracle,
    gru_step_backward_oracle,
    gru_step_oracle,
    lstm_step_backward_oracle,
    lstm_step_oracle,
    sequence_backward_oracle,
    sequence_oracle,
)

STEP_GRADS = returned("dx", "dprev_h", "dWx", "dWh", "db")
SEQUENCE_GRADS = returned("dx", "dh0", "dWx", "dWh", "db")

CATALOGUE = Catalogue(
    "07_rnn",
    sections={1: "A vanilla RNN step", 2: "Backpropagation through time",
              3: "Word embeddings and temporal layers", 5: "LSTM", 6: "GRU",
              9: "Image captioning"},
    functions=[
        Graded("rnn_step_forward", "rnn_layers", returned("next_h", None)),
        Graded("rnn_step_backward", "rnn_layers", STEP_GRADS),
        Graded("rnn_forward", "rnn_layers", returned("h", None)),
        Graded("rnn_backward", "rnn_layers", SEQUENCE_GRADS),
        Graded("word_embedding_forward", "rnn_layers", returned("out", None)),
        Graded("word_embedding_backward", "rnn_layers", returned("dW")),
        Graded("temporal_affine_forward", "rnn_layers", returned("out", None)),
        Graded("temporal_affine_backward", "rnn_layers", returned("dx", "dw", "db")),
        Graded("temporal_softmax_loss", "rnn_layers", returned("loss", "dx")),
        Graded("lstm_step_forward", "rnn_layers", returned("next_h", "next_c", None)),
        Graded("lstm_step_backward", "rnn_layers",
               returned("dx", "dprev_h", "dprev_c", "dWx", "dWh", "db")),
        Graded("lstm_forward", "rnn_layers", returned("h", None)),
        Graded("lstm_backward", "rnn_layers", SEQUENCE_GRADS),
        Graded("gru_step_forward", "rnn_layers", returned("next_h", None)),
        Graded("gru_step_backward", "rnn_layers", STEP_GRADS),
        Graded("gru_forward", "rnn_layers", returned("h", None)),
        Graded("gru_backward", "rnn_layers", SEQUENCE_GRADS),
        Graded("CaptioningRNN.loss", "classifiers.rnn",
               lambda args, result: {"loss": result[0]}),
        Graded("CaptioningRNN.sample", "classifiers.rnn", returned("captions")),
    ])
mistake = CATALOGUE.mistake


# ============================================================ 1. a vanilla RNN step
def _pre_activation(x, prev_h, Wx, Wh, b):
    return x @ Wx + prev_h @ Wh + b


@mistake("rnn_step_forward", section=1, diagnosis="next_h matches x @ Wx + prev_h @ Wh + b "
         "without the tanh: apply tanh to the sum")
def rnn_step_without_tanh(x, prev_h, Wx, Wh, b):
    return _pre_activation(x, prev_h, Wx, Wh, b), None


@mistake("rnn_step_forward", section=1, diagnosis="next_h matches the sigmoid of the sum: "
         "the vanilla RNN's non-linearity is tanh")
def rnn_step_sigmoid(x, prev_h, Wx, Wh, b):
    return _sigmoid(_pre_activation(x, prev_h, Wx, Wh, b)), None


@mistake("rnn_step_forward", section=1, diagnosis="next_h matches a ReLU of the sum: the "
         "vanilla RNN's non-linearity is tanh")
def rnn_step_relu(x, prev_h, Wx, Wh, b):
    return np.maximum(_pre_activation(x, prev_h, Wx, Wh, b), 0.0), None


@mistake("rnn_step_forward", section=1, diagnosis="next_h matches tanh(x @ Wx + prev_h @ "
         "Wh) without the bias: add b inside the tanh")
def rnn_step_without_bias(x, prev_h, Wx, Wh, b):
    return np.tanh(x @ Wx + prev_h @ Wh), None


@mistake("rnn_step_forward", section=1, diagnosis="next_h matches the recurrent term "
         "prev_h @ Wh.T: Wh is (H, H) and multiplies prev_h untransposed")
def rnn_step_wh_transposed(x, prev_h, Wx, Wh, b):
    return np.tanh(x @ Wx + prev_h @ Wh.T + b), None


@mistake("rnn_step_forward", section=1, diagnosis="next_h matches tanh(x @ Wx + b): the "
         "previous hidden state must enter through prev_h @ Wh")
def rnn_step_without_prev_h(x, prev_h, Wx, Wh, b):
    return np.tanh(x @ Wx + b), None


@mistake("rnn_step_forward", section=1, diagnosis="next_h matches tanh(prev_h @ Wh + b): "
         "the input must enter through x @ Wx")
def rnn_step_without_input(x, prev_h, Wx, Wh, b):
    return np.tanh(prev_h @ Wh + b), None


def _rnn_step_grads(dnext_h, cache, da=None):
    """The right gradients of one step (``da``: the gradient of the pre-activation)."""
    x, prev_h, Wx, Wh, next_h = cache
    da = dnext_h * (1.0 - next_h**2) if da is None else da
    return _step_grads(da, x, prev_h, Wx, Wh)


@mistake("rnn_step_backward", section=1, diagnosis="the gradients match tanh's derivative "
         "taken as 1 - tanh(next_h) ** 2: the cache holds next_h = tanh(a), the OUTPUT, so "
         "the derivative is 1 - next_h ** 2")
def rnn_step_backward_tanh_of_output(dnext_h, cache):
    next_h = cache[4]
    return _rnn_step_grads(dnext_h, cache, dnext_h * (1.0 - np.tanh(next_h) ** 2))


@mistake("rnn_step_backward", section=1, diagnosis="the gradients match da = dnext_h, "
         "without tanh's derivative: multiply dnext_h by 1 - next_h ** 2 first")
def rnn_step_backward_without_tanh(dnext_h, cache):
    return _rnn_step_grads(dnext_h, cache, dnext_h)


@mistake("rnn_step_backward", section=1, diagnosis="the gradients match tanh's derivative "
         "taken as 1 - next_h, not squared: it is 1 - next_h ** 2")
def rnn_step_backward_unsquared(dnext_h, cache):
    return _rnn_step_grads(dnext_h, cache, dnext_h * (1.0 - cache[4]))


@mistake("rnn_step_backward", section=1, diagnosis="the gradients match da = 1 - next_h "
         "** 2 without dnext_h: tanh's derivative multiplies the upstream gradient")
def rnn_step_backward_without_upstream(dnext_h, cache):
    return _rnn_step_grads(dnext_h, cache, 1.0 - cache[4] ** 2)


@mistake("rnn_step_backward", section=1, diagnosis="dprev_h matches da @ Wh, untransposed: "
         "prev_h multiplied Wh from the left, so dprev_h = da @ Wh.T")
def rnn_step_backward_dprev_untransposed(dnext_h, cache):
    dx, _, dWx, dWh, db = _rnn_step_grads(dnext_h, cache)
    da = dnext_h * (1.0 - cache[4] ** 2)
    return dx, da @ cache[3], dWx, dWh, db


@mistake("rnn_step_backward", section=1, diagnosis="dWh matches the transpose of prev_h.T "
         "@ da: dWh = prev_h.T @ da, (H, H) like Wh")
def rnn_step_backward_dwh_transposed(dnext_h, cache):
    dx, dprev_h, dWx, dWh, db = _rnn_step_grads(dnext_h, cache)
    return dx, dprev_h, dWx, dWh.T, db


@mistake("rnn_step_backward", section=1, diagnosis="dWh matches next_h.T @ da: multiply da "
         "by the step's INPUT state prev_h, not its output next_h")
def rnn_step_backward_dwh_of_next_h(dnext_h, cache):
    dx, dprev_h, dWx, _, db = _rnn_step_grads(dnext_h, cache)
    return dx, dprev_h, dWx, cache[4].T @ (dnext_h * (1.0 - cache[4] ** 2)), db


@mistake("rnn_step_backward", section=1, diagnosis="dWx, dWh and db match the averages over "
         "the N sequences of the batch: sum over the batch, do not average")
def rnn_step_backward_averaged(dnext_h, cache):
    dx, dprev_h, dWx, dWh, db = _rnn_step_grads(dnext_h, cache)
    N = len(dnext_h)
    return dx, dprev_h, dWx / N, dWh / N, db / N


@mistake("rnn_step_backward", section=1, diagnosis="db matches da averaged over the batch: "
         "db = da summed over the N sequences, not its mean")
def rnn_step_backward_db_averaged(dnext_h, cache):
    dx, dprev_h, dWx, dWh, db = _rnn_step_grads(dnext_h, cache)
    return dx, dprev_h, dWx, dWh, db / len(dnext_h)


# ===================================================== 2. backpropagation through time
@mistake("rnn_forward", section=2, diagnosis="h matches every step started from h0: pass "
         "each step's new hidden state on to the next step (prev_h = next_h)")
def rnn_forward_without_carry(x, h0, Wx, Wh, b):
    return _rnn_states(x, h0, Wx, Wh, b, carry=False), None


@mistake("rnn_forward", section=2, diagnosis="h matches the states shifted by one step "
         "(h0 first): h[:, t] is the state AFTER reading x[:, t], h0 is not part of h")
def rnn_forward_shifted(x, h0, Wx, Wh, b):
    states = _rnn_states(x, h0, Wx, Wh, b)
    return np.concatenate([h0[:, None], states[:, :-1]], axis=1), None


@mistake("rnn_forward", section=2, diagnosis="h matches the steps run from the last input "
         "to the first: step t reads x[:, t], t = 0, ..., T-1 (x is (N, T, D))")
def rnn_forward_reversed(x, h0, Wx, Wh, b):
    return _rnn_states(x[:, ::-1], h0, Wx, Wh, b)[:, ::-1], None


def _unpack(cache: Sequence[tuple]) -> tuple[np.ndarray, ...]:
    """``x, h0, Wx, Wh, h`` from the list of the steps' caches."""
    x = np.stack([c[0] for c in cache], axis=1)
    h = np.stack([c[4] for c in cache], axis=1)
    return x, cache[0][1], cache[0][2], cache[0][3], h


def _rnn_bptt(dh, cache, **mistake_):
    x, h0, Wx, Wh, h = _unpack(cache)
    return tuple(_bptt(dh, x, h0, Wx, Wh, h, **mistake_))


@mistake("rnn_backward", section=2, diagnosis="the gradients match backpropagation "
         "without the gradient from step t + 1: add dprev_h to dh[:, t] before the step's "
         "backward, h[:, t] also feeds the next step")
def rnn_backward_without_carry(dh, cache):
    return _rnn_bptt(dh, cache, carry=False)


@mistake("rnn_backward", section=2, diagnosis="dWx, dWh and db match the first step's "
         "gradients only: they are sums over the T time steps, add each step's share (+=)")
def rnn_backward_first_step_only(dh, cache):
    return _rnn_bptt(dh, cache, keep="first")


@mistake("rnn_backward", section=2, diagnosis="dWx, dWh and db match the last step's "
         "gradients only: they are sums over the T time steps, add each step's share (+=)")
def rnn_backward_last_step_only(dh, cache):
    return _rnn_bptt(dh, cache, keep="last")


@mistake("rnn_backward", section=2, diagnosis="the gradients match the steps visited "
         "forward in time: go from t = T-1 down to 0, step t needs the gradient of step t + 1")
def rnn_backward_forward_order(dh, cache):
    return _rnn_bptt(dh, cache, forward_order=True)


@mistake("rnn_backward", section=2, diagnosis="dh0 matches dh[:, 0]: dh0 is the dprev_h of "
         "the first step's backward (t = 0)")
def rnn_backward_dh0_from_dh(dh, cache):
    dx, _, dWx, dWh, db = _rnn_bptt(dh, cache)
    return dx, dh[:, 0], dWx, dWh, db


# ============================================ 3. word embeddings and temporal layers
@mistake("word_embedding_forward", section=3, diagnosis="out matches W[x.T], shape (T, N, "
         "D): out[n, t] = W[x[n, t]], (N, T, D)")
def embedding_transposed(x, W):
    return W[np.asarray(x).T], None


@mistake("word_embedding_forward", section=3, diagnosis="out matches the word vectors of "
         "x flattened, (N * T, D): index W with x itself, out is (N, T, D)")
def embedding_flat(x, W):
    return W[np.asarray(x).reshape(-1)], None


def _embedding_grad(dout, x, V):
    dW = np.zeros((V, dout.shape[2]))
    np.add.at(dW, np.asarray(x), dout)
    return dW


@mistake("word_embedding_backward", section=3, diagnosis="dW matches dW[x] += dout (or = "
         "dout), which keeps one occurrence of a repeated word: NumPy's fancy indexing does "
         "not add up repeats; use np.add.at(dW, x, dout)")
def embedding_backward_buffered(dout, cache):
    x, W = cache
    dW = np.zeros((len(W), dout.shape[2]))
    dW[np.asarray(x)] += dout
    return dW


@mistake("word_embedding_backward", section=3, diagnosis="dW matches W plus the gradient: "
         "start from np.zeros_like(W), not from W")
def embedding_backward_from_w(dout, cache):
    x, W = cache
    return W + _embedding_grad(dout, x, len(W))


@mistake("temporal_affine_forward", section=3, diagnosis="out matches x @ w without the "
         "bias: out[n, t] = x[n, t] @ w + b")
def affine_without_bias(x, w, b):
    return x @ w, None


@mistake("temporal_affine_forward", section=3, diagnosis="out matches the (N * T, M) "
         "product of the flattened x, not reshaped back to (N, T, M)")
def affine_flat(x, w, b):
    return x.reshape(-1, x.shape[2]) @ w + b, None


def _affine_grads(dout, cache):
    x, w, _ = cache
    D, M = w.shape
    return dout @ w.T, x.reshape(-1, D).T @ dout.reshape(-1, M), dout.sum(axis=(0, 1))


@mistake("temporal_affine_backward", section=3, diagnosis="dw and db match the averages "
         "over the N * T positions: w and b serve every position, sum over the N sequences "
         "AND the T steps, do not average")
def affine_backward_averaged(dout, cache):
    dx, dw, db = _affine_grads(dout, cache)
    count = dout.shape[0] * dout.shape[1]
    return dx, dw / count, db / count


@mistake("temporal_affine_backward", section=3, diagnosis="dw matches the last step's "
         "share only, x[:, -1].T @ dout[:, -1]: sum over the N sequences AND the T steps")
def affine_backward_last_step(dout, cache):
    dx, _, db = _affine_grads(dout, cache)
    return dx, cache[0][:, -1].T @ dout[:, -1], db


@mistake("temporal_affine_backward", section=3, diagnosis="db matches dout summed over the "
         "sequences only, (T, M): sum over the first two axes, db is (M,)")
def affine_backward_db_axis0(dout, cache):
    dx, dw, _ = _affine_grads(dout, cache)
    return dx, dw, dout.sum(axis=0)


def _softmax_loss(x, y, mask, by=None, weights=None):
    """The loss and dx with the selected positions ``weights`` (the mask by default),
    divided by ``by`` (N by default)."""
    nll, grad = _per_position(x, np.asarray(y))
    weights = np.asarray(mask, dtype=float) if weights is None else weights
    by = x.shape[0] if by is None else by
    return float(np.sum(nll * weights)) / by, grad * weights[..., None] / by


@mistake("temporal_softmax_loss", section=3, diagnosis="the loss and dx match the sum "
         "divided by the number of positions the mask selects: divide by N, the number of "
         "sequences (CS231n's convention)")
def softmax_loss_by_count(x, y, mask):
    return _softmax_loss(x, y, mask, by=float(np.sum(mask)))


@mistake("temporal_softmax_loss", section=3, diagnosis="the loss and dx match every "
         "position counted, the mask ignored: multiply each position's loss by the mask")
def softmax_loss_without_mask(x, y, mask):
    return _softmax_loss(x, y, mask, weights=np.ones(np.shape(mask)))


@mistake("temporal_softmax_loss", section=3, diagnosis="the loss and dx match the sum "
         "divided by N * T: divide by N only (a sum over time, averaged over the sequences)")
def softmax_loss_by_positions(x, y, mask):
    return _softmax_loss(x, y, mask, by=x.shape[0] * x.shape[1])


@mistake("temporal_softmax_loss", section=3, diagnosis="the loss and dx match the sum over "
         "the selected positions, not divided: divide it by N")
def softmax_loss_not_divided(x, y, mask):
    return _softmax_loss(x, y, mask, by=1)


@mistake("temporal_softmax_loss", section=3, diagnosis="dx matches the gradient not "
         "divided by N, while the loss is: divide dx by N too")
def softmax_loss_gradient_not_divided(x, y, mask):
    loss, dx = _softmax_loss(x, y, mask)
    return loss, dx * x.shape[0]


@mistake("temporal_softmax_loss", section=3, diagnosis="dx matches the probabilities "
         "without the 1 subtracted at the label: d(-log p_y)/dx = p - 1 at y, p elsewhere")
def softmax_loss_without_onehot(x, y, mask):
    loss, _ = _softmax_loss(x, y, mask)
    weights = np.asarray(mask, dtype=float)[..., None]
    return loss, softmax(x, axis=2) * weights / x.shape[0]


# ================================================================== 5. the LSTM
LSTM_STEP = {
    "ifgo": "the gates read in PyTorch's order i, f, g, o: the four blocks of a = x @ Wx "
            "+ prev_h @ Wh + b are i, f, o, g here (CS231n's order)",
    "f_on_g": "next_c = i * prev_c + f * g, the gates swapped: the forget gate scales the "
              "old cell state, the input gate the candidate (f * prev_c + i * g)",
    "no_tanh": "next_h = o * next_c without the tanh: next_h = o * tanh(next_c)",
    "sigmoid_g": "a sigmoid candidate g: g = tanh(a_g), only i, f and o are sigmoids",
}


def _lstm_step(variant: str, doc: str):
    def forward(x, prev_h, prev_c, Wx, Wh, b):
        next_h, next_c, _ = lstm_step_oracle(x, prev_h, prev_c, Wx, Wh, b, variant)
        return next_h, next_c, None
    forward.__name__ = f"lstm_step_{variant}"
    mistake("lstm_step_forward", section=5,
            diagnosis=f"next_h and next_c match {doc}")(forward)


for _variant, _doc in LSTM_STEP.items():
    _lstm_step(_variant, _doc)

LSTM_STEP_BACKWARD = {
    "no_forget": "dprev_c without the forget gate: the old cell state reaches next_c "
                 "through f, dprev_c = dc * f",
    "c_skips_h": "dc = dnext_c alone: next_c also reaches next_h through tanh, dc = "
                 "dnext_c + dnext_h * o * (1 - tanh(next_c) ** 2)",
    "ifgo": "the gates' gradients concatenated in the order i, f, g, o: keep CS231n's "
            "order i, f, o, g",
}


def _lstm_step_back(variant: str, doc: str):
    def backward(dnext_h, dnext_c, cache):
        return lstm_step_backward_oracle(dnext_h, dnext_c, cache, variant)
    backward.__name__ = f"lstm_step_backward_{variant}"
    mistake("lstm_step_backward", section=5,
            diagnosis=f"the gradients match {doc}")(backward)


for _variant, _doc in LSTM_STEP_BACKWARD.items():
    _lstm_step_back(_variant, _doc)


@mistake("lstm_step_backward", section=5, diagnosis="the gradients match tanh's derivative "
         "taken as 1 - next_c ** 2: next_c is tanh's INPUT here, its derivative is 1 - "
         "tanh(next_c) ** 2")
def lstm_step_backward_dtanh_at_input(dnext_h, dnext_c, cache):
    o, next_c = cache[7], cache[9]
    # the wrong derivative changes dc only: dc = dnext_c + the path through tanh, done wrong
    dc = dnext_c + dnext_h * o * (1 - next_c**2)
    return lstm_step_backward_oracle(dnext_h, dc, cache, "c_skips_h")


LSTM_SEQUENCE = {
    "c0_h0": "the cell state started at h0: c0 = np.zeros_like(h0)",
    "shifted": "the states shifted by one step (h0 first): h[:, t] is the hidden state "
               "AFTER reading x[:, t]",
}


def _sequence_forward(kind: str, variant: str, doc: str):
    def forward(x, h0, Wx, Wh, b):
        return sequence_oracle(kind, x, h0, Wx, Wh, b, variant)[0], None
    forward.__name__ = f"{kind}_forward_{variant}"
    section = 5 if kind == "lstm" else 6
    mistake(f"{kind}_forward", section=section, diagnosis=f"h matches {doc}")(forward)


def _sequence_backward(kind: str, variant: str, doc: str):
    def backward(dh, cache):
        return sequence_backward_oracle(kind, dh, cache, variant)
    backward.__name__ = f"{kind}_backward_{variant}"
    section = 5 if kind == "lstm" else 6
    mistake(f"{kind}_backward", section=section,
            diagnosis=f"the gradients match {doc}")(backward)


for _variant, _doc in LSTM_SEQUENCE.items():
    _sequence_forward("lstm", _variant, _doc)
for _variant, _doc in LSTM_STEP.items():
    _sequence_forward("lstm", _variant, f"lstm_step_forward with {_doc} (run its check)")

SEQUENCE_BACKWARD = {
    "no_carry_h": "backpropagation without the gradient from step t + 1: add the dprev_h "
                  "that step t + 1 sends back to dh[:, t]",
    "no_carry_c": "backpropagation without the cell state's gradient from step t + 1: "
                  "carry dprev_c back in time too (it is the dnext_c of the step before)",
    "no_sum": "the weights' gradients of one step only: dWx, dWh and db are shared by all "
              "the steps, add them up (+=)",
}
for _variant, _doc in SEQUENCE_BACKWARD.items():
    _sequence_backward("lstm", _variant, _doc)
for _variant, _doc in LSTM_STEP_BACKWARD.items():
    _sequence_backward("lstm", _variant, f"lstm_step_backward with {_doc} (run its check)")


# =================================================================== 6. the GRU
GRU_STEP = {
    "z_swapped": "z and 1 - z swapped, next_h = z * n + (1 - z) * prev_h: z keeps the old "
                 "state, next_h = (1 - z) * n + z * prev_h (torch.nn.GRUCell)",
    "reset_before": "the reset gate applied before the matrix product, (r * prev_h) @ "
                    "Wh_n: it multiplies prev_h @ Wh_n, n = tanh(x @ Wx_n + b_n + r * "
                    "(prev_h @ Wh_n))",
    "zr": "the blocks of r and z swapped: the three blocks of columns are r, z, n",
}


def _gru_step(variant: str, doc: str):
    def forward(x, prev_h, Wx, Wh, b):
        return gru_step_oracle(x, prev_h, Wx, Wh, b, variant)[0], None
    forward.__name__ = f"gru_step_{variant}"
    mistake("gru_step_forward", section=6, diagnosis=f"next_h matches {doc}")(forward)


for _variant, _doc in GRU_STEP.items():
    _gru_step(_variant, _doc)

GRU_STEP_BACKWARD = {
    "no_direct": "dprev_h without the direct path: next_h = (1 - z) * n + z * prev_h uses "
                 "prev_h directly too, add dnext_h * z",
    "dz_sign": "dz = dnext_h * (n - prev_h), the sign flipped: d next_h / dz = prev_h - n",
    "hn_without_r": "the gradient of prev_h @ Wh_n without the reset gate: it is d(a_n) * r "
                    "before it goes back through Wh_n",
}


def _gru_step_back(variant: str, doc: str):
    def backward(dnext_h, cache):
        return gru_step_backward_oracle(dnext_h, cache, variant)
    backward.__name__ = f"gru_step_backward_{variant}"
    mistake("gru_step_backward", section=6, diagnosis=f"the gradients match {doc}")(backward)


for _variant, _doc in GRU_STEP_BACKWARD.items():
    _gru_step_back(_variant, _doc)

_sequence_forward("gru", "shifted", LSTM_SEQUENCE["shifted"])
for _variant, _doc in GRU_STEP.items():
    _sequence_forward("gru", _variant, f"gru_step_forward with {_doc} (run its check)")
for _variant in ("no_carry_h", "no_sum"):
    _sequence_backward("gru", _variant, SEQUENCE_BACKWARD[_variant])
for _variant, _doc in GRU_STEP_BACKWARD.items():
    _sequence_backward("gru", _variant, f"gru_step_backward with {_doc} (run its check)")


# ========================================================== 9. image captioning
def _captioning_loss(model, features, captions, variant):
    null = model.word_to_idx["<NULL>"]
    loss, _ = captioning_oracle(model.cell_type, model.params, features, captions, null,
                                variant, grads=False)
    return loss, None


@mistake("CaptioningRNN.loss", section=9, diagnosis="the loss matches the <NULL> targets "
         "counted: positions whose target is padding must not count, pass mask = "
         "captions_out != <NULL> to temporal_softmax_loss")
def captioning_loss_without_mask(self, features, captions):
    return _captioning_loss(self, features, captions, "no_mask")


@mistake("CaptioningRNN.loss", section=9, diagnosis="the loss matches a first hidden state "
         "of zeros: h0 = features @ W_proj + b_proj, the projected image features")
def captioning_loss_h0_zero(self, features, captions):
    return _captioning_loss(self, features, captions, "h0_zero")


@mistake("CaptioningRNN.loss", section=9, diagnosis="the loss matches the sum divided by "
         "the number of words: temporal_softmax_loss divides by N, the minibatch")
def captioning_loss_per_word(self, features, captions):
    return _captioning_loss(self, features, captions, "per_word")


@mistake("CaptioningRNN.loss", section=9, diagnosis="the loss matches targets equal to the "
         "input words: the network reads captions[:, :-1] and predicts the NEXT words, "
         "captions[:, 1:]")
def captioning_loss_same_word(self, features, captions):
    return _captioning_loss(self, features, captions, "same_word")


@mistake("CaptioningRNN.loss", section=9, diagnosis="the loss matches captions_out fed as "
         "the input: the network reads captions_in = captions[:, :-1] (from <START>) and "
         "predicts captions_out = captions[:, 1:]")
def captioning_loss_reads_captions_out(self, features, captions):
    captions = np.asarray(captions)
    # "same_word" reads and predicts captions[:, :-1]: shifted, that is captions[:, 1:]
    shifted = np.concatenate([captions[:, 1:], captions[:, :1]], axis=1)
    return _captioning_loss(self, features, shifted, "same_word")


SAMPLE = {
    "start_fed": "<START> fed at every step: feed back the word chosen at each step (its "
                 "embedding is the next step's input)",
    "c_frozen": "the LSTM's cell state never updated: carry next_c from step to step",
    "h0_zero": "a first hidden state of zeros: h0 = features @ W_proj + b_proj",
    "shifted": "<START> written as the first word: captions[:, t] is the word chosen at "
               "step t, <START> is the first input, not part of the output",
}


def _sample(variant: str, doc: str):
    def sample(self, features, max_length=30):
        start = self.word_to_idx["<START>"]
        return greedy_oracle(self.cell_type, self.params, features, start, max_length,
                             variant)[0]
    sample.__name__ = f"sample_{variant}"
    mistake("CaptioningRNN.sample", section=9, diagnosis=f"the captions match {doc}")(sample)


for _variant, _doc in SAMPLE.items():
    _sample(_variant, _doc)

del _variant, _doc
