"""PyTorch training primitives (see `kgen.backend`)."""

import torch


class StepFunctions:
    """Mixin: Keras' own `fit` / `evaluate` step functions serve on PyTorch."""


class PhasedTrainer:
    """Mixin: runs `self._train_phases` / `self._test_phases` eagerly."""

    def train_step(self, data):
        return self._train_phases(data)

    def test_step(self, data):
        # Gradients stay enabled: a phase loss may hold a gradient penalty.
        return self._test_phases(data)


def minimize(loss_fn, variables, optimizer):
    """Applies one `optimizer` update of `variables` to reduce a loss.

    `loss_fn()` returns `(loss, aux)`.

    Returns:
        `(loss, aux, gradients)`: the loss before the update, `aux`, and the
        gradients applied, one per variable.
    """
    loss, aux = loss_fn()
    values = [v.value for v in variables]
    grads = torch.autograd.grad(loss, values, allow_unused=True)
    grads = [
        torch.zeros_like(v) if g is None else g for g, v in zip(grads, values)
    ]
    with torch.no_grad():
        optimizer.apply(grads, variables)
    aux = {k: v.detach() if torch.is_tensor(v) else v for k, v in aux.items()}
    return loss.detach(), aux, grads


def without_gradient(fn, *args, **kwargs):
    """Calls `fn` without recording a graph: its result is a constant."""
    with torch.no_grad():
        return fn(*args, **kwargs)


def global_norm(tensors):
    """The Euclidean norm of all `tensors` together."""
    return torch.nn.utils.get_total_norm(tensors)


def input_gradients(fn, x):
    """Returns the gradient of `sum(fn(x))` with respect to `x`.

    The result keeps its graph, so a penalty built from it can be
    differentiated with respect to `fn`'s weights.
    """
    x = torch.as_tensor(x)
    with torch.enable_grad():  # also under `evaluate`'s no_grad
        if not x.requires_grad:
            x = x.detach().requires_grad_(True)
        total = fn(x).sum()
        (grad,) = torch.autograd.grad(total, x, create_graph=True)
    return grad
