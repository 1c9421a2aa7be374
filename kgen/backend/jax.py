"""JAX training primitives (see `kgen.backend`).

Keras' JAX trainer jit-compiles a pure `train_step(state, data)`. The step
below maps every model, optimizer and metric variable to its traced value in a
`keras.StatelessScope`, runs the backend-independent phase code (which reads
and assigns variables as usual) and collects the new values. `minimize`
differentiates a loss with `jax.value_and_grad` over a nested scope and
writes the results back with `assign`, so the phase code never sees JAX.
"""

import contextlib
import functools
import math

import jax
import jax.numpy as jnp
import keras
from keras import ops

# Variables of the step being traced, innermost last (steps do not nest in
# practice, but a stack keeps the invariant obvious).
_STEP_VARIABLES = []
# Whether each of the model's `lazy_intervals` fires in the step being
# traced (a dict from interval to bool), innermost last.
_FIRING = []


class StepFunctions:
    """Mixin: Keras' JAX `fit` without per-step attribute tracking, and
    lazy terms without conditionals.

    After every step, Keras' JAX `fit` keeps the new state on the model
    (`self._jax_state`, a dict of lists of arrays). As a layer attribute it
    goes through Keras' attribute tracking, which walks every array to find
    variables or layers there are none of: a tenth of a millisecond per step,
    a quarter of a small GAN's step. The attribute is stored directly.

    A model with `lazy_intervals` (the intervals of its `every` terms, e.g.
    a GAN's lazy R1) trains with one compiled step per combination of the
    terms that fire, chosen in Python from the step count (see `every`).
    """

    def __setattr__(self, name, value):
        if name == "_jax_state":
            object.__setattr__(self, name, value)
        else:
            super().__setattr__(name, value)

    def make_train_function(self, force=False):
        intervals = tuple(getattr(self, "lazy_intervals", ()))
        if (
            not intervals
            or self.run_eagerly
            or not self.jit_compile
            or keras.distribution.distribution() is not None
        ):
            return super().make_train_function(force)
        if self.train_function is None or force:
            object.__setattr__(
                self, "_lazy_dispatch", _LazyDispatch(self, intervals)
            )
            # Keras' own wrapper: one step per call, or several in a row.
            self.train_function = self._make_function(self._lazy_dispatch)
        # Keras calls this at every `fit`: the step count is read again,
        # since it may have changed in between (a restored backup).
        self._lazy_dispatch.step = None


class _LazyDispatch:
    """`model.train_step`, compiled once per pattern of firing intervals.

    The step count is read from the state (`optimizer.iterations`) at the
    first step of each `fit`, one transfer, and then counted here.
    """

    def __init__(self, model, intervals):
        self.model = model
        self.intervals = intervals
        variables = model.optimizer.variables
        self.counter = next(
            i
            for i, v in enumerate(variables)
            if v is model.optimizer.iterations
        )
        self.compiled = {}
        self.step = None

    def __call__(self, state, data):
        if self.step is None:
            self.step = int(state[2][self.counter])
        firing = tuple(self.step % i == 0 for i in self.intervals)
        if firing not in self.compiled:
            self.compiled[firing] = jax.jit(
                functools.partial(self._traced, firing), donate_argnums=0
            )
        self.step += 1
        return self.compiled[firing](state, data)

    def _traced(self, firing, state, data):
        _FIRING.append(dict(zip(self.intervals, firing)))
        try:
            return self.model.train_step(state, data)
        finally:
            _FIRING.pop()


def firing(interval):
    """Whether the lazy terms of `interval` fire in the step being traced.

    `True` or `False` inside a step that `StepFunctions` compiled for a
    model whose `lazy_intervals` include `interval`; `None` elsewhere, where
    the caller decides at run time with `keras.ops.cond`. XLA runs such a
    conditional correctly, but on CPU it ran the convolutions of a gradient
    penalty inside it 15-20 times slower than outside.
    """
    return _FIRING[-1].get(interval) if _FIRING else None


class PhasedTrainer:
    """Mixin: stateless `train_step` / `test_step` for Keras' JAX trainer."""

    def train_step(self, state, data):
        groups = (
            self.trainable_variables,
            self.non_trainable_variables,
            self.optimizer.variables,
            self.metrics_variables,
        )
        return _run_stateless(self._train_phases, groups, state, data)

    def test_step(self, state, data):
        groups = (
            self.trainable_variables,
            self.non_trainable_variables,
            self.metrics_variables,
        )
        return _run_stateless(self._test_phases, groups, state, data)


def _run_stateless(step_fn, groups, state, data):
    variables = [v for group in groups for v in group]
    values = [value for group in state for value in group]
    with keras.StatelessScope(
        state_mapping=list(zip(variables, values))
    ) as scope:
        _STEP_VARIABLES.append(variables)
        try:
            logs = step_fn(data)
        finally:
            _STEP_VARIABLES.pop()
    new_state = tuple(
        [scope.get_current_value(v) for v in group] for group in groups
    )
    return logs, new_state


def _step_variables(caller):
    if not _STEP_VARIABLES:
        raise RuntimeError(
            f"On the JAX backend, `kgen.backend.{caller}` runs only inside a "
            "training step (for example in a `kgen.models.Phase` loss during "
            "`model.fit`). Received a call outside any step."
        )
    return _STEP_VARIABLES[-1]


@contextlib.contextmanager
def _nested_scope(variables, overrides=()):
    """A scope seeing the current values of `variables`, plus `overrides`."""
    mapping = {id(v): (v, v.value) for v in variables}
    for v, value in overrides:
        mapping[id(v)] = (v, value)
    with keras.StatelessScope(state_mapping=list(mapping.values())) as scope:
        yield scope


