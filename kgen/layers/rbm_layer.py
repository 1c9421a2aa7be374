"""Base class of the restricted Boltzmann machine layers."""

import keras
from keras import ops

from kgen import backend
from kgen.utils.binary import bernoulli
from kgen.utils.validation import check_array
from kgen.utils.validation import check_integer
from kgen.utils.validation import seed_generator


@keras.saving.register_keras_serializable(package="kgen")
class RBMLayer(keras.layers.Layer):
    """Base class of restricted Boltzmann machine (RBM) layers.

    An RBM couples visible units `v` and binary hidden units `h` through the
    energy

    $$E(v, h) = -\\phi(v) - c^\\top h - s(v)^\\top W h,$$

    where `W` is the `kernel` of shape `(num_visible, num_hidden)`, `c` the
    `hidden_bias`, and the visible term `phi(v)` and statistic `s(v)` depend
    on the unit type (for binary units `phi(v) = b^T v` and `s(v) = v`). There
    are no connections within a layer, so both conditionals factorise: the
    hidden units are independent given `v` and the visible units given `h`.

    Calling the layer returns `P(h = 1 | v)`, so a trained RBM drops into a
    `keras.Sequential` as a feature extractor. The methods give the energy,
    the free energy `F(v) = -log sum_h exp(-E(v, h))`, both conditionals,
    sampling of either layer, a k-step Gibbs chain and reconstructions.

    Every method takes an optional `parameters` dict (as returned by
    `parameters()`) in place of the layer's current weights; annealed
    importance sampling and tempered sampling use it. Subclasses define only
    what differs between unit types: `visible_term`, `visible_statistic`,
    `visible_mean`, `sample_visible_from_field`, `visible_log_normalizer`
    and `base_rate_parameters`.

    Reference:
        Hinton, "A Practical Guide to Training Restricted Boltzmann Machines",
        UTML TR 2010-003 (2010).

    Args:
        num_hidden: int >= 1, number of hidden units.
        kernel_initializer: initializer of the weights; by default normal with
            standard deviation 0.01 (Hinton's guide).
        seed: int or `None`, seed of the layer's own random stream, used when
            a sampling method receives no `seed`.
        **kwargs: passed to `keras.layers.Layer` (e.g. `name`).
    """

    #: Whether exact likelihoods may enumerate visible states (binary units).
    enumerable_visible = False

    #: Whether the hidden units are binary (`False`: Gaussian hidden units).
    binary_hidden = True

    def __init__(
        self, num_hidden, kernel_initializer=None, seed=None, **kwargs
    ):
        super().__init__(**kwargs)
        self.num_hidden = check_integer(num_hidden, "num_hidden")
        self.kernel_initializer = keras.initializers.get(
            kernel_initializer
            or keras.initializers.RandomNormal(stddev=0.01, seed=seed)
        )
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        num_visible = input_shape[-1]
        self.check_num_visible(num_visible)
        self.kernel = self.add_weight(
            shape=(num_visible, self.num_hidden),
            initializer=self.kernel_initializer,
            name="kernel",
        )
        self.visible_bias = self.add_weight(
            shape=(num_visible,), initializer="zeros", name="visible_bias"
        )
        self.hidden_bias = self.add_weight(
            shape=(self.num_hidden,), initializer="zeros", name="hidden_bias"
        )

    def check_num_visible(self, num_visible):
        """Checks the number of visible units (overridden by unit types)."""
        check_integer(num_visible, "num_visible (the last input dimension)")

    @property
    def num_visible(self):
        """Number of visible units (the layer must be built)."""
        return self.kernel.shape[0]

    def call(self, inputs):
        return self.hidden_probabilities(inputs)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.num_hidden)

    # Parameters -------------------------------------------------------------

    def parameters(self, temperature=1.0):
        """The current parameters as a dict of tensors, optionally tempered.

        Args:
            temperature: float > 0; the returned parameters define the
                distribution proportional to `exp(-E(v, h) / temperature)`.

        Returns:
            Dict with keys `"kernel"`, `"visible_bias"`, `"hidden_bias"` and
            any unit-type parameter (e.g. `"log_sigma"`).
        """
        # Each variable is read once, into a tensor. On TensorFlow a variable
        # is read again at each use; Grappler dropped the edges ordering such
        # reads before the step's update (a path through shape ops, later
        # folded, seemed to order them), so a gradient sometimes saw the
        # updated value.
        # Cast to the compute dtype (a no-op in float32), as a layer's call
        # under a mixed-precision policy would see them.
        parameters = {
            name: ops.cast(ops.convert_to_tensor(v), self.compute_dtype)
            for name, v in self._parameter_variables()
        }
        if temperature != 1.0:
            parameters = self.temper(parameters, temperature)
        return parameters

    def _parameter_variables(self):
        return [
            ("kernel", self.kernel),
            ("visible_bias", self.visible_bias),
            ("hidden_bias", self.hidden_bias),
        ]

    def temper(self, parameters, temperature):
        """Parameters of `exp(-E / temperature)`: energy-linear ones divided."""
        return {name: value / temperature for name, value in parameters.items()}

    def base_rate_parameters(self, x):
        """Parameters of the independent model fitted to data `x`.

        The weights and hidden biases are zero and the visible units match the
        (smoothed) data marginals: the base model of annealed importance
        sampling (Salakhutdinov & Murray, 2008).
        """
        raise NotImplementedError

    def independent_parameters(self, visible_bias, **visible_parameters):
        """Parameters with zero weights and hidden biases (no coupling)."""
        dtype = self.compute_dtype
        parameters = {
            "kernel": ops.zeros(
                (len(visible_bias), self.num_hidden), dtype=dtype
            ),
            "visible_bias": ops.convert_to_tensor(visible_bias, dtype=dtype),
            "hidden_bias": ops.zeros((self.num_hidden,), dtype=dtype),
        }
        return {**parameters, **visible_parameters}

    # Unit-type hooks --------------------------------------------------------

    def visible_term(self, v, parameters):
        """The part `phi(v)` of `-E(v, h)` that depends on `v` alone."""
        return ops.sum(v * parameters["visible_bias"], axis=-1)

    def visible_statistic(self, v, parameters):
        """The statistic `s(v)` that the kernel couples to the hidden units."""
        return v

    def visible_mean(self, field, parameters):
        """`E[v | h]` given the visible field `b + W h`."""
        raise NotImplementedError

    def sample_visible_from_field(self, field, parameters, seed):
        """A sample of `v | h` given the visible field `b + W h`."""
        raise NotImplementedError

    def visible_log_normalizer(self, field, parameters):
        """`log sum_v exp(phi(v) + s(v)^T W h)` given the field `b + W h`."""
        raise NotImplementedError

    # Energies and conditionals ----------------------------------------------

    def _resolve(self, parameters):
        return self.parameters() if parameters is None else parameters

    def hidden_field(self, v, parameters=None):
        """The hidden pre-activations `c + s(v)^T W`, shape `(..., num_hidden)`."""
        p = self._resolve(parameters)
        statistic = self.visible_statistic(self._tensor(v), p)
        return ops.matmul(statistic, p["kernel"]) + p["hidden_bias"]

    def visible_field(self, h, parameters=None):
        """The visible field `b + W h`, shape `(..., num_visible)`."""
        p = self._resolve(parameters)
        return (
            ops.matmul(self._tensor(h), ops.transpose(p["kernel"]))
            + p["visible_bias"]
        )

    def energy(self, v, h, parameters=None):
        """The energy `E(v, h)` of joint states, shape `(batch,)`."""
        p = self._resolve(parameters)
        v, h = self._tensor(v), self._tensor(h)
        return self.energy_from_field(v, self.hidden_field(v, p), h, p)

    def energy_from_field(self, v, field, h, parameters):
        """`E(v, h)` given the hidden field `c + s(v)^T W` of `v`."""
        return -self.visible_term(v, parameters) - ops.sum(field * h, axis=-1)

    def free_energy(self, v, parameters=None):
        """`F(v) = -log sum_h exp(-E(v, h))`, shape `(batch,)`."""
        p = self._resolve(parameters)
        v = self._tensor(v)
        return self.free_energy_from_field(v, self.hidden_field(v, p), p)

    def free_energy_from_field(self, v, field, parameters):
        """`F(v)` given its hidden field `c + s(v)^T W` (see `hidden_field`).

        Lets a caller that also samples `h | v` compute the field, the
        costly matrix product, once for both.
        """
        softplus = ops.sum(ops.softplus(field), axis=-1)
        return -self.visible_term(v, parameters) - softplus

    def free_energy_surrogate(self, v, field, parameters):
        """A stand-in for `F(v)` with the same gradient, cheaper to train on.

        The energy at the hidden mean, `E(v, E[h | v])`, with the mean held
        fixed. Since `dF/dtheta = E[dE(v, h)/dtheta | v]` and every energy
        here is affine in `h` wherever it depends on a parameter, its
        gradient is exactly that of `F(v)`; unlike `F`, it needs no
        softplus, and its gradient no second sigmoid. Its value is the mean
        energy of the hidden states given `v`, not `F(v)`.

        Args:
            v: visible states, shape `(batch, num_visible)`.
            field: their hidden field `c + s(v)^T W` (see `hidden_field`).
            parameters: the parameters the field was computed with.

        Returns:
            Shape `(batch,)`.
        """
        mean = ops.stop_gradient(self.hidden_mean_from_field(field))
        return self.energy_from_field(v, field, mean, parameters)

    def hidden_free_energy(self, h, parameters=None):
        """`-log sum_v exp(-E(v, h))` (integral for continuous `v`), `(batch,)`."""
        p = self._resolve(parameters)
        h = self._tensor(h)
        field = self.visible_field(h, p)
        hidden_term = ops.sum(h * p["hidden_bias"], axis=-1)
        return -hidden_term - self.visible_log_normalizer(field, p)

    def hidden_probabilities(self, v, parameters=None):
        """`E[h | v]`, shape `(batch, num_hidden)`: `P(h = 1 | v)` if binary."""
        return self.hidden_mean_from_field(self.hidden_field(v, parameters))

    def hidden_mean_from_field(self, field):
        """`E[h | v]` given the hidden field `c + s(v)^T W` of `v`."""
        return ops.sigmoid(field)

    def visible_probabilities(self, h, parameters=None):
        """`E[v | h]` (probabilities for binary and softmax units)."""
        p = self._resolve(parameters)
        return self.visible_mean(self.visible_field(h, p), p)

    def sample_hidden(self, v, seed=None, parameters=None):
        """Binary hidden states drawn from `P(h | v)`."""
        field = self.hidden_field(v, parameters)
        return self.sample_hidden_from_field(field, self._seed(seed))

    def sample_hidden_from_field(self, field, seed):
        """Hidden states drawn given the hidden field `c + s(v)^T W`."""
        return bernoulli(self.hidden_mean_from_field(field), seed)

    def sample_visible(self, h, seed=None, parameters=None):
        """Visible states drawn from `P(v | h)`."""
        p = self._resolve(parameters)
        field = self.visible_field(h, p)
        return self.sample_visible_from_field(field, p, self._seed(seed))

    def visible_mask(self, v):
        """Which visible units of `v` the model covers (`None`: all of them)."""
        return None

    def gibbs(
        self,
        v,
        k=1,
        seed=None,
        parameters=None,
        clamp=None,
        temperatures=None,
        hidden_field=None,
    ):
        """Runs `k` steps of block Gibbs sampling `v -> h -> v` from `v`.

        Compiles as one loop (`keras.ops.fori_loop`), so thousands of steps
        are cheap. The parameters are read once, so the chain carries no
        gradient. With `temperatures` (simulated annealing), step `i`
        samples `exp(-E / temperatures[i])`.

        Args:
            v: starting visible states, shape `(batch, num_visible)`.
            k: number of steps (`0` returns `v`).
            seed: a `keras.random.SeedGenerator`, an int, or `None` for the
                layer's own stream.
            parameters: parameters to sample from (default: current ones).
            clamp: optional 0/1 mask shaped like `v`; entries where it is 1
                keep their starting value (conditional sampling).
            temperatures: optional 1-D array of temperatures > 0, one per
                step (e.g. `kgen.models.boltzmann.geometric_temperatures`);
                it sets `k` to its length.
            hidden_field: optional hidden field `c + s(v)^T W` of the
                starting states under `parameters` (held constant here);
                the first step samples `h` from it instead of computing it
                again (the CD training step already has it). Not with
                `temperatures`.

        Returns:
            The visible states after `k` steps.
        """
        if hidden_field is not None and temperatures is not None:
            raise ValueError(
                "`gibbs` takes `hidden_field` or `temperatures`, not both: "
                "the field of an annealed chain's first step depends on its "
                "first temperature. Pass only `temperatures`."
            )
        p = {
            name: ops.stop_gradient(value)
            for name, value in self._resolve(parameters).items()
        }
        v = self._tensor(v)
        if temperatures is not None:
            temperatures = self._tensor(temperatures)
            k = ops.shape(temperatures)[0]
        if not k:
            return v
        seed = self._seed(seed)
        keep = self.visible_mask(v)
        start = v

        def visible_step(hidden, q):
            state = self.sample_visible(hidden, seed, q)
            if keep is not None:
                state = state * keep
            if clamp is not None:
                state = ops.where(ops.cast(clamp, "bool"), start, state)
            return state

        def step(i, state):
            q = p if temperatures is None else self.temper(p, temperatures[i])
            return visible_step(self.sample_hidden(state, seed, q), q)

        if hidden_field is not None:
            # The first step outside the loop, from the given field: the
            # same draws in the same order as inside it.
            field = ops.stop_gradient(hidden_field)
            v = visible_step(self.sample_hidden_from_field(field, seed), p)
            k -= 1
            if not k:
                return v
        return seeded_fori_loop(0, k, step, v, seed)

    def reconstruct(self, v, parameters=None):
        """Mean-field reconstruction `E[v | h = P(h | v)]`."""
        p = self._resolve(parameters)
        v = self._tensor(v)
        reconstruction = self.visible_probabilities(
            self.hidden_probabilities(v, p), p
        )
        keep = self.visible_mask(v)
        return reconstruction if keep is None else reconstruction * keep

    # Data checks ------------------------------------------------------------

    def check_data(self, x, name="x"):
        """Checks data for this layer and returns it as a float32 NumPy array.

        Rejects empty data, NaN or infinite values and, once built, a wrong
        number of features; unit types add range checks.
        """
        feature_shape = (self.num_visible,) if self.built else (None,)
        return check_array(x, name, feature_shape=feature_shape)

    def _tensor(self, x):
        return ops.convert_to_tensor(x, dtype=self.compute_dtype)

    def _seed(self, seed):
        return seed_generator(seed, default=self.seed_generator)

    def get_config(self):
        return {
            **super().get_config(),
            "num_hidden": self.num_hidden,
            "kernel_initializer": keras.initializers.serialize(
                self.kernel_initializer
            ),
            "seed": self.seed,
        }


def seeded_fori_loop(lower, upper, body, init, seed_generator):
    """`keras.ops.fori_loop` whose body may draw from `seed_generator`.

    The loop runs through `kgen.backend.fori_loop` (one graph on TensorFlow
    when called eagerly). The generator's state is carried through the loop,
    so the loop compiles on every backend (JAX traces its body) and the generator advances as if
    the body had run eagerly. The body must not read other Keras variables;
    pass their values in as tensors.

    Args:
        lower, upper: loop bounds.
        body: `body(i, value) -> value`.
        init: initial value.
        seed_generator: the `keras.random.SeedGenerator` the body uses.

    Returns:
        The final value.
    """
    state = seed_generator.state

    def step(i, carry):
        seed_state, value = carry
        with keras.StatelessScope(state_mapping=[(state, seed_state)]) as scope:
            value = body(i, value)
            new_state = scope.get_current_value(state)
        return (seed_state if new_state is None else new_state), value

    seed_state, value = backend.fori_loop(
        lower, upper, step, (state.value, init)
    )
    state.assign(seed_state)
    return value
