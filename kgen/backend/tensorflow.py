"""TensorFlow training primitives (see `kgen.backend`)."""

import keras
import tensorflow as tf
from keras import ops


class PhasedTrainer:
    """Mixin: runs `self._train_phases` / `self._test_phases` as the step.

    Keras wraps these steps in a `tf.function`.
    """

    def train_step(self, data):
        return self._train_phases(data)

    def test_step(self, data):
        return self._test_phases(data)


class StepFunctions:
    """Mixin: leaner `fit` / `evaluate` step functions than Keras' on TF.

    With `steps_per_execution=1`, Keras' step function is a `tf.function`
    that reads the next batch and returns the logs wrapped in a
    `tf.experimental.Optional`, which Python then unwraps with two more eager
    calls: about a quarter of a millisecond per step, and with
    `jit_compile=True` one more function call around the compiled step. Here
    Python takes the next batch and calls one `tf.function` (compiled with
    XLA when `jit_compile`) that returns the logs themselves; the end of the
    data raises `StopIteration`, which ends the epoch as in Keras. Several
    steps per execution, eager runs and distribution strategies keep Keras'
    own functions.
    """

    def make_train_function(self, force=False):
        return self._make_step_function(
            "train", super().make_train_function, force
        )

    def make_test_function(self, force=False):
        return self._make_step_function(
            "test", super().make_test_function, force
        )

    def _compute_loss(self, *args, **kwargs):
        # Under a `tf.distribute` strategy the optimizer sums the replicas'
        # gradients, so Keras' own losses divide by the number of replicas;
        # kgen's `compute_loss` overrides return plain per-replica means.
        loss = super()._compute_loss(*args, **kwargs)
        if type(self).compute_loss is keras.Model.compute_loss:
            return loss
        return per_replica(loss)

    def _make_step_function(self, kind, make_keras_function, force):
        name = f"{kind}_function"
        if self._keras_step_functions():
            make_keras_function(force)
        elif getattr(self, name) is None or force:
            setattr(
                self,
                name,
                self._one_step_function(getattr(self, f"{kind}_step")),
            )
        return getattr(self, name)

    def _keras_step_functions(self):
        return (
            self.steps_per_execution != 1
            or self.run_eagerly
            or _distributed(self.distribute_strategy)
        )

    def _one_step_function(self, step):
        @tf.function(reduce_retracing=True, jit_compile=self.jit_compile)
        def one_step_on_data(data):
            return step(keras.tree.map_structure(_none_for_optional, data))

        return lambda iterator: one_step_on_data(next(iterator))


def _distributed(strategy):
    """Whether `strategy` (a model's) is a `tf.distribute` strategy of its own.

    Inside a strategy's scope `tf.distribute.get_strategy()` returns that
    strategy, so comparing with it cannot tell; the default strategy has
    one replica and no scope.
    """
    return tf.distribute.has_strategy() or strategy.num_replicas_in_sync > 1


def _none_for_optional(value):
    return None if isinstance(value, tf.experimental.Optional) else value


def per_replica(value):
    """`value` divided by the number of replicas of the current strategy.

    A replica's share of a quantity that `tf.distribute` sums over replicas
    (gradients): under `MirroredStrategy` over `n` devices, each replica's
    gradient of its batch mean, divided by `n` and summed, is the gradient
    of the global batch mean. Without a strategy, `value` unchanged.
    """
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if replicas == 1:
        return value
    return value * tf.cast(1.0 / replicas, value.dtype)


def fori_loop(lower, upper, body, init):
    """`keras.ops.fori_loop`, run as one graph when called eagerly.

    Eager TensorFlow runs a `while_loop` op by op from Python, which made
    sampling and AIS loops 20-40 times slower than on JAX; traced once as a
    `tf.function`, the loop runs in the graph runtime.
    """
    if not tf.executing_eagerly():
        return ops.fori_loop(lower, upper, body, init)
    return tf.function(lambda value: ops.fori_loop(lower, upper, body, value))(
        init
    )


