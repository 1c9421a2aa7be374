"""PyTorch training primitives (see `kgen.backend`)."""

import torch


class PhasedTrainer:
    """Mixin: runs `self._train_phases` / `self._test_phases` eagerly."""

    def train_step(self, data):
        return self._train_phases(data)

    def test_step(self, data):
        # Gradients stay enabled: a phase loss may hold a gradient penalty.
        return self._test_phases(data)


def minimize(loss_fn, variables, optimizer):
    """Applies one `optimizer` update of `variables` to reduce `loss_fn()`.

    Returns:
        `(loss, gradients)`: the loss before the update and the gradients
        applied, one per variable.
    """
    loss = loss_fn()
    values = [v.value for v in variables]
    grads = torch.autograd.grad(loss, values, allow_unused=True)
    grads = [torch.zeros_like(v) if g is None else g for g, v in zip(grads, values)]
    with torch.no_grad():
        optimizer.apply(grads, variables)
    return loss.detach(), grads


def input_gradients(fn, x):
    """Returns the gradient of `sum(fn(x))` with respect to `x`.

    The result keeps its graph, so a penalty built from it can be
    differentiated with respect to `fn`'s weights.
    """
    x = torch.as_tensor(x)
    if not x.requires_grad:
        x = x.detach().requires_grad_(True)
    total = fn(x).sum()
    (grad,) = torch.autograd.grad(total, x, create_graph=True)
    return grad