def minimize(loss_fn, variables, optimizer):
    """Applies one `optimizer` update of `variables` to reduce a loss.

    `loss_fn()` returns `(loss, aux)`.

    Returns:
        `(loss, aux, gradients)`: the loss before the update, `aux`, and the
        gradients applied, one per variable.
    """
    step_variables = _step_variables("minimize")
    targets = {id(v) for v in variables}
    others = [v for v in step_variables if id(v) not in targets]

    def loss_and_updates(values):
        with _nested_scope(step_variables, zip(variables, values)) as scope:
            loss, aux = loss_fn()
        return loss, (aux, [scope.get_current_value(v) for v in others])

    values = [v.value for v in variables]
    (loss, (aux, updates)), grads = jax.value_and_grad(
        loss_and_updates, has_aux=True
    )(values)
    for v, value in zip(others, updates):
        v.assign(value)
    optimizer.apply(grads, variables)
    return loss, aux, grads


def without_gradient(fn, *args, **kwargs):
    """Calls `fn`; its result is a constant for differentiation."""
    return keras.tree.map_structure(jax.lax.stop_gradient, fn(*args, **kwargs))


def global_norm(tensors):
    """The Euclidean norm of all `tensors` together."""
    return jnp.sqrt(sum(jnp.sum(jnp.square(t)) for t in tensors))


def input_gradients(fn, x):
    """Returns the gradient of `sum(fn(x))` with respect to `x`.

    State updates made by `fn` (e.g. seed generators) are discarded.
    """

    def total(x):
        if not _STEP_VARIABLES:
            return ops.sum(fn(x))
        with _nested_scope(_STEP_VARIABLES[-1]):
            return ops.sum(fn(x))

    return jax.grad(total)(ops.convert_to_tensor(x))


@contextlib.contextmanager
def state_kept_on_error(model):
    """Restores `model`'s variables when `fit` stops on an error.

    Keras' JAX `fit` detaches the variables' values while it runs and
    writes them back only when it ends normally; a `ValueError` from the
    data (a streamed batch that fails kgen's checks) would leave them
    empty.
    This writes back the last step's state, or, before the first step
    ended, the values the variables had before `fit` (references to
    immutable arrays: nothing is copied).
    """
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and model.built and not optimizer.built:
        optimizer.build(model.trainable_variables)
    variables = list(model.variables) + list(model.metrics_variables)
    if optimizer is not None and optimizer.built:
        variables += list(optimizer.variables)
    values = [variable.value for variable in variables]
    try:
        yield
    except ValueError:  # bad data; `StopOnNaN` keeps the state itself
        if getattr(model, "_jax_state", None):
            model.jax_state_sync()
        else:
            for variable, value in zip(variables, values):
                variable.assign(value)
        raise


def fast_bernoulli(probabilities, seed):
    """Binary states from JAX's threefry generator, its rounds unrolled.

    `keras.random.uniform` calls `jax.random.uniform`, whose CPU lowering of
    threefry runs its 20 rounds as a rolled XLA loop, one pass over memory
    per four rounds: at MNIST scale a CD-1 step spent a fifth of its time
    there. Here the same threefry-2x32 hash of each number's index, with the
    key Keras draws from `seed` and JAX's default (partitionable) layout,
    runs as straight-line elementwise code that XLA fuses with the
    comparison: the states are those of `keras.random.uniform(shape,
    seed=seed) < probabilities`, bit for bit.

    Args:
        probabilities: tensor of probabilities.
        seed: an int or a `keras.random.SeedGenerator`.

    Returns:
        The states, or `None` where Keras' own draw must serve (other
        seeds, `2**32` or more numbers, another PRNG implementation or
        JAX's older counter layout configured).
    """
    shape = probabilities.shape
    if (
        math.prod(shape) >= 2**32
        or jax.config.jax_default_prng_impl != "threefry2x32"
        or not jax.config.jax_threefry_partitionable
    ):
        return None
    if isinstance(seed, keras.random.SeedGenerator):
        key = seed.next()
    elif isinstance(seed, int):
        key = jnp.array([seed & 0xFFFFFFFF, 0], dtype=jnp.uint32)
    else:
        return None
    index = jax.lax.iota(jnp.uint32, math.prod(shape)).reshape(shape)
    # The index is a 64-bit counter: high word 0, low word `index`.
    high, low = _threefry2x32(key[0], key[1], jnp.zeros_like(index), index)
    # `jax.random.uniform`'s float32 in [0, 1): 23 random mantissa bits.
    mantissa = ((high ^ low) >> 9) | jnp.uint32(0x3F800000)
    uniform = jax.lax.bitcast_convert_type(mantissa, jnp.float32) - 1.0
    uniform = uniform.astype(probabilities.dtype)
    states = (uniform < probabilities).astype(probabilities.dtype)
    # Computed once: XLA would otherwise repeat the hash in every consumer.
    return jax.lax.optimization_barrier(states)


_THREEFRY_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))


def _threefry2x32(key0, key1, x0, x1):
    """The threefry-2x32 hash (20 rounds) of counter pairs `(x0, x1)`.

    Salmon et al., "Parallel Random Numbers: As Easy as 1, 2, 3" (SC 2011),
    as JAX computes it (`jax.extend.random.threefry_2x32`).
    """
    keys = (key0, key1, key0 ^ key1 ^ jnp.uint32(0x1BD11BDA))
    x0, x1 = x0 + keys[0], x1 + keys[1]
    for block in range(5):
        for rotation in _THREEFRY_ROTATIONS[block % 2]:
            x0 = x0 + x1
            x1 = (x1 << rotation) | (x1 >> (32 - rotation))
            x1 = x0 ^ x1
        x0 = x0 + keys[(block + 1) % 3]
        x1 = x1 + keys[(block + 2) % 3] + jnp.uint32(block + 1)
    return x0, x1
