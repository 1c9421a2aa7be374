"""PyTorch training primitives (see `kgen.backend`)."""

import keras
import torch
from keras import ops


class StepFunctions:
    """Mixin: Keras' `fit` step, without an unused forward pass, on PyTorch.

    Keras' PyTorch `train_step` computes `y_pred = self(x)` before
    `compute_loss`. A model whose `compute_loss` ignores `y_pred` sets the
    class attribute `loss_uses_predictions = False`; without compiled
    metrics (which would read `y_pred`), its step then skips that call,
    which eager PyTorch would run in full (TensorFlow and JAX drop it from
    their graphs as dead code). Everything else is Keras' own step.
    """

    loss_uses_predictions = True

    def train_step(self, data):
        if self.loss_uses_predictions or self._compile_metrics is not None:
            return super().train_step(data)
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        self.zero_grad()
        loss = self.compute_loss(
            x=x, y=y, y_pred=None, sample_weight=sample_weight, training=True
        )
        self._loss_tracker.update_state(
            loss, sample_weight=ops.shape(keras.tree.flatten(x)[0])[0]
        )
        weights = self.trainable_weights[:]
        if weights:
            self.optimizer.scale_loss(loss).backward()
            with torch.no_grad():
                self.optimizer.apply([v.value.grad for v in weights], weights)
        return self.compute_metrics(x, y, None, sample_weight=sample_weight)


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


def fast_bernoulli(probabilities, seed):
    """Binary states drawn as Keras' would be, in fewer passes over memory.

    Keras' `uniform` scales and shifts its `torch.rand` draw (two more
    passes), then `uniform < p` allocates a boolean tensor and the cast a
    third one; at MNIST scale these cost as much as a matrix product on one
    CPU thread. Here the same `torch.rand` draw (same generator, same seed
    from `seed`, so the same states) is compared with `p` in place.

    Args:
        probabilities: tensor of probabilities.
        seed: a `keras.random.SeedGenerator` or an int.

    Returns:
        The states, or `None` where Keras' own draw must serve (symbolic
        `meta` tensors, other seeds).
    """
    if probabilities.device.type == "meta":
        return None
    if isinstance(seed, keras.random.SeedGenerator):
        seed = ops.sum(seed.next())
    elif not isinstance(seed, int):
        return None
    generator = torch.Generator(device=probabilities.device)
    generator.manual_seed(int(seed) & 0xFFFFFFFF)
    uniform = torch.rand(
        probabilities.shape,
        generator=generator,
        dtype=probabilities.dtype,
        device=probabilities.device,
    )
    return uniform.lt_(probabilities)
