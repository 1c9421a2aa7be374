"""A dense layer with a fixed binary connectivity mask, and MADE masks."""

import base64

import keras
import numpy as np
from keras import ops

from kgen.utils.validation import check_integer


@keras.saving.register_keras_serializable(package="kgen")
class MaskedDense(keras.layers.Layer):
    """A dense layer whose kernel is multiplied by a fixed binary mask.

    Computes `activation(inputs @ (kernel * mask) + bias)`: input `i` feeds
    unit `j` only where `mask[i, j] == 1`. The mask is a non-trainable
    weight, saved with the layer (and in its config), never changed by
    training. Masks from `made_masks` make a stack of such layers
    autoregressive (MADE, and the MADE inside MAF).

    A layer may hold several masks at once (shape
    `(num_masks, input_dim, units)`); `call(inputs, mask_index=i)` then
    uses mask `i` (an int or a scalar integer tensor, so a training step can
    pick a random mask per minibatch).

    Reference:
        Germain, Gregor, Murray and Larochelle, "MADE: Masked Autoencoder
        for Distribution Estimation", ICML 2015.

    Args:
        units: int >= 1, the number of output units.
        mask: 0/1 array of shape `(input_dim, units)`, or
            `(num_masks, input_dim, units)` for several masks.
        activation: activation function or its name, or `None` (linear).
        use_bias: whether to add a bias vector.
        kernel_initializer: initializer of the (unmasked) kernel.
        bias_initializer: initializer of the bias.
        kernel_regularizer: optional regularizer of the kernel.
        bias_regularizer: optional regularizer of the bias.
        **kwargs: base layer arguments (e.g. `name`, `dtype`).

    Example:

    ```python
    masks = kgen.layers.made_masks(
        kgen.layers.input_degrees(4), hidden_units=(8,), seed=0
    )
    hidden = kgen.layers.MaskedDense(8, masks[0], activation="relu")
    output = kgen.layers.MaskedDense(4, masks[1])
    logits = output(hidden(np.zeros((2, 4))))  # logit i sees inputs < i
    ```
    """

    def __init__(
        self,
        units,
        mask,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = check_integer(units, "units")
        mask = _decode_mask(mask) if isinstance(mask, dict) else mask
        self._mask_values = _check_mask(mask, self.units)
        self.num_masks = self._mask_values.shape[0]
        self.input_dim = self._mask_values.shape[1]
        self.activation = keras.activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.kernel_regularizer = keras.regularizers.get(kernel_regularizer)
        self.bias_regularizer = keras.regularizers.get(bias_regularizer)

    def build(self, input_shape):
        if input_shape[-1] is not None and input_shape[-1] != self.input_dim:
            raise ValueError(
                f"MaskedDense {self.name!r} has a mask for {self.input_dim} "
                f"inputs but received inputs of shape {tuple(input_shape)}. "
                "Pass inputs whose last axis matches the mask's first axis."
            )
        self.kernel = self.add_weight(
            shape=(self.input_dim, self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            name="kernel",
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                name="bias",
            )
        self.mask = self.add_weight(
            shape=self._mask_values.shape,
            initializer=keras.initializers.Constant(self._mask_values),
            trainable=False,
            name="mask",
        )

    def masked_kernel(self, mask_index=0):
        """The kernel times mask `mask_index`, shape `(input_dim, units)`."""
        if self.num_masks == 1:
            mask = self.mask[0]
        else:
            mask = ops.take(self.mask, mask_index, axis=0)
        return self.kernel * ops.cast(mask, self.kernel.dtype)

    def call(self, inputs, mask_index=0):
        outputs = ops.matmul(inputs, self.masked_kernel(mask_index))
        if self.bias is not None:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "mask": _encode_mask(self._mask_values),
                "activation": keras.activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": keras.initializers.serialize(
                    self.kernel_initializer
                ),
                "bias_initializer": keras.initializers.serialize(
                    self.bias_initializer
                ),
                "kernel_regularizer": keras.regularizers.serialize(
                    self.kernel_regularizer
                ),
                "bias_regularizer": keras.regularizers.serialize(
                    self.bias_regularizer
                ),
            }
        )
        return config