def minimize(loss_fn, variables, optimizer):
    """Applies one `optimizer` update of `variables` to reduce a loss.

    `loss_fn()` returns `(loss, aux)`.

    Returns:
        `(loss, aux, gradients)`: the loss before the update, `aux`, and the
        gradients applied, one per variable.
    """
    with tf.GradientTape() as tape:
        loss, aux = loss_fn()
    grads = tape.gradient(loss, variables)
    grads = [
        ops.zeros_like(v) if g is None else g for g, v in zip(grads, variables)
    ]
    # The optimizer sums the gradients of all replicas.
    optimizer.apply([per_replica(g) for g in grads], variables)
    return loss, aux, grads


def without_gradient(fn, *args, **kwargs):
    """Calls `fn`; its result is a constant for differentiation."""
    return keras.tree.map_structure(tf.stop_gradient, fn(*args, **kwargs))


def global_norm(tensors):
    """The Euclidean norm of all `tensors` together."""
    return tf.linalg.global_norm(tensors)


def input_gradients(fn, x):
    """Returns the gradient of `sum(fn(x))` with respect to `x`."""
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(fn(x))
    return tape.gradient(total, x)


def array_pipeline(x, y, options):
    """Arrays for `fit` as one `tf.data` pipeline kept across epochs.

    See `kgen.backend.fit_data`; other inputs pass through unchanged.

    Returns:
        `(x, y, options)` to pass on to `keras.Model.fit`.
    """
    arrays = (x, y, options.get("sample_weight"))
    shuffle = options.get("shuffle", True)
    if (
        (y is None and arrays[2] is not None)
        or shuffle not in (True, False)
        or any(
            options.get(name)
            for name in ("validation_split", "class_weight", "steps_per_epoch")
        )
        or not _plain_arrays(arrays)
    ):
        return x, y, options
    data = keras.utils.pack_x_y_sample_weight(
        *(None if a is None else _as_tensors(a) for a in arrays)
    )
    sizes = {int(t.shape[0]) for t in tf.nest.flatten(data)}
    if len(sizes) != 1 or 0 in sizes:
        return x, y, options  # Keras raises its own errors for these
    num_samples = sizes.pop()
    batch_size = options.get("batch_size") or 32
    full = num_samples // batch_size * batch_size

    def epoch(_):
        # Whole batches of indices as rows (one element each, not one per
        # sample), then the partial batch.
        order = tf.range(num_samples, dtype=tf.int64)
        order = tf.random.shuffle(order) if shuffle else order
        batches = tf.data.Dataset.from_tensor_slices(
            tf.reshape(order[:full], (-1, batch_size))
        )
        return (
            batches.concatenate(tf.data.Dataset.from_tensors(order[full:]))
            if full < num_samples
            else batches
        )

    def gather(indices):
        return tf.nest.map_structure(lambda t: tf.gather(t, indices), data)

    dataset = tf.data.Dataset.range(1).repeat().flat_map(epoch).map(gather)
    options = {
        k: v
        for k, v in options.items()
        if k not in ("batch_size", "sample_weight")
    }
    # The pipeline shuffles; `shuffle=False` also spares Keras' warning that
    # it cannot shuffle a dataset.
    options.update(
        shuffle=False, steps_per_epoch=-(-num_samples // batch_size)
    )  # partial batch too
    return dataset, None, options


def _plain_arrays(arrays):
    leaves = [leaf for leaf in tf.nest.flatten(arrays) if leaf is not None]
    return bool(leaves) and all(
        hasattr(a, "dtype") and len(getattr(a, "shape", ())) > 0 for a in leaves
    )


def _as_tensors(structure):
    """Arrays as tensors (floats in `floatx`), lists as tuples for `tf.data`."""
    if isinstance(structure, (list, tuple)):
        return tuple(_as_tensors(item) for item in structure)
    if isinstance(structure, dict):
        return {key: _as_tensors(item) for key, item in structure.items()}
    tensor = tf.convert_to_tensor(structure)
    return (
        tf.cast(tensor, keras.config.floatx())
        if tensor.dtype.is_floating
        else tensor
    )
