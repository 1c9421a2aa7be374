"""Greedy layer-wise pre-training of a stack of RBMs, shared by DBNs and DBMs."""

import keras
import numpy as np
from keras import ops

from kgen.models.boltzmann.rbm import RBM
from kgen.utils.validation import check_integer
from kgen.utils.validation import offset_seed


def greedy_pretrain(
    layers,
    x,
    epochs,
    optimizer,
    pass_up,
    k=1,
    persistent_chains=None,
    seed=None,
    callbacks=None,
    **kwargs,
):
    """Trains RBM layers one after the other, bottom first.

    Layer `l` is wrapped in a `kgen.models.RBM` (CD-k or PCD-k), compiled
    with a fresh copy of `optimizer`, and fitted to `x` passed up through
    the layers below it by `pass_up` (Hinton, Osindero and Teh, 2006). Each
    layer shows its own progress bar; callbacks receive the layer's RBM
    model as their model.

    Args:
        layers: list of built `kgen.layers.RBMLayer`, bottom first, each
            one's visible size equal to the hidden size of the one below.
        x: training data for the bottom layer, shape `(num_samples,
            num_visible)`.
        epochs: int, or one int per layer.
        optimizer: a `keras.optimizers.Optimizer`; each layer gets a copy
            built from its config.
        pass_up: function `(layer, inputs) -> NumPy array` giving the next
            layer's training data (e.g. hidden probabilities).
        k: int >= 1, Gibbs steps of CD-k / PCD-k.
        persistent_chains: `None` for CD-k, or the number of PCD chains.
        seed: int or `None`; layer `l` uses `seed + l`.
        callbacks: Keras callbacks passed to every layer's `fit`.
        **kwargs: passed to every layer's `fit` (`batch_size`, `verbose`,
            ...).

    Returns:
        A `keras.callbacks.History` whose `history` holds each layer's logs
        under `layer_<index>_<name>`.

    Example:

    ```python
    layers = [kgen.layers.BernoulliRBM(32), kgen.layers.BernoulliRBM(16)]
    layers[0].build((None, 64))
    layers[1].build((None, 32))
    greedy_pretrain(layers, x, 5, keras.optimizers.SGD(0.1),
                    lambda layer, v: keras.ops.convert_to_numpy(layer(v)))
    ```
    """
    _check_stack(layers)
    epochs = _check_epochs(epochs, len(layers))
    history = keras.callbacks.History()
    history.history = {}
    inputs = np.asarray(x, "float32")
    for index, layer in enumerate(layers):
        model = RBM(
            layer,
            k=k,
            persistent_chains=persistent_chains,
            seed=offset_seed(seed, index),
            name=f"rbm_model_{index}",
        )
        model.compile(
            optimizer=type(optimizer).from_config(optimizer.get_config())
        )
        layer_history = model.fit(
            inputs, epochs=epochs[index], callbacks=callbacks, **kwargs
        )
        for name, values in layer_history.history.items():
            history.history[f"layer_{index}_{name}"] = values
        inputs = pass_up(layer, inputs)
    return history


def pretraining_optimizer(model, optimizer):
    """`optimizer`, or the one `model` was compiled with; an error if neither."""
    optimizer = optimizer or getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError(
            "`pretrain` needs an optimizer: call `compile(optimizer=...)` "
            "first or pass `optimizer=`."
        )
    return optimizer


def _check_stack(layers):
    if not isinstance(layers, (list, tuple)) or not layers:
        raise ValueError(
            "`layers` must be a non-empty list of built RBM layers, bottom "
            f"first. Received: layers={layers!r}."
        )
    for index, (below, above) in enumerate(zip(layers, layers[1:])):
        inputs = above.num_visible - getattr(
            above, "num_classes", 0
        )  # less label units
        if inputs != below.num_hidden:
            raise ValueError(
                f"The layer sizes do not chain: layer {index} has "
                f"{below.num_hidden} hidden units but layer {index + 1} has "
                f"{inputs} visible units. Build layer {index + 1} "
                f"with `build((None, {below.num_hidden}))`."
            )


def _check_epochs(epochs, num_layers):
    """`epochs` as one int >= 0 per layer (an int applies to every layer)."""
    if isinstance(epochs, (list, tuple)):
        if len(epochs) != num_layers:
            raise ValueError(
                f"`epochs` must be an int or one int per layer ({num_layers}"
                f" layers). Received {len(epochs)} values: epochs={list(epochs)}."
            )
        return [check_integer(e, "epochs", minimum=0) for e in epochs]
    return [check_integer(epochs, "epochs", minimum=0)] * num_layers


def _check_hidden_units(hidden_units, minimum=1):
    """A list of at least `minimum` layer sizes, each an int >= 1."""
    if (
        not isinstance(hidden_units, (list, tuple))
        or len(hidden_units) < minimum
    ):
        raise ValueError(
            "`hidden_units` must be a non-empty list of layer sizes (at least "
            f"{minimum}), bottom first, e.g. [256, 256]. Received: "
            f"hidden_units={hidden_units!r}."
        )
    return [check_integer(size, "hidden_units[i]") for size in hidden_units]


def _check_layer_index(layer, num_layers, model):
    """`layer` as an index in `[0, num_layers)` (negative counts from the top)."""
    if (
        not isinstance(layer, (int, np.integer))
        or not -num_layers <= layer < num_layers
    ):
        raise ValueError(
            f"`layer` must be an int in [{-num_layers}, {num_layers - 1}]"
            f" for this {num_layers}-layer {model}. Received: layer={layer!r}."
        )
    return int(layer) % num_layers


def _hidden_probabilities(layer, inputs):
    """`P(h = 1 | v)` of `layer` as a NumPy array (the usual `pass_up`)."""
    return ops.convert_to_numpy(layer.hidden_probabilities(inputs))
