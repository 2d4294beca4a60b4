# Student copy, generated from the instructor's solutions by `make release`.
# Fill in every part that raises NotImplementedError; keep names and signatures.
# (The names your answers define are still missing here, hence:)
# ruff: noqa: F405, F821, F841
"""Transfer learning: reuse a network trained on one task for another.

The lecture notes give three ways to use a pretrained network on a new task:

1. keep its convolutional body fixed ("frozen") and train only a new linear head
   (:func:`freeze_features`, :func:`replace_head`);
2. run the frozen body once over the new data to get a feature vector per image, then
   train a small classifier on those vectors alone (:func:`extract_features`): the same
   model as way 1, without running the body in every epoch;
3. fine-tune: also train the top convolutional blocks, with a smaller learning rate than
   the new head, so that the pretrained features change only a little
   (:func:`fine_tune_param_groups`).

The functions work on :class:`cs231n_utils.small_cnn.SmallCNN` and on any network with
the same layout: ``model.features``, a :class:`torch.nn.Sequential` of blocks (the first
nearest the input); ``model.head``, a :class:`torch.nn.Linear`; and
``model.feature_vector(x)``, the vectors the head sees.

Assignment 06_transfer_learning.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["extract_features", "fine_tune_param_groups", "freeze_features", "replace_head"]


def _check_model(model: nn.Module) -> None:
    ok = (isinstance(model, nn.Module) and isinstance(getattr(model, "features", None),
                                                      nn.Sequential)
          and isinstance(getattr(model, "head", None), nn.Linear))
    if not ok:
        raise ValueError("model must be a torch.nn.Module with a 'features' Sequential and "
                         f"a linear 'head', like SmallCNN; got {type(model).__name__}")


def _check_positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def freeze_features(model: nn.Module) -> nn.Module:
    """Freeze the body: no parameter of ``model.features`` is trained any more.

    Every parameter of ``model.features`` gets ``requires_grad = False`` (so autograd
    computes no gradient for it and an optimiser leaves it alone); the parameters of
    ``model.head`` stay trainable (``requires_grad = True``).

    Parameters
    ----------
    model : torch.nn.Module
        A network with ``features`` and ``head`` (see the module docstring). Changed in
        place.

    Returns
    -------
    model : torch.nn.Module
        The same object, for chaining.

    Raises
    ------
    ValueError
        If ``model`` lacks ``features`` or ``head``.
    """
    _check_model(model)
    # YOUR CODE HERE
    raise NotImplementedError(
        'freeze_features is not written yet: fill it in, guided by 06_transfer_learning, '
        'section 4 "Way 1: a new head on a frozen body".'
    )
    return model


def replace_head(model: nn.Module, num_classes: int) -> nn.Linear:
    """Replace the head by a new, freshly initialised linear layer for ``num_classes``.

    The new head has as many inputs as the old one (the length of the feature vector),
    ``num_classes`` outputs, PyTorch's default initialisation, and is trainable. It is
    created with the old head's dtype and device.

    Parameters
    ----------
    model : torch.nn.Module
        A network with ``features`` and ``head``. Changed in place (``model.head``).
    num_classes : int
        Classes of the new task.

    Returns
    -------
    head : torch.nn.Linear
        The new head (also ``model.head``).

    Raises
    ------
    ValueError
        If ``model`` lacks ``features`` or ``head``, or ``num_classes`` is not a positive
        integer.
    """
    _check_model(model)
    _check_positive_int("num_classes", num_classes)
    old = model.head
    # YOUR CODE HERE
    raise NotImplementedError(
        'replace_head is not written yet: fill it in, guided by 06_transfer_learning, section'
        ' 4 "Way 1: a new head on a frozen body".'
    )
    return head


def extract_features(model: nn.Module, X: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """The feature vector of every image: ``model.feature_vector`` over ``X`` in batches.

    Runs without building an autograd graph (:func:`torch.no_grad`) and in evaluation mode
    (:meth:`torch.nn.Module.eval`, so that layers such as dropout or batch normalisation
    behave as at test time); the model's training mode is restored afterwards.

    Parameters
    ----------
    model : torch.nn.Module
        A network with ``features``, ``head`` and ``feature_vector``. Left unchanged.
    X : torch.Tensor, shape (N, C, H, W)
        Images.
    batch_size : int, default 256
        Images per forward pass (bounds the memory used).

    Returns
    -------
    features : torch.Tensor, shape (N, F)
        ``model.feature_vector(X)``, row ``i`` for image ``i``, with ``requires_grad``
        False.

    Raises
    ------
    ValueError
        If ``model`` lacks ``features`` or ``head``, ``X`` is not 4-D, or ``batch_size``
        is not a positive integer.
    """
    _check_model(model)
    _check_positive_int("batch_size", batch_size)
    if not isinstance(X, torch.Tensor) or X.ndim != 4:
        raise ValueError(f"X must be a 4-D torch.Tensor (N, C, H, W); got "
                         f"{type(X).__name__} of shape {tuple(getattr(X, 'shape', ()))}")
    was_training = model.training
    # YOUR CODE HERE
    raise NotImplementedError(
        'extract_features is not written yet: fill it in, guided by 06_transfer_learning, '
        'section 5 "Way 2: features once, then a classifier".'
    )
    model.train(was_training)
    return features


def fine_tune_param_groups(model: nn.Module, lr_head: float, lr_body: float,
                           layers_to_unfreeze: int) -> list[dict]:
    """Prepare fine-tuning: unfreeze the top blocks and give them a smaller learning rate.

    The body is frozen first, then the last ``layers_to_unfreeze`` blocks of
    ``model.features`` (the ones nearest the head) are made trainable again. The result
    is the list of parameter groups for a :mod:`torch.optim` optimiser
    (``torch.optim.Adam(groups)``): the head's parameters with ``lr_head``, then the
    unfrozen blocks' parameters with ``lr_body``. With ``layers_to_unfreeze = 0`` there is
    only the head's group (way 1).

    Parameters
    ----------
    model : torch.nn.Module
        A network with ``features`` and ``head``. Its ``requires_grad`` flags are changed
        in place: head and unfrozen blocks True, the other blocks False.
    lr_head : float
        Learning rate of the head, > 0.
    lr_body : float
        Learning rate of the unfrozen blocks, > 0 and at most ``lr_head``: pretrained
        features should move less than a head that starts from scratch.
    layers_to_unfreeze : int
        How many blocks, counted from the top, to train: 0 to ``len(model.features)``.

    Returns
    -------
    groups : list of dict
        ``[{"params": [head parameters], "lr": lr_head},
        {"params": [parameters of the unfrozen blocks], "lr": lr_body}]``, the second only
        when ``layers_to_unfreeze > 0``. Every trainable parameter is in exactly one group;
        no frozen one is in any.

    Raises
    ------
    ValueError
        Naming the argument: a learning rate not > 0, ``lr_body > lr_head``,
        ``layers_to_unfreeze`` out of range.
    """
    _check_model(model)
    for name, value in (("lr_head", lr_head), ("lr_body", lr_body)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ValueError(f"{name} must be a number > 0, got {value!r}")
    if lr_body > lr_head:
        raise ValueError(f"lr_body ({lr_body:g}) must not exceed lr_head ({lr_head:g}): the "
                         f"pretrained blocks should change less than the new head")
    blocks = len(model.features)
    if (isinstance(layers_to_unfreeze, bool) or not isinstance(layers_to_unfreeze, int)
            or not 0 <= layers_to_unfreeze <= blocks):
        raise ValueError(f"layers_to_unfreeze must be an integer from 0 to {blocks} (the "
                         f"blocks of model.features); got {layers_to_unfreeze!r}")
    # YOUR CODE HERE
    raise NotImplementedError(
        'fine_tune_param_groups is not written yet: fill it in, guided by '
        '06_transfer_learning, section 6 "Way 3: fine-tuning the top blocks".'
    )
    return groups
