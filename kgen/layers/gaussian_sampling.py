"""The reparameterised Gaussian sampling layer of variational autoencoders."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kgen")
class GaussianSampling(keras.layers.Layer):
    """Draws `z = mean + exp(0.5 * log_var) * epsilon`, `epsilon ~ N(0, I)`.

    The reparameterisation trick: the sample is a differentiable function of
    `mean` and `log_var`, so gradients flow through it to the encoder. The
    noise comes from the layer's own `keras.random.SeedGenerator`, whose state
    is saved with the layer's weights (a reloaded layer continues the same
    stream), or from a `seed` passed to the call.

    Reference:
        Kingma and Welling, "Auto-Encoding Variational Bayes", ICLR 2014.

    Args:
        seed: int or `None`, seed of the layer's random stream.
        **kwargs: passed to `keras.layers.Layer` (e.g. `name`).

    Call arguments:
        inputs: list `[mean, log_var]` of two tensors of the same shape.
        seed: optional int or `keras.random.SeedGenerator` used instead of the
            layer's own stream.

    Returns:
        A tensor of the shape of `mean`.

    Example:

    ```python
    mean, log_var = ops.split(encoder(x), 2, axis=-1)
    z = kgen.layers.GaussianSampling(seed=0)([mean, log_var])
    ```
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True

    def call(self, inputs, seed=None):
        mean, log_var = inputs
        seed = self.seed_generator if seed is None else seed
        noise = keras.random.normal(
            ops.shape(mean), dtype=mean.dtype, seed=seed
        )
        return mean + ops.exp(0.5 * log_var) * noise

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def save_own_variables(self, store):
        store["seed_state"] = self.seed_generator.state

    def load_own_variables(self, store):
        if "seed_state" in store:
            self.seed_generator.state.assign(store["seed_state"][()])

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}
