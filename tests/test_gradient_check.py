"""Tests of cs231n_utils.gradient_check, against calculus and against torch.autograd."""

import numpy as np
import pytest
import torch

from cs231n_utils.gradient_check import (
    assert_gradients_close,
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    grad_check_sparse,
    rel_error,
)


@pytest.fixture
def rng():
    return np.random.default_rng(231)


# --- eval_numerical_gradient ------------------------------------------------------------


def test_numerical_gradient_of_cubic_matches_calculus(rng):
    x = rng.standard_normal((3, 4))
    grad = eval_numerical_gradient(lambda x: np.sum(x**3), x, verbose=False)
    assert grad.shape == x.shape
    assert rel_error(grad, 3 * x**2) < 1e-8


def test_numerical_gradient_matches_torch_autograd(rng):
    W = rng.standard_normal((5, 4))
    v = rng.standard_normal(4)

    def f(W):
        return np.sum(np.tanh(W @ v))

    W_t = torch.tensor(W, requires_grad=True)
    torch.tanh(W_t @ torch.tensor(v)).sum().backward()

    grad = eval_numerical_gradient(f, W, verbose=False)
    assert rel_error(grad, W_t.grad.numpy()) < 1e-7


def test_numerical_gradient_works_through_a_closure(rng):
    """The CS231n pattern: f ignores its argument and reads W, which is changed in place."""
    W = rng.standard_normal((2, 3))
    X = rng.standard_normal((6, 2))

    def loss():
        return np.sum(np.log1p(np.exp(X @ W)))  # softplus, d/dW = X^T sigmoid(XW)

    grad = eval_numerical_gradient(lambda _: loss(), W, verbose=False)
    expected = X.T @ (1 / (1 + np.exp(-(X @ W))))
    assert rel_error(grad, expected) < 1e-7


def test_numerical_gradient_restores_x_exactly(rng):
    x = rng.standard_normal((4, 3))
    before = x.copy()
    eval_numerical_gradient(lambda x: np.sum(np.sin(x)), x, verbose=False)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_restores_x_when_f_raises(rng):
    x = rng.standard_normal(3)
    before = x.copy()

    def f(x):
        if x[0] != before[0]:
            raise RuntimeError("boom")
        return 0.0

    with pytest.raises(RuntimeError, match="boom"):
        eval_numerical_gradient(f, x, verbose=False)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_verbose_prints_one_line_per_entry(rng, capsys):
    x = rng.standard_normal((2, 3))
    eval_numerical_gradient(lambda x: np.sum(x), x, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 6
    assert lines[0].startswith("(0, 0)")


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.int64])
def test_non_float64_input_raises_type_error(dtype):
    x = np.ones(3, dtype=dtype)
    with pytest.raises(TypeError, match=r"float64.*x\.astype\(np\.float64\)"):
        eval_numerical_gradient(lambda x: float(np.sum(x)), x, verbose=False)
    with pytest.raises(TypeError, match="float64"):
        eval_numerical_gradient_array(lambda x: x, x, np.ones(3))
    with pytest.raises(TypeError, match="float64"):
        grad_check_sparse(lambda x: float(np.sum(x)), x, np.ones(3))


def test_non_array_input_raises_type_error():
    with pytest.raises(TypeError, match="numpy.ndarray"):
        eval_numerical_gradient(lambda x: 0.0, [1.0, 2.0], verbose=False)


def test_array_valued_f_is_rejected_with_a_pointer_to_the_array_version():
    with pytest.raises(ValueError, match="eval_numerical_gradient_array"):
        eval_numerical_gradient(lambda x: x * 2, np.ones(3), verbose=False)


def test_non_positive_step_is_rejected():
    with pytest.raises(ValueError, match="h must be"):
        eval_numerical_gradient(lambda x: 0.0, np.ones(2), verbose=False, h=0.0)


# --- eval_numerical_gradient_array ------------------------------------------------------


def test_numerical_gradient_array_matches_torch_backward(rng):
    x = rng.standard_normal((3, 4))
    W = rng.standard_normal((4, 5))
    dout = rng.standard_normal((3, 5))

    x_t = torch.tensor(x, requires_grad=True)
    torch.tanh(x_t @ torch.tensor(W)).backward(torch.tensor(dout))

    dx = eval_numerical_gradient_array(lambda x: np.tanh(x @ W), x, dout)
    assert dx.shape == x.shape
    assert rel_error(dx, x_t.grad.numpy()) < 1e-7


def test_numerical_gradient_array_of_elementwise_function(rng):
    x = rng.standard_normal(5)
    df = rng.standard_normal(5)
    dx = eval_numerical_gradient_array(lambda x: x**2, x, df)
    assert rel_error(dx, 2 * x * df) < 1e-8


def test_numerical_gradient_array_copes_with_f_returning_x_itself(rng):
    """An in-place f (returning a view of x) must still give the identity's gradient."""
    x = rng.standard_normal(4)
    df = rng.standard_normal(4)
    before = x.copy()
    dx = eval_numerical_gradient_array(lambda x: x, x, df)
    assert rel_error(dx, df) < 1e-8
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_array_checks_df_shape(rng):
    with pytest.raises(ValueError, match=r"df must have the shape of f\(x\)"):
        eval_numerical_gradient_array(lambda x: x.sum(axis=0), np.ones((2, 3)), np.ones(2))


