# Student copy, generated from the instructor's solutions by `make release`.
# Fill in every part that raises NotImplementedError; keep names and signatures.
# (The names your answers define are still missing here, hence:)
# ruff: noqa: F405, F821, F841
"""A tiny automatic-differentiation engine for scalars.

A :class:`Value` holds one number and remembers how it was made: from which parent
values (``parents``) and, for each parent, the *local derivative* of this value with
respect to that parent (``local_grads``), worked out when the value is computed. That is
all backpropagation needs: :meth:`Value.backward` visits the graph from the output back
to the inputs and applies the chain rule,

    parent.grad += local_grad * child.grad

for every edge. ``+=`` because a value used in several places collects a gradient from
each of them.

>>> x = Value(-2.0); y = Value(5.0); z = Value(-4.0)     # doctest: +SKIP
>>> f = (x + y) * z                                      # doctest: +SKIP
>>> f.backward()                                         # doctest: +SKIP
>>> x.grad, y.grad, z.grad                               # doctest: +SKIP
(-4.0, -4.0, 3.0)

Assignment 03_backprop, section 13: each operation's local derivatives and ``backward``.
"""

from __future__ import annotations

import math
from numbers import Real

__all__ = ["Value"]


class Value:
    """A scalar node of a computational graph.

    Parameters
    ----------
    data : float
        The number.
    parents : tuple of Value, optional
        The values this one was computed from (empty for an input).
    local_grads : tuple of float, optional
        ``local_grads[i]`` is d(this value) / d(``parents[i]``), one per parent.
    op : str, optional
        Name of the operation that made the value, for printing and drawing.
    label : str, optional
        A name for the value, for printing and drawing.

    Attributes
    ----------
    data : float
        The number.
    grad : float
        d(output) / d(this value) after ``output.backward()``; 0.0 before.
    """

    def __init__(
        self,
        data: float,
        parents: tuple[Value, ...] = (),
        local_grads: tuple[float, ...] = (),
        op: str = "",
        label: str = "",
    ) -> None:
        if not isinstance(data, Real):
            raise TypeError(f"data must be a real number (int or float), "
                            f"got {type(data).__name__}")
        if len(parents) != len(local_grads):
            raise ValueError(f"local_grads must hold one number per parent: "
                             f"{len(parents)} parents, {len(local_grads)} local_grads")
        self.data = float(data)
        self.grad = 0.0
        self.parents = tuple(parents)
        self.local_grads = tuple(float(g) for g in local_grads)
        self.op = op
        self.label = label

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # ------------------------------------------------------------ the operations
    # Each operation computes its result and the local derivative of the result with
    # respect to each input; backward() does the rest.

    def __add__(self, other: Value | float) -> Value:
        other = _as_value(other)
        # YOUR CODE HERE
        raise NotImplementedError(
            'Value.__add__ is not written yet: fill it in, guided by 03_backprop, section 13 '
            '"A scalar autograd engine".'
        )
        return Value(self.data + other.data, (self, other), local_grads, "+")

    def __mul__(self, other: Value | float) -> Value:
        other = _as_value(other)
        # YOUR CODE HERE
        raise NotImplementedError(
            'Value.__mul__ is not written yet: fill it in, guided by 03_backprop, section 13 '
            '"A scalar autograd engine".'
        )
        return Value(self.data * other.data, (self, other), local_grads, "*")

    def __pow__(self, exponent: float) -> Value:
        if not isinstance(exponent, Real):
            raise TypeError(f"exponent must be a plain number (int or float), "
                            f"got {type(exponent).__name__}")
        exponent = float(exponent)
        # YOUR CODE HERE
        raise NotImplementedError(
            'Value.__pow__ is not written yet: fill it in, guided by 03_backprop, section 13 '
            '"A scalar autograd engine".'
        )
        return Value(self.data**exponent, (self,), local_grads, f"**{exponent:g}")

    def exp(self) -> Value:
        """``e ** self``."""
        out = math.exp(self.data)
        # YOUR CODE HERE
        raise NotImplementedError(
            'Value.exp is not written yet: fill it in, guided by 03_backprop, section 13 "A '
            'scalar autograd engine".'
        )
        return Value(out, (self,), local_grads, "exp")

    def relu(self) -> Value:
        """``max(0, self)``; the derivative at 0 is taken as 0."""
        out = max(0.0, self.data)
        # YOUR CODE HERE
        raise NotImplementedError(
            'Value.relu is not written yet: fill it in, guided by 03_backprop, section 13 "A '
            'scalar autograd engine".'
        )
        return Value(out, (self,), local_grads, "relu")

    def sigmoid(self) -> Value:
        """``1 / (1 + e ** -self)``, one node (not built from exp, add and pow)."""
        if self.data >= 0:
            out = 1.0 / (1.0 + math.exp(-self.data))
        else:  # the same number, without overflow for very negative data
            out = math.exp(self.data) / (1.0 + math.exp(self.data))
        # YOUR CODE HERE
        raise NotImplementedError(
            'Value.sigmoid is not written yet: fill it in, guided by 03_backprop, section 13 '
            '"A scalar autograd engine".'
        )
        return Value(out, (self,), local_grads, "sigmoid")

    # Everything else is made of the operations above.
    def __neg__(self) -> Value:
        return self * -1.0

    def __sub__(self, other: Value | float) -> Value:
        return self + (-_as_value(other))

    def __truediv__(self, other: Value | float) -> Value:
        return self * _as_value(other) ** -1.0

    def __radd__(self, other: float) -> Value:
        return self + other

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __rsub__(self, other: float) -> Value:
        return _as_value(other) - self

    def __rtruediv__(self, other: float) -> Value:
        return _as_value(other) / self

    # ------------------------------------------------------------------ backward

    def backward(self) -> None:
        """Fill in ``.grad`` of every value in the graph with d(self) / d(value).

        First put the graph's values in a *topological order*: each value after all of
        the values it was computed from (its parents), ``self`` last. Then reset every
        ``grad`` to 0 (so calling ``backward`` twice gives the same result), set
        ``self.grad`` to 1, and walk the order backwards, each value sending its share
        ``local_grad * grad`` to each of its parents. Walking backwards guarantees that a
        value has collected the shares of everything computed from it before it sends
        its own on.

        Graphs may be thousands of values deep (a long sum is a long chain), deeper than
        Python's limit of about 1000 nested calls: find the order with an explicit stack
        rather than with recursion.
        """
        # YOUR CODE HERE
        raise NotImplementedError(
            'Value.backward is not written yet: fill it in, guided by 03_backprop, section 13'
            ' "A scalar autograd engine".'
        )


def _as_value(x: Value | float) -> Value:
    """``x`` itself if it is a Value, else a new constant Value."""
    if isinstance(x, Value):
        return x
    if isinstance(x, Real):
        return Value(float(x))
    raise TypeError(f"cannot combine a Value with {type(x).__name__}; use a Value or a number")
