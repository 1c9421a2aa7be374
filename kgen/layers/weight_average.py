"""Exponential moving average of any network's weights."""

import weakref

import keras
from keras import ops

from kgen.utils.validation import check_number


@keras.saving.register_keras_serializable(package="kgen")
class WeightAverage(keras.layers.Layer):
    """An exponential moving average (EMA) of a network's weights.

    Keeps one non-trainable shadow variable per weight of `network` and
    calls `network` with the shadows in place of its weights (inside a
    `keras.StatelessScope`), so it works for functional, `Sequential` and
    subclassed networks alike: nothing is cloned. Assign it to an attribute
    of the model that owns `network`: the shadows are then saved, restored
    and carried through JAX's stateless training step with the model's other
    weights. Call `update()` once per training step (e.g. in
    `PhasedModel.after_train_step`).

    Each update sets `average = decay_t * average + (1 - decay_t) * weight`
    for trainable weights, with the warm-up
    `decay_t = min(decay, (1 + t) / (10 + t))` at the `t`-th update
    (`t = 1, 2, ...`; `tf.train.ExponentialMovingAverage(num_updates=t)`),
    and copies the
    non-trainable weights (e.g. batch-norm statistics).

    Reference: Karras et al., "Progressive Growing of GANs", ICLR 2018;
    Yazıcı et al., "The Unusual Effectiveness of Averaging in GAN
    Training", ICLR 2019.

    Args:
        network: a built `keras.Layer` or `keras.Model`.
        decay: float in `[0, 1)`.
        warmup: apply the warm-up schedule above.
        **kwargs: base layer arguments (e.g. `name`).

    Example:

    ```python
    self.generator_average = kgen.layers.WeightAverage(self.generator, 0.999)
    ...
    def after_train_step(self):
        self.generator_average.update()
    ...
    images = self.generator_average(z)  # the averaged generator
    ```
    """

    def __init__(self, network, decay=0.999, warmup=True, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(network, keras.Layer) or not network.built:
            raise ValueError(
                "`network` must be a built Keras layer or model (call it on "
                f"an input, or build it, first). Received: {network!r}."
            )
        self.decay = check_number(decay, "decay", low=0, high=1, high_open=True)
        self.warmup = bool(warmup)
        # A weak reference: the owner tracks and saves the network itself.
        self._network = weakref.ref(network)
        self.averages = [
            self.add_weight(
                shape=w.shape,
                dtype=w.dtype,
                initializer="zeros",
                trainable=False,
                name=f"average_{i}",
            )
            for i, w in enumerate(network.weights)
        ]
        self.num_updates = self.add_weight(
            shape=(),
            dtype="int32",
            initializer="zeros",
            trainable=False,
            name="num_updates",
        )
        for average, weight in zip(self.averages, network.weights):
            # A copy: two variables must not share one buffer (JAX donates
            # each variable's buffer to the training step).
            average.assign(ops.convert_to_numpy(weight))
        self.built = True

    @property
    def network(self):
        """The network whose weights are averaged."""
        network = self._network()
        if network is None:
            raise RuntimeError(
                "The averaged network no longer exists: keep a reference to "
                "it (e.g. as an attribute of the model owning this average)."
            )
        return network

    def update(self):
        """Moves the averages towards the network's current weights."""
        self.num_updates.assign_add(1)
        decay = ops.convert_to_tensor(self.decay)
        if self.warmup:
            t = ops.cast(self.num_updates, "float32")
            decay = ops.minimum(decay, (1.0 + t) / (10.0 + t))
        for average, weight in zip(self.averages, self.network.weights):
            if weight.trainable:
                decay_w = ops.cast(decay, average.dtype)
                average.assign(decay_w * average + (1.0 - decay_w) * weight)
            else:
                average.assign(weight)

    def call(self, *args, **kwargs):
        """Calls the network with the averaged weights."""
        network = self.network
        mapping = {id(v): (v, v.value) for v in network.variables}
        for average, weight in zip(self.averages, network.weights):
            mapping[id(weight)] = (weight, average.value)
        with keras.StatelessScope(state_mapping=list(mapping.values())):
            return network(*args, **kwargs)

    def compute_output_spec(self, *args, **kwargs):
        return self.network.compute_output_spec(*args, **kwargs)

    def get_config(self):
        # The owner rebuilds the average from its own network; the config
        # records the settings only.
        return {
            **super().get_config(),
            "decay": self.decay,
            "warmup": self.warmup,
        }
