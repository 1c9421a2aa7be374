"""The fully connected Boltzmann machine."""

import keras
import numpy as np
from keras import ops

from kgen.models.boltzmann.annealing import check_temperatures
from kgen.models.generative_model import GenerativeModel
from kgen.utils.binary import bernoulli
from kgen.utils.binary import binary_states
from kgen.utils.validation import check_array
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number
from kgen.utils.validation import is_array

#: Exact enumeration visits `2**n` states; beyond this many units it is refused.
MAX_ENUMERABLE_UNITS = 20

SAMPLERS = ("sequential", "blocked")


@keras.saving.register_keras_serializable(package="kgen")
class BoltzmannMachine(GenerativeModel):
    """Fully connected Boltzmann machine with visible and hidden binary units.

    The units `x = (v, h)` are binary and coupled by symmetric weights `W`
    with a zero diagonal through the energy

    $$E(x) = -\\sum_{i<j} w_{ij} x_i x_j - \\sum_i b_i x_i,
    \\qquad P(x) = \\frac{e^{-E(x)/T}}{Z},$$

    at temperature `T`; the visible distribution sums out `h`. Each unit
    given all the others is on with probability
    `sigmoid((b_i + sum_j w_ij x_j) / T)`, which gives Gibbs sampling unit by
    unit ("sequential"). Where no two units of a layer are connected
    (`visible_connections=False` and `hidden_connections=False`: a restricted
    machine) a whole layer can be drawn at once ("blocked"), which is exact
    there and refused elsewhere.

    Learning follows the gradient of the log-likelihood,
    `(<x_i x_j>_data - <x_i x_j>_model) / T`: the positive phase clamps the
    visible units to a batch and samples the hidden units (their exact
    conditional probabilities when they are not connected to each other);
    the negative phase advances persistent free-running chains, a
    non-trainable weight saved with the model. `fit` minimises the surrogate
    `(mean E(x_data) - mean E(x_model)) / T` whose gradient is that rule.

    Small machines (at most 20 units) have an exact partition function and
    log-likelihood by enumeration: `log_partition()` and `log_likelihood(v)`.

    Reference:
        Ackley, Hinton and Sejnowski, "A Learning Algorithm for Boltzmann
        Machines", Cognitive Science 9 (1985).
        Tieleman, "Training Restricted Boltzmann Machines using
        Approximations to the Likelihood Gradient", ICML 2008 (persistent
        chains).

    Args:
        num_visible: int >= 1, number of visible units.
        num_hidden: int >= 0, number of hidden units.
        temperature: float > 0, the temperature `T`.
        visible_connections: whether visible units are connected to each
            other.
        hidden_connections: whether hidden units are connected to each other.
        sampler: `"sequential"` (unit by unit, always valid) or `"blocked"`
            (layer by layer, only for a machine without lateral connections);
            used by the negative phase and by default in `generate`.
        k: int >= 1, Gibbs sweeps per training step, for the negative
            chains and the clamped hidden units.
        persistent_chains: int >= 1, number of persistent negative chains.
        kernel_initializer: initializer of the weights; by default normal
            with standard deviation 0.01.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    import keras
    from kgen.models.boltzmann import BoltzmannMachine

    x = (keras.random.uniform((256, 6), seed=0) < 0.3).numpy().astype("float32")
    machine = BoltzmannMachine(num_visible=6, num_hidden=2, seed=0)
    machine.compile(optimizer=keras.optimizers.SGD(0.1))
    machine.fit(x, epochs=2, batch_size=32, verbose=0)
    machine.log_likelihood(x).mean()  # exact, by enumeration
    samples = machine.generate(10, burn_in=100)  # shape (10, 6)
    ```
    """

    likelihood_methods = {"exact": "_exact_log_likelihood"}
    renamed_arguments = {"gibbs_steps": "k", "num_chains": "persistent_chains"}

    def __init__(
        self,
        num_visible,
        num_hidden=0,
        temperature=1.0,
        visible_connections=True,
        hidden_connections=True,
        sampler="sequential",
        k=1,
        persistent_chains=100,
        kernel_initializer=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        self.num_visible = check_integer(num_visible, "num_visible")
        self.num_hidden = check_integer(num_hidden, "num_hidden", minimum=0)
        self.temperature = _check_temperature(temperature)
        self.visible_connections = bool(visible_connections)
        self.hidden_connections = bool(hidden_connections)
        self.sampler = self._check_sampler(sampler)
        self.k = check_integer(k, "k")
        self.persistent_chains = check_integer(
            persistent_chains, "persistent_chains"
        )
        self.kernel_initializer = keras.initializers.get(
            kernel_initializer
            or keras.initializers.RandomNormal(stddev=0.01, seed=seed)
        )
        self.connectivity = self._connectivity()
        n = self.num_units
        self.kernel = self.add_weight(
            shape=(n, n), initializer=self.kernel_initializer, name="kernel"
        )
        self.kernel.assign(self.kernel * self.connectivity)
        self.bias = self.add_weight(
            shape=(n,), initializer="zeros", name="bias"
        )
        self.chains = self.add_weight(
            shape=(self.persistent_chains, n),
            initializer="zeros",
            trainable=False,
            name="chains",
        )
        self.chains.assign(
            bernoulli(
                ops.full((self.persistent_chains, n), 0.5), self.seed_generator
            )
        )
        self.built = True

    @property
    def num_units(self):
        """Total number of units, visible and hidden."""
        return self.num_visible + self.num_hidden

    def _connectivity(self):
        """0/1 mask of the free weights: the upper triangle minus absent blocks."""
        n, v = self.num_units, self.num_visible
        mask = np.triu(np.ones((n, n), "float32"), k=1)
        if not self.visible_connections:
            mask[:v, :v] = 0.0
        if not self.hidden_connections:
            mask[v:, v:] = 0.0
        return mask

    def _check_sampler(self, sampler):
        check_choice(sampler, "sampler", SAMPLERS)
        if sampler == "blocked" and (
            self.visible_connections or self.hidden_connections
        ):
            raise ValueError(
                "Blocked Gibbs sampling draws a whole layer at once, which is "
                "exact only when no two units of a layer are connected. "
                f"Received visible_connections={self.visible_connections}, "
                f"hidden_connections={self.hidden_connections}. Pass both as "
                "False, or use sampler='sequential'."
            )
        return sampler

    # Energy -----------------------------------------------------------------

    def weights_matrix(self):
        """The symmetric weight matrix `W` (zero diagonal), shape `(n, n)`."""
        upper = self.kernel * self.connectivity
        return upper + ops.transpose(upper)

    def energy(self, x):
        """The energy `E(x)` of states of all units, shape `(batch,)`.

        Args:
            x: states (or, for units that are independent given the others,
                their probabilities) of shape `(batch, num_units)`: a NumPy
                array, a backend tensor or a nested list.
        """
        x = ops.convert_to_tensor(x, self.compute_dtype)
        pairs = ops.sum(ops.matmul(x, self.weights_matrix()) * x, axis=-1)
        return -0.5 * pairs - ops.sum(x * self.bias, axis=-1)

    # Gibbs sampling ---------------------------------------------------------

    def _blocks(self, sampler, clamp_visible):
        """0/1 masks of the units updated together, in update order."""
        n, v = self.num_units, self.num_visible
        first = v if clamp_visible else 0
        if sampler == "sequential":
            return np.eye(n, dtype="float32")[first:]
        layers = [np.arange(n) < v, np.arange(n) >= v][
            1 if clamp_visible else 0 :
        ]
        return np.stack([m for m in layers if m.any()]).astype("float32")

    def gibbs(
        self,
        x,
        steps,
        seed,
        sampler=None,
        temperature=None,
        clamp_visible=False,
        temperatures=None,
    ):
        """Runs `steps` Gibbs sweeps from the states `x`.

        Compiles as one loop (`keras.ops.fori_loop`). The random numbers of
        all sweeps are drawn up front, one per unit and sweep. With
        `temperatures` (simulated annealing), sweep `i` runs at temperature
        `temperatures[i]`.

        Args:
            x: starting states, shape `(batch, num_units)`.
            steps: int >= 0, number of sweeps over the free units.
            seed: a `keras.random.SeedGenerator`.
            sampler: `"sequential"` or `"blocked"`; default: the model's.
            temperature: float > 0; default: the model's.
            clamp_visible: keep the visible units fixed (positive phase).
            temperatures: optional 1-D array of temperatures > 0, one per
                sweep (e.g. `geometric_temperatures(10.0, 200)`); it
                replaces `steps` and `temperature`.

        Returns:
            The states after the sweeps, shape `(batch, num_units)`.
        """
        sampler = self._check_sampler(sampler or self.sampler)
        if temperatures is None:
            temperature = _check_temperature(
                self.temperature if temperature is None else temperature
            )
            if not steps:
                return x
            temperatures = np.full((steps,), temperature, "float32")
        temperatures = check_temperatures(temperatures)
        steps = len(temperatures)
        blocks = ops.convert_to_tensor(self._blocks(sampler, clamp_visible))
        num_blocks = blocks.shape[0]
        weights = ops.stop_gradient(self.weights_matrix())
        bias = ops.stop_gradient(self.bias)
        temperatures = ops.convert_to_tensor(temperatures)
        uniforms = keras.random.uniform((steps, *ops.shape(x)), seed=seed)

        def step(t, state):
            block = ops.take(blocks, t % num_blocks, axis=0)
            uniform = ops.take(uniforms, t // num_blocks, axis=0)
            temperature = ops.take(temperatures, t // num_blocks)
            field = (ops.matmul(state, weights) + bias) / temperature
            on = ops.cast(uniform < ops.sigmoid(field), state.dtype)
            return ops.where(ops.cast(block, "bool"), on, state)

        return ops.fori_loop(0, steps * num_blocks, step, x)

    def sample(
        self,
        num_samples,
        seed,
        burn_in=1000,
        sampler=None,
        temperature=None,
        temperatures=None,
        return_hidden=False,
    ):
        """Visible samples after Gibbs sweeps from uniform noise.

        Args:
            num_samples: number of independent chains.
            seed: a `keras.random.SeedGenerator`.
            burn_in: int >= 1 (>= 0 after an annealing schedule), number of
                Gibbs sweeps at `temperature` (burn-in), after the annealing
                sweeps if any.
            sampler: `"sequential"` or `"blocked"`; default: the model's.
            temperature: float > 0; default: the model's.
            temperatures: optional annealing schedule run first, one sweep
                per temperature (e.g. `geometric_temperatures(10.0, 200)`).
            return_hidden: return the states of all units (visible, then
                hidden) instead of the visible ones.

        Returns:
            Binary states, shape `(num_samples, num_visible)` (or
            `num_units` with `return_hidden`).
        """
        burn_in = check_integer(
            burn_in, "burn_in", minimum=0 if temperatures is not None else 1
        )
        states = bernoulli(ops.full((num_samples, self.num_units), 0.5), seed)
        if temperatures is not None:
            states = self.gibbs(
                states, 1, seed, sampler, temperatures=temperatures
            )
        states = self.gibbs(states, burn_in, seed, sampler, temperature)
        return states if return_hidden else states[:, : self.num_visible]

    # Training ---------------------------------------------------------------

    def positive_phase(self, v):
        """States of all units with the visible ones clamped to `v`.

        Without hidden-hidden connections the hidden units are independent
        given `v` and their exact probabilities are returned; otherwise they
        are sampled by `k` sweeps started from those probabilities'
        samples with the hidden-hidden weights ignored.
        """
        v = ops.convert_to_tensor(v, dtype=self.compute_dtype)
        if not self.num_hidden:
            return v
        weights = self.weights_matrix()
        field = ops.matmul(v, weights[: self.num_visible, self.num_visible :])
        probabilities = ops.sigmoid(
            (field + self.bias[self.num_visible :]) / self.temperature
        )
        if not self.hidden_connections:
            return ops.stop_gradient(
                ops.concatenate([v, probabilities], axis=-1)
            )
        start = ops.concatenate(
            [v, bernoulli(probabilities, self.seed_generator)], axis=-1
        )
        return self.gibbs(
            start,
            self.k,
            self.seed_generator,
            "sequential",
            clamp_visible=True,
        )

    def call(self, inputs):
        return self.positive_phase(inputs)

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        positive = self.positive_phase(x) if y_pred is None else y_pred
        negative = self.gibbs(self.chains.value, self.k, self.seed_generator)
        if training:
            self.chains.assign(negative)
        gap = ops.mean(self.energy(ops.stop_gradient(positive)))
        gap = gap - ops.mean(self.energy(ops.stop_gradient(negative)))
        return gap / self.temperature

    def check_inputs(self, x):
        if is_array(x):
            self._check_visible(x, "x")

    def _check_visible(self, x, name):
        return check_array(
            x,
            name,
            feature_shape=(self.num_visible,),
            low=0.0,
            high=1.0,
            range_hint="Binarise the data, e.g. `(x > 0.5).astype('float32')`.",
        )

    # Exact enumeration ------------------------------------------------------

    def log_partition(self, temperature=None):
        """The exact `log Z` by enumerating all `2**num_units` states.

        Args:
            temperature: float > 0; default: the model's.

        Returns:
            A float.

        Raises:
            ValueError: for more than 20 units.
        """
        temperature = _check_temperature(
            self.temperature if temperature is None else temperature
        )
        states = ops.convert_to_tensor(
            _all_states(self.num_units, "the Boltzmann machine")
        )
        return float(ops.logsumexp(-self.energy(states) / temperature))

    def _exact_log_likelihood(self, v, temperature=None):
        """The exact `log P(v)` of visible vectors by enumeration.

        Reached as `log_likelihood(v, method="exact", temperature=...)`.

        Args:
            v: binary visible vectors, shape `(batch, num_visible)`.
            temperature: float > 0; default: the model's.

        Returns:
            NumPy array of shape `(batch,)`.

        Raises:
            ValueError: for more than 20 units or malformed `v`.
        """
        v = self._check_visible(v, "v")
        temperature = _check_temperature(
            self.temperature if temperature is None else temperature
        )
        log_z = self.log_partition(temperature)
        hidden = _all_states(self.num_hidden, "the Boltzmann machine")
        # -E(v, h) = -E(v, 0) - E(0, h) + v^T W_vh h: a (batch, 2**H) table.
        zeros_v = np.zeros((len(hidden), self.num_visible), "float32")
        zeros_h = np.zeros((len(v), self.num_hidden), "float32")
        visible_part = self.energy(ops.concatenate([v, zeros_h], axis=-1))
        hidden_part = self.energy(ops.concatenate([zeros_v, hidden], axis=-1))
        coupling = self.weights_matrix()[: self.num_visible, self.num_visible :]
        cross = ops.matmul(ops.matmul(v, coupling), ops.transpose(hidden))
        negative_energy = cross - visible_part[:, None] - hidden_part[None, :]
        return ops.convert_to_numpy(
            ops.logsumexp(negative_energy / temperature, axis=-1) - log_z
        )

    def get_config(self):
        return {
            **super().get_config(),
            "num_visible": self.num_visible,
            "num_hidden": self.num_hidden,
            "temperature": self.temperature,
            "visible_connections": self.visible_connections,
            "hidden_connections": self.hidden_connections,
            "sampler": self.sampler,
            "k": self.k,
            "persistent_chains": self.persistent_chains,
            "kernel_initializer": keras.initializers.serialize(
                self.kernel_initializer
            ),
        }


def _check_temperature(temperature):
    return check_number(temperature, "temperature", low=0, low_open=True)


def _all_states(num_units, what):
    """All `2**num_units` binary vectors, shape `(2**num_units, num_units)`."""
    if num_units > MAX_ENUMERABLE_UNITS:
        raise ValueError(
            f"Exact enumeration of {what} visits 2**{num_units} states; it is "
            f"limited to {MAX_ENUMERABLE_UNITS} units. Received {num_units} "
            "units. Use a smaller model or a sampling estimate."
        )
    return binary_states(num_units)