def _check_mask(mask, units):
    """The mask as a float32 array of shape `(num_masks, input_dim, units)`."""
    array = np.asarray(keras.ops.convert_to_numpy(mask))
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or array.shape[-1] != units or 0 in array.shape:
        raise ValueError(
            "`mask` must have shape (input_dim, units) or (num_masks, "
            f"input_dim, units) with units={units}. Received shape "
            f"{array.shape}."
        )
    if not np.isin(array, (0, 1)).all():
        raise ValueError(
            "`mask` must hold only 0 and 1. Received values "
            f"{np.unique(array)[:5]}... Build masks with "
            "`kgen.layers.autoregressive_mask` or `kgen.layers.made_masks`."
        )
    return array.astype("float32")


def _encode_mask(mask):
    """A compact JSON form of a 0/1 array: its shape and packed bits."""
    bits = np.packbits(mask.astype(bool).ravel())
    return {
        "shape": list(mask.shape),
        "bits": base64.b64encode(bits.tobytes()).decode("ascii"),
    }


def _decode_mask(config):
    shape = tuple(config["shape"])
    bits = np.frombuffer(base64.b64decode(config["bits"]), dtype=np.uint8)
    size = int(np.prod(shape))
    return np.unpackbits(bits)[:size].reshape(shape).astype("float32")


# ---------------------------------------------------------------- MADE masks


def check_ordering(ordering, num_inputs):
    """Returns `ordering` as an int array after checking it is a permutation.

    Args:
        ordering: sequence of the `num_inputs` input indices in the order
            they are generated (`ordering[0]` first).
        num_inputs: int >= 1.

    Raises:
        ValueError: if `ordering` is not a permutation of
            `0..num_inputs - 1`.
    """
    array = np.asarray(ordering)
    valid = (
        array.ndim == 1
        and np.issubdtype(array.dtype, np.integer)
        and np.array_equal(np.sort(array), np.arange(num_inputs))
    )
    if not valid:
        raise ValueError(
            f"`ordering` must be a permutation of 0..{num_inputs - 1} (each "
            f"input index exactly once). Received: {ordering!r}."
        )
    return array.astype("int64")


def input_degrees(num_inputs, ordering=None):
    """MADE degrees of the inputs: `1..num_inputs`, in generation order.

    Input `ordering[t]` gets degree `t + 1`; an autoregressive output of
    degree `d` may depend only on inputs of degree `< d`.

    Args:
        num_inputs: int >= 1.
        ordering: a permutation of `0..num_inputs - 1` (the order in which
            inputs are generated), or `None` for the natural order.

    Returns:
        int64 array of shape `(num_inputs,)`.
    """
    num_inputs = check_integer(num_inputs, "num_inputs")
    if ordering is None:
        return np.arange(1, num_inputs + 1)
    ordering = check_ordering(ordering, num_inputs)
    degrees = np.empty(num_inputs, dtype="int64")
    degrees[ordering] = np.arange(1, num_inputs + 1)
    return degrees


def autoregressive_mask(in_degrees, out_degrees, strict=False):
    """The connectivity mask between units of given degrees.

    `mask[i, j] = out_degrees[j] >= in_degrees[i]` (hidden layers), or
    `out_degrees[j] > in_degrees[i]` with `strict=True` (the output layer,
    so that output `d` never sees input `d`).

    Args:
        in_degrees: int array of shape `(input_dim,)`.
        out_degrees: int array of shape `(units,)`.
        strict: whether connections need a strictly larger degree.

    Returns:
        float32 array of shape `(input_dim, units)` of 0s and 1s.
    """
    in_degrees = np.asarray(in_degrees)[:, None]
    out_degrees = np.asarray(out_degrees)[None, :]
    connected = (
        out_degrees > in_degrees if strict else out_degrees >= in_degrees
    )
    return connected.astype("float32")