# --- rel_error --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (1.0, 1.0, 0.0),
        (1.0, 3.0, 0.5),
        (0.0, 0.0, 0.0),
        (-1.0, 1.0, 1.0),
        ([1.0, 2.0], [1.0, 2.2], 0.2 / 4.2),
        ([1e-12, 5.0], [0.0, 5.0], 1e-4),  # tiny values: denominator floored at 1e-8
    ],
)
def test_rel_error_known_values(x, y, expected):
    assert rel_error(np.array(x), np.array(y)) == pytest.approx(expected, rel=1e-12)


def test_rel_error_returns_a_float_and_is_symmetric(rng):
    a, b = rng.standard_normal(10), rng.standard_normal(10)
    assert isinstance(rel_error(a, b), float)
    assert rel_error(a, b) == rel_error(b, a)


def test_rel_error_rejects_shape_mismatch():
    with pytest.raises(ValueError, match=r"same shape.*\(3,\).*\(3, 1\)"):
        rel_error(np.ones(3), np.ones((3, 1)))


def test_rel_error_propagates_nan():
    assert np.isnan(rel_error(np.array([1.0, np.nan]), np.array([1.0, 1.0])))


# --- grad_check_sparse ------------------------------------------------------------------


def _quartic(x):
    return np.sum(x**4) / 4  # gradient x**3


def test_grad_check_sparse_small_errors_for_a_correct_gradient(rng, capsys):
    x = rng.standard_normal((10, 8))
    errors = grad_check_sparse(_quartic, x, x**3, num_checks=7, seed=0)
    assert len(errors) == 7
    # 1e-6, not 1e-7: an entry with a tiny gradient (~5e-4) carries rounding noise of
    # f (~20) / h, which is ~1e-7 relative; a wrong gradient is at 1/3 (next test).
    assert np.max(errors) < 1e-6
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 7
    assert all("relative error" in line for line in lines)


def test_grad_check_sparse_large_errors_for_a_wrong_gradient(rng):
    x = rng.standard_normal((10, 8))
    errors = grad_check_sparse(_quartic, x, 2 * x**3, num_checks=5, seed=0)
    # relative error of g against 2g is |g| / 3|g| = 1/3 everywhere
    np.testing.assert_allclose(errors, 1 / 3, rtol=1e-6)


def test_grad_check_sparse_is_reproducible_with_a_seed_and_restores_x(rng, capsys):
    x = rng.standard_normal((6, 6))
    before = x.copy()
    grad_check_sparse(_quartic, x, x**3, num_checks=4, seed=5)
    first = capsys.readouterr().out
    grad_check_sparse(_quartic, x, x**3, num_checks=4, seed=5)
    assert capsys.readouterr().out == first
    np.testing.assert_array_equal(x, before)


def test_grad_check_sparse_checks_shapes():
    with pytest.raises(ValueError, match="analytic_grad must have the shape of x"):
        grad_check_sparse(_quartic, np.ones((2, 3)), np.ones((3, 2)))


# --- assert_gradients_close -------------------------------------------------------------


def test_assert_gradients_close_prints_a_verdict_when_it_passes(capsys):
    g = np.array([1.0, 2.0, 3.0])
    assert_gradients_close(g, g * (1 + 1e-10), "dW")
    out = capsys.readouterr().out
    assert out.startswith("OK  dW: relative error ")
    assert out.endswith(" (tolerance 1e-07)\n")
    assert out.count("\n") == 1


def test_assert_gradients_close_raises_naming_gradient_error_and_tolerance():
    g = np.array([1.0, 2.0, 3.0])
    with pytest.raises(AssertionError) as info:
        assert_gradients_close(g, 2 * g, "db1", tol=1e-6)
    message = str(info.value)
    assert "\n" not in message
    assert "db1" in message
    assert "3.3e-01" in message
    assert "1e-06" in message


def test_assert_gradients_close_fails_on_nan_and_on_shape_mismatch():
    with pytest.raises(AssertionError, match="dx"):
        assert_gradients_close(np.array([np.nan]), np.array([1.0]), "dx")
    with pytest.raises(AssertionError, match=r"dx.*shape \(2,\).*shape \(2, 1\)"):
        assert_gradients_close(np.ones(2), np.ones((2, 1)), "dx")


def test_assert_gradients_close_end_to_end_with_numerical_gradient(rng, capsys):
    """The notebooks' use: analytic gradient of a linear softmax loss vs numerical."""
    W = rng.standard_normal((4, 3)) * 0.1
    X = rng.standard_normal((8, 4))
    y = rng.integers(0, 3, size=8)

    def loss(W):
        scores = X @ W
        scores = scores - scores.max(axis=1, keepdims=True)
        log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        return -log_probs[np.arange(len(y)), y].mean()

    W_t = torch.tensor(W, requires_grad=True)
    torch.nn.functional.cross_entropy(torch.tensor(X) @ W_t, torch.tensor(y)).backward()
    dW_num = eval_numerical_gradient(loss, W, verbose=False)
    assert_gradients_close(W_t.grad.numpy(), dW_num, "dW")
    assert capsys.readouterr().out.startswith("OK  dW")
