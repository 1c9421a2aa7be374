"""Spectral normalisation as a re-parametrisation, identical on every backend."""

import keras
from keras import ops

from kgen.utils.validation import check_integer

_EPSILON = 1e-12


@keras.saving.register_keras_serializable(package="kgen")
class SpectralNormalization(keras.layers.Wrapper):
    """Divides a layer's kernel by its largest singular value at every call.

    The wrapped layer computes with `W / sigma(W)`, where `sigma` is estimated
    by power iteration with a persistent vector `u` (a non-trainable weight
    updated with `assign` in training mode). The trainable kernel `W` itself is
    never overwritten: gradients flow through `W / sigma(W)` (with `u` and
    `v` held constant, as in the paper), and the optimizer updates `W`.

    `keras.layers.SpectralNormalization` instead assigns `W / sigma` to the
    trainable kernel during the forward pass. Under JAX's stateless training
    step that assignment is discarded while TensorFlow and PyTorch keep it, so
    the same model trains differently per backend; this layer behaves the
    same everywhere and normalises at inference too.

    Reference: Miyato et al., "Spectral Normalization for Generative
    Adversarial Networks", ICLR 2018.

    Args:
        layer: a layer with a `kernel` (e.g. `Dense`, `Conv2D`,
            `Conv2DTranspose`) or `embeddings` (`Embedding`) weight.
        power_iterations: int >= 1, power-iteration steps per training call.
        **kwargs: base layer arguments (e.g. `name`).

    Example:

    ```python
    critic = keras.Sequential([
        keras.Input((64,)),
        kgen.layers.SpectralNormalization(keras.layers.Dense(128)),
        keras.layers.LeakyReLU(0.2),
        kgen.layers.SpectralNormalization(keras.layers.Dense(1)),
    ])
    ```
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        self.power_iterations = check_integer(
            power_iterations, "power_iterations"
        )

    def build(self, input_shape):
        super().build(input_shape)
        for name in ("kernel", "embeddings"):
            if hasattr(self.layer, name):
                self._weight = getattr(self.layer, name)
                break
        else:
            raise ValueError(
                "`SpectralNormalization` wraps layers with a `kernel` or "
                f"`embeddings` weight. Received a {type(self.layer).__name__}, "
                "which has neither."
            )
        self.vector_u = self.add_weight(
            shape=(1, self._weight.shape[-1]),
            initializer=keras.initializers.RandomNormal(stddev=1.0, seed=0),
            trainable=False,
            name="vector_u",
        )

    def call(self, inputs, training=False):
        matrix = ops.reshape(self._weight, (-1, self._weight.shape[-1]))
        u = self.vector_u.value
        for _ in range(self.power_iterations if training else 0):
            v = _normalize(ops.matmul(u, ops.transpose(matrix)))
            u = _normalize(ops.matmul(v, matrix))
        u = ops.stop_gradient(u)
        v = ops.stop_gradient(_normalize(ops.matmul(u, ops.transpose(matrix))))
        if training:
            self.vector_u.assign(u)
        sigma = ops.sum(ops.matmul(v, matrix) * u)
        mapping = [(w, w.value) for w in self.layer.weights]
        mapping.append((self._weight, self._weight.value / sigma))
        with keras.StatelessScope(state_mapping=mapping):
            return self.layer(inputs)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "power_iterations": self.power_iterations,
        }


def _normalize(x):
    return x / ops.sqrt(ops.sum(ops.square(x)) + _EPSILON)