def made_masks(
    in_degrees,
    hidden_units,
    outputs_per_input=1,
    hidden_degrees="random",
    out_degrees=None,
    seed=None,
    direct=False,
):
    """The masks of a MADE network (Germain et al. 2015).

    Hidden unit `k` of layer `l` gets a degree `m(k)`; it may connect to
    units of the previous layer with degree `<= m(k)`. By default the output
    units copy the degrees of the inputs of degree >= 1
    (`outputs_per_input` times, e.g. 2 for MAF's shift and log-scale:
    outputs `[0, D)` first, then `[D, 2D)`) and connect strictly, so output
    `d` depends only on inputs of degree `< d`.

    Inputs of degree 0 (context, e.g. a condition) feed every hidden unit
    and get no outputs of their own.

    With `direct=True` the list ends with one more mask, of the direct
    connections from the inputs to the outputs (the paper's MNIST model
    has them): the same strict rule, so output `d` sees directly the inputs
    of degree `< d` (context inputs feed every output).

    Args:
        in_degrees: int array `(num_inputs,)` of input degrees (see
            `input_degrees`), values in `0..D` where `D` is the largest.
        hidden_units: sequence of ints, units per hidden layer.
        outputs_per_input: int >= 1, output units per input.
        hidden_degrees: `"random"` to draw each hidden degree uniformly from
            `[min degree of the previous layer, D - 1]` (the paper),
            `"equal"` to cycle through that range (deterministic), or a list
            of int arrays, the degrees of each hidden layer's units.
        out_degrees: int array of output degrees, or `None` for the
            default above (then `outputs_per_input` applies).
        seed: int, `numpy.random.Generator` or `None`, for random degrees.
        direct: whether to append the mask of direct input-to-output
            connections.

    Returns:
        A list of float32 masks: `(num_inputs, hidden_units[0])`, ...,
        `(hidden_units[-1], num_outputs)`, with `num_outputs =
        outputs_per_input * D` by default (`len(out_degrees)` if given),
        then `(num_inputs, num_outputs)` with `direct=True`.

    Example:

    ```python
    degrees = kgen.layers.input_degrees(3, ordering=[2, 0, 1])
    masks = kgen.layers.made_masks(degrees, hidden_units=(16, 16), seed=0)
    [m.shape for m in masks]  # [(3, 16), (16, 16), (16, 3)]
    ```
    """
    in_degrees = np.asarray(in_degrees)
    if (
        in_degrees.ndim != 1
        or in_degrees.size == 0
        or not np.issubdtype(in_degrees.dtype, np.integer)
        or in_degrees.min() < 0
    ):
        raise ValueError(
            "`in_degrees` must be a non-empty 1-D array of integers >= 0. "
            f"Received: {in_degrees!r}."
        )
    outputs_per_input = check_integer(outputs_per_input, "outputs_per_input")
    hidden_units = [check_integer(u, "hidden_units") for u in hidden_units]
    degrees_per_layer = _hidden_degrees(
        hidden_degrees, hidden_units, in_degrees, np.random.default_rng(seed)
    )
    if out_degrees is None:
        out_degrees = np.tile(in_degrees[in_degrees > 0], outputs_per_input)
    masks, previous = [], in_degrees
    for degrees in degrees_per_layer:
        masks.append(autoregressive_mask(previous, degrees))
        previous = degrees
    masks.append(autoregressive_mask(previous, out_degrees, strict=True))
    if direct:
        masks.append(autoregressive_mask(in_degrees, out_degrees, strict=True))
    return masks


def _hidden_degrees(hidden_degrees, hidden_units, in_degrees, rng):
    """The degrees of each hidden layer's units (see `made_masks`)."""
    if not isinstance(hidden_degrees, str):
        arrays = [np.asarray(d) for d in hidden_degrees]
        if [a.shape for a in arrays] != [(u,) for u in hidden_units]:
            raise ValueError(
                "`hidden_degrees` must hold one 1-D array per hidden layer, "
                f"of lengths {hidden_units}. Received shapes "
                f"{[a.shape for a in arrays]}."
            )
        return arrays
    if hidden_degrees not in ("random", "equal"):
        raise ValueError(
            "`hidden_degrees` must be 'random', 'equal' or a list of arrays. "
            f"Received: {hidden_degrees!r}."
        )
    top = max(int(in_degrees.max()) - 1, 0)
    layers, low = [], int(in_degrees.min())
    for units in hidden_units:
        low = min(low, top)
        if hidden_degrees == "random":
            degrees = rng.integers(low, top + 1, size=units)
        else:
            degrees = low + np.arange(units) % (top - low + 1)
        layers.append(degrees)
        low = int(degrees.min())
    return layers
