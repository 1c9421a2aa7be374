"""Deep Boltzmann machine: undirected layers trained by mean field and PCD."""

import keras
import numpy as np
from keras import ops

from kgen.layers.bernoulli_rbm import BernoulliRBM
from kgen.layers.rbm_layer import seeded_fori_loop
from kgen.models.boltzmann.boltzmann_machine import _all_states
from kgen.models.boltzmann.greedy_pretraining import _check_hidden_units
from kgen.models.boltzmann.greedy_pretraining import _check_layer_index
from kgen.models.boltzmann.greedy_pretraining import _hidden_probabilities
from kgen.models.boltzmann.greedy_pretraining import greedy_pretrain
from kgen.models.boltzmann.greedy_pretraining import pretraining_optimizer
from kgen.models.boltzmann.imputation import IMPUTATION_METHODS
from kgen.models.boltzmann.imputation import check_imputation
from kgen.models.boltzmann.imputation import running_mean_weight
from kgen.models.generative_model import GenerativeModel
from kgen.utils.binary import bernoulli
from kgen.utils.validation import check_array
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number
from kgen.utils.validation import is_array
from kgen.utils.validation import offset_seed


@keras.saving.register_keras_serializable(package="kgen")
class DBM(GenerativeModel):
    """Deep Boltzmann machine with binary units (Salakhutdinov & Hinton, 2009).

    Layers `x_0 = v, x_1, ..., x_L` (`L >= 2` hidden layers) are joined by
    undirected weights between neighbours only, with the energy

    $$E(x) = -\\sum_{l=0}^{L} b_l^\\top x_l - \\sum_{l=0}^{L-1} x_l^\\top W_l x_{l+1}.$$

    Unlike a DBN every connection is undirected, so a hidden layer gets
    input from above and below and its posterior is intractable.

    - **Pre-training** (`pretrain`) trains a stack of RBMs greedily with the
      weight-doubling correction: an RBM's input to a layer that also has a
      neighbour on the other side in the DBM is doubled (bottom RBM: visible
      to hidden; top RBM: hidden to visible; middle RBMs: both ways, which
      amounts to halving their weights in the DBM), since in the DBM that
      layer receives roughly the same input again from the other neighbour.
    - **Joint training** (`fit`) follows the gradient of the variational
      lower bound: the positive phase uses the factorial mean-field
      posterior `q(h | v)`, iterated (each sweep updates the layers bottom to
      top) until no probability changes by more than `mean_field_tolerance`
      or for `mean_field_steps` sweeps; the negative phase advances
      `persistent_chains` Gibbs chains (alternately all odd and all even
      layers, each an exact block) by `k` steps. `fit` minimises
      `mean E(v, q) - mean E(x_chains)` (both held fixed), whose gradient is
      exactly this update, with any Keras optimizer. The chains are
      non-trainable weights, saved with the model.
    - **Inference**: `mean_field(x)` (all layers) and `transform(x)` (one
      layer); calling the model returns the list of mean-field posteriors.
    - **Likelihood**: `log_likelihood(x, method="bound")` (or
      `log_likelihood_bound(x)`) is the variational lower bound
      `-E(v, q) + H(q) - log Z`; `log_partition()` is exact by enumerating
      the smaller of the two layer parities (odd or even layers, the other
      ones summed out analytically) and `log_likelihood(x)`
      (`method="exact"`) exact by enumerating the odd layers, both for up
      to 20 enumerated units.
    - **Classification**: `to_classifier` exports the network of Salakhutdinov
      and Hinton (2009), a `keras.Model` whose inputs are the data and the
      mean-field posteriors of layers 2..L (`classifier_inputs(x)`) and whose
      sigmoid layers reproduce the mean-field fixed point.

    Reference:
        Salakhutdinov and Hinton, "Deep Boltzmann Machines", AISTATS (2009);
        Salakhutdinov and Hinton, "An Efficient Learning Procedure for Deep
        Boltzmann Machines", Neural Computation 24 (2012).

    Args:
        num_visible: int >= 1, number of binary visible units.
        hidden_units: list of at least 2 ints >= 1, hidden units per layer,
            bottom first.
        persistent_chains: int >= 1, persistent Gibbs chains of the negative
            phase.
        k: int >= 1, Gibbs steps of the chains per update.
        mean_field_steps: int >= 1, the most mean-field sweeps.
        mean_field_tolerance: float >= 0, stop the sweeps once no probability
            changes by more than this.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    import keras
    from kgen.datasets import load_digits
    from kgen.models.boltzmann import DBM

    (x, y), (x_test, _) = load_digits("binary")
    dbm = DBM(64, [16, 32], seed=0)
    dbm.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9))
    dbm.pretrain(x, epochs=10, batch_size=32)
    dbm.fit(x, epochs=10, batch_size=32)
    bound = dbm.log_likelihood(x_test, method="bound").mean()  # exact log Z
    samples = dbm.generate(16)  # (16, 64) probabilities
    ```
    """

    likelihood_methods = {
        "exact": "_exact_log_likelihood",
        "bound": "log_likelihood_bound",
    }
    renamed_arguments = {"gibbs_steps": "k", "num_chains": "persistent_chains"}

    def __init__(
        self,
        num_visible,
        hidden_units,
        persistent_chains=100,
        k=1,
        mean_field_steps=30,
        mean_field_tolerance=1e-5,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        self.num_visible = check_integer(num_visible, "num_visible")
        self.hidden_units = _check_hidden_units(hidden_units, minimum=2)
        self.persistent_chains = check_integer(
            persistent_chains, "persistent_chains"
        )
        self.k = check_integer(k, "k")
        self.mean_field_steps = check_integer(
            mean_field_steps, "mean_field_steps"
        )
        self.mean_field_tolerance = check_number(
            mean_field_tolerance, "mean_field_tolerance", low=0
        )
        sizes = self.layer_sizes
        self.kernels = [
            self.add_weight(
                shape=(sizes[l], sizes[l + 1]),
                initializer=keras.initializers.RandomNormal(
                    0.0, 0.01, seed=offset_seed(seed, l)
                ),
                name=f"kernel_{l}",
            )
            for l in range(self.num_layers)
        ]
        self.biases = [
            self.add_weight(shape=(n,), initializer="zeros", name=f"bias_{l}")
            for l, n in enumerate(sizes)
        ]
        self.chains = []
        for l, n in enumerate(sizes):
            chain = self.add_weight(
                shape=(self.persistent_chains, n),
                initializer="zeros",
                trainable=False,
                name=f"chains_{l}",
            )
            chain.assign(
                bernoulli(
                    ops.full((self.persistent_chains, n), 0.5),
                    self.seed_generator,
                )
            )
            self.chains.append(chain)
        self.trained = self.add_weight(
            shape=(),
            initializer="zeros",
            dtype="int32",
            trainable=False,
            name="trained",
        )
        self.built = True

    @property
    def layer_sizes(self):
        """Units per layer, visible first."""
        return [self.num_visible, *self.hidden_units]

    @property
    def num_layers(self):
        """Number of hidden layers."""
        return len(self.hidden_units)

    def _weight_values(self):
        # Read once per step (see `RBMLayer.parameters`).
        read = ops.convert_to_tensor
        return [read(w) for w in self.kernels], [read(b) for b in self.biases]

    # Pre-training -----------------------------------------------------------

    def pretraining_layers(self):
        """Fresh RBM layers for greedy pre-training, with the doubling correction.

        Layer `l` models `x_l` (visible) and `x_{l+1}` (hidden). Its input to
        a layer that has another neighbour in the DBM is doubled: to `x_{l+1}`
        unless it is the top layer, to `x_l` unless it is the data.

        Returns:
            List of built `BernoulliRBM` layers, bottom first.
        """
        sizes, top = self.layer_sizes, self.num_layers - 1
        layers = []
        for l in range(self.num_layers):
            layer = _DoubledBernoulliRBM(
                sizes[l + 1],
                up_scale=2.0 if l < top else 1.0,
                down_scale=2.0 if l > 0 else 1.0,
                seed=offset_seed(self.seed, l),
                name=f"pretraining_rbm_{l}",
            )
            layer.build((None, sizes[l]))
            layers.append(layer)
        return layers

    def pretrain(
        self,
        x,
        y=None,
        epochs=1,
        optimizer=None,
        k=1,
        persistent_chains=None,
        callbacks=None,
        **kwargs,
    ):
        """Greedy layer-wise pre-training with the weight-doubling correction.

        Trains `pretraining_layers()` bottom first with
        `kgen.models.boltzmann.greedy_pretrain` (each on the doubled hidden
        probabilities of the one below), then copies their weights into the
        DBM: `W_l` from RBM `l`, the visible bias from the bottom RBM and the
        bias of hidden layer `l` from the hidden bias of RBM `l - 1`.

        The same method as `DBN.pretrain` (same arguments and meaning).

        Args:
            x: binary (or [0, 1]) data, shape `(num_samples, num_visible)`.
            y: must be `None`: a DBM has no label units.
            epochs: int, or one int per layer.
            optimizer: optimizer for every layer (a copy each); default: a
                copy of the one given to `compile`.
            k: int >= 1, Gibbs steps of each layer's CD-k / PCD-k.
            persistent_chains: `None` for CD-k, or the number of PCD chains.
            callbacks: Keras callbacks passed to every layer's `fit`.
            **kwargs: passed to every layer's `fit` (`batch_size`, ...).

        Returns:
            A `keras.callbacks.History` with each layer's logs under
            `layer_<index>_<name>`.
        """
        if y is not None:
            raise ValueError(
                "A DBM has no label units, so its pre-training is "
                "unsupervised: call `pretrain(x)` without `y`, and fine-tune "
                "with labels on `to_classifier()`."
            )
        x = self._check_visible(x)
        optimizer = pretraining_optimizer(self, optimizer)
        layers = self.pretraining_layers()
        history = greedy_pretrain(
            layers,
            x,
            epochs,
            optimizer,
            _hidden_probabilities,
            k=k,
            persistent_chains=persistent_chains,
            seed=self.seed,
            callbacks=callbacks,
            **kwargs,
        )
        self.biases[0].assign(layers[0].visible_bias)
        for l, layer in enumerate(layers):
            self.kernels[l].assign(layer.kernel)
            self.biases[l + 1].assign(layer.hidden_bias)
        self.trained.assign(1)
        return history

    # Joint training -----------------------------------------------------------

    def call(self, inputs):
        """The mean-field posteriors `[q_1, ..., q_L]` of the hidden layers."""
        kernels, biases = self._weight_values()
        return self._mean_field(
            ops.convert_to_tensor(inputs, self.compute_dtype), kernels, biases
        )

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        kernels, biases = self._weight_values()
        states = [x, *(ops.stop_gradient(q) for q in y_pred)]
        if not training:
            return ops.mean(_variational_free_energy(states, kernels, biases))
        fixed = (
            [ops.stop_gradient(w) for w in kernels],
            [ops.stop_gradient(b) for b in biases],
        )
        chains = [c.value for c in self.chains]
        chains = _gibbs(chains, self.k, self.seed_generator, *fixed)
        for variable, state in zip(self.chains, chains):
            variable.assign(state)
        self.trained.assign(1)
        positive = ops.mean(_energy(states, kernels, biases))
        return positive - ops.mean(_energy(chains, kernels, biases))

    def _mean_field(self, v, kernels, biases):
        """Mean-field posteriors, started from a doubled bottom-up pass."""
        states = [v]
        for l, kernel in enumerate(kernels):
            scale = 2.0 if l < self.num_layers - 1 else 1.0
            states.append(
                ops.sigmoid(
                    scale * ops.matmul(states[-1], kernel) + biases[l + 1]
                )
            )

        def sweep(change, *posteriors):
            states = [v, *posteriors]
            change = ops.zeros((), v.dtype)
            for l in range(1, len(states)):
                new = ops.sigmoid(_field(l, states, kernels, biases))
                change = ops.maximum(change, ops.max(ops.abs(new - states[l])))
                states[l] = new
            return (change, *states[1:])

        result = ops.while_loop(
            lambda change, *_: change > self.mean_field_tolerance,
            sweep,
            (ops.convert_to_tensor(np.inf, v.dtype), *states[1:]),
            maximum_iterations=self.mean_field_steps,
        )
        return list(result[1:])

    # Inference --------------------------------------------------------------

    def mean_field(self, x):
        """The mean-field posteriors `q(h_l = 1 | v)` of every hidden layer.

        Args:
            x: data of shape `(num_samples, num_visible)`.

        Returns:
            List of `num_layers` NumPy arrays, bottom first.
        """
        return [ops.convert_to_numpy(q) for q in self(self._check_visible(x))]

    def transform(self, x, layer=-1):
        """Features of `x`: the mean-field posterior of one hidden layer.

        Args:
            x: data of shape `(num_samples, num_visible)`.
            layer: index of the hidden layer (negative counts from the top).

        Returns:
            NumPy array of shape `(num_samples, hidden_units[layer])`.
        """
        return self.mean_field(x)[
            _check_layer_index(layer, self.num_layers, "DBM")
        ]

    def check_inputs(self, x):
        if is_array(x):
            self._check_visible(x)

    def _check_visible(self, x, name="x"):
        return check_array(
            x,
            name,
            feature_shape=(self.num_visible,),
            low=0.0,
            high=1.0,
            range_hint="Scale the data to [0, 1] or binarise it.",
        ).astype("float32")

    def _check_trained(self, what):
        if not int(ops.convert_to_numpy(self.trained)):
            raise ValueError(
                f"`{what}` needs a trained DBM, but this one is untrained. "
                "Call `pretrain(x)` and/or `fit(x)` first."
            )

    # Generation -------------------------------------------------------------

    def sample(self, num_samples, seed, burn_in=1000, probabilities=True):
        """Block Gibbs sampling of all layers from random states.

        Args:
            num_samples: int >= 1, number of independent chains.
            seed: a `keras.random.SeedGenerator`.
            burn_in: int >= 1, Gibbs steps (odd layers, then even layers).
            probabilities: return `P(v = 1 | h_1)` of the last state (smooth
                pictures) instead of a sample.

        Returns:
            Tensor of shape `(num_samples, num_visible)`.
        """
        self._check_trained("generate")
        burn_in = check_integer(burn_in, "burn_in")
        kernels, biases = self._weight_values()
        states = [
            bernoulli(ops.full((num_samples, n), 0.5), seed)
            for n in self.layer_sizes
        ]
        states = _gibbs(states, burn_in, seed, kernels, biases)
        if probabilities:
            return ops.sigmoid(_field(0, states, kernels, biases))
        return states[0]

    # Imputation -------------------------------------------------------------

    def impute(
        self,
        x,
        observed,
        steps=200,
        method="gibbs",
        probabilities=True,
        seed=None,
    ):
        """Fills in the unobserved visible units given the observed ones.

        A DBM handles partially observed inputs naturally: clamp the observed
        units and infer the rest with the hidden layers.

        - `method="gibbs"`: `steps` block Gibbs sweeps of all layers with the
          observed units clamped, started from random states. The chain's
          stationary law is the exact conditional `P(v_miss, h | v_obs)`.
          With `probabilities=True` the result is `P(v_miss = 1 | h_1)`
          averaged over the second half of the sweeps (a Rao-Blackwellised
          estimate of the posterior mean); otherwise the last sample.
        - `method="mean_field"`: `steps` sweeps of factorial mean field in
          which the unobserved visible units are variational variables
          like the hidden ones; deterministic, it returns their
          probabilities.

        Reference:
            Salakhutdinov and Hinton, "Deep Boltzmann Machines", AISTATS
            (2009).

        Args:
            x: array `(num_samples, num_visible)` in [0, 1]; values at
                unobserved positions are ignored.
            observed: 0/1 (or boolean) array shaped like `x`, 1 where `x` is
                observed and kept.
            steps: int >= 1, Gibbs or mean-field sweeps.
            method: `"gibbs"` or `"mean_field"`.
            probabilities: for Gibbs, return averaged probabilities instead
                of a sample.
            seed: int for a reproducible draw, or `None` for the model's
                stream.

        Returns:
            NumPy array shaped like `x`, equal to `x` where observed.

        Example:

        ```python
        mask = np.ones_like(x_test)
        mask[:, 32:] = 0  # hide the bottom half of each 8x8 digit
        completed = dbm.impute(x_test, mask)
        ```
        """
        self._check_trained("impute")
        x, observed = check_imputation(x, observed, self._check_visible)
        steps = check_integer(steps, "steps")
        check_choice(method, "method", IMPUTATION_METHODS)
        kernels, biases = self._weight_values()
        v, clamp = ops.convert_to_tensor(x), ops.convert_to_tensor(observed)
        if method == "mean_field":
            result = self._impute_mean_field(v, clamp, steps, kernels, biases)
        else:
            result = self._impute_gibbs(
                v, clamp, steps, self._seed_for(seed), kernels, biases
            )
            result = result[0] if probabilities else result[1]
        return ops.convert_to_numpy(ops.where(clamp > 0, v, result))

    def _impute_gibbs(self, v, clamp, steps, seed, kernels, biases):
        """Clamped Gibbs: `(mean of P(v | h_1) over the 2nd half, last v)`."""
        states = [
            bernoulli(ops.full((ops.shape(v)[0], n), 0.5), seed)
            for n in self.layer_sizes
        ]
        states[0] = ops.where(clamp > 0, v, states[0])

        def step(i, carry):
            mean, *states = carry
            states = _gibbs_sweep(states, seed, kernels, biases)
            states[0] = ops.where(clamp > 0, v, states[0])
            probability = ops.sigmoid(_field(0, states, kernels, biases))
            mean = mean + running_mean_weight(i, steps) * probability
            return (mean, *states)

        mean, *states = seeded_fori_loop(
            0, steps, step, (ops.zeros_like(v), *states), seed
        )
        return mean, states[0]

    def _impute_mean_field(self, v, clamp, steps, kernels, biases):
        """Mean field with the unobserved visible units as free variables."""
        states = [ops.where(clamp > 0, v, ops.sigmoid(biases[0]))]
        states += self._mean_field(states[0], kernels, biases)

        def sweep(_, states):
            states = list(states)
            for l in range(len(states)):
                states[l] = ops.sigmoid(_field(l, states, kernels, biases))
                if l == 0:
                    states[0] = ops.where(clamp > 0, v, states[0])
            return tuple(states)

        return ops.fori_loop(0, steps, sweep, tuple(states))[0]

    # Likelihood -------------------------------------------------------------

    def log_partition(self):
        """The exact `log Z`, by enumeration of the odd or the even layers.

        The layers of the other parity are independent given those and are
        summed out analytically, so the cost is `2^n` for `n` the smaller of
        the total odd and even unit counts (at most 20).

        Returns:
            `log Z` as a float.
        """
        sizes = self.layer_sizes
        parity = 0 if sum(sizes[0::2]) <= sum(sizes[1::2]) else 1
        return float(ops.convert_to_numpy(self._log_sum(parity)))

    def _exact_log_likelihood(self, x, log_z=None):
        """Exact `log P(v)` by enumeration of the odd hidden layers (<= 20 units).

        Reached as `log_likelihood(x, method="exact")`.

        Args:
            x: data of shape `(num_samples, num_visible)`.
            log_z: `log Z`, or `None` for `log_partition()`.

        Returns:
            NumPy array of shape `(num_samples,)`, in nats.
        """
        x = self._check_visible(x)
        log_z = self.log_partition() if log_z is None else log_z
        return (
            ops.convert_to_numpy(self._log_sum(1, ops.convert_to_tensor(x)))
            - log_z
        )

    def log_likelihood_bound(self, x, log_z=None):
        """The variational lower bound on `log P(v)` given by mean field.

        `log P(v) >= -E(v, q) + H(q) - log Z`, with `q` the factorial
        mean-field posterior, for every `q`; it is tight when `q` is the true
        posterior.

        Args:
            x: data of shape `(num_samples, num_visible)`.
            log_z: `log Z` (e.g. an estimate), or `None` for the exact
                `log_partition()`.

        Returns:
            NumPy array of shape `(num_samples,)`, in nats.
        """
        x = self._check_visible(x)
        log_z = self.log_partition() if log_z is None else log_z
        kernels, biases = self._weight_values()
        states = [ops.convert_to_tensor(x), *self(x)]
        return (
            -ops.convert_to_numpy(
                _variational_free_energy(states, kernels, biases)
            )
            - log_z
        )

    def _log_sum(self, parity, v=None):
        """`log sum exp(-E)` over all states (`v=None`) or all hidden states given `v`.

        Enumerates the layers of `parity` (less the clamped `v`) and sums
        the others out analytically.
        """
        kernels, biases = self._weight_values()
        sizes = self.layer_sizes
        free = [l for l in range(len(sizes)) if not (v is not None and l == 0)]
        enumerated = [l for l in free if l % 2 == parity]
        bits = _all_states(
            sum(sizes[l] for l in enumerated), "the DBM's enumerated layers"
        )
        splits = np.cumsum([sizes[l] for l in enumerated])[:-1]
        states = dict(zip(enumerated, np.split(bits, splits, axis=1)))
        log_weights = sum(ops.matmul(states[l], biases[l]) for l in enumerated)
        for l in free:
            if l % 2 != parity:
                field = biases[l]
                if l - 1 in states:
                    field = field + ops.matmul(states[l - 1], kernels[l - 1])
                if l + 1 in states:
                    field = field + ops.matmul(
                        states[l + 1], ops.transpose(kernels[l])
                    )
                log_weights = log_weights + ops.sum(
                    ops.softplus(field), axis=-1
                )
        if v is None:
            return ops.logsumexp(log_weights)
        clamped = ops.matmul(
            ops.matmul(v, kernels[0]), ops.transpose(states[1])
        )
        return ops.logsumexp(clamped + log_weights, axis=-1) + ops.matmul(
            v, biases[0]
        )

    # Export -----------------------------------------------------------------

    def classifier_inputs(self, x):
        """The inputs of `to_classifier()`'s model: `[x, q_2, ..., q_L]`.

        Args:
            x: data of shape `(num_samples, num_visible)`.

        Returns:
            List of NumPy arrays: the data, then the mean-field posteriors
            of hidden layers 2 to L.
        """
        x = self._check_visible(x)
        return [x, *self.mean_field(x)[1:]]

    def to_classifier(self, num_classes, name=None):
        """A `keras.Model` classifier initialised from the DBM.

        The network of Salakhutdinov and Hinton (2009): hidden layer `l`
        computes `sigmoid(b_l + h_{l-1} W_{l-1} + q_{l+1} W_l^T)` from the
        layer below and the mean-field posterior `q_{l+1}` of the layer above
        (an extra input), so at the mean-field fixed point its activations
        are exactly the DBM's posteriors; a randomly initialised softmax
        `Dense` output follows. Feed it `classifier_inputs(x)` and fine-tune
        it with `compile` / `fit`.

        Args:
            num_classes: int >= 2, number of classes.
            name: optional model name.

        Returns:
            A functional `keras.Model` with inputs `[x, q_2, ..., q_L]`.
        """
        self._check_trained("to_classifier")
        num_classes = check_integer(num_classes, "num_classes", minimum=2)
        kernels, biases = self._weight_values()
        sizes = self.layer_sizes
        inputs = [keras.Input((sizes[0],), name="visible")]
        inputs += [
            keras.Input((sizes[l],), name=f"mean_field_{l}")
            for l in range(2, len(sizes))
        ]
        hidden = inputs[0]
        for l in range(1, len(sizes)):
            up = keras.layers.Dense(sizes[l], name=f"dense_{l - 1}")
            field = up(hidden)
            up.set_weights(
                [
                    ops.convert_to_numpy(kernels[l - 1]),
                    ops.convert_to_numpy(biases[l]),
                ]
            )
            if l < self.num_layers:
                down = keras.layers.Dense(
                    sizes[l], use_bias=False, name=f"top_down_{l - 1}"
                )
                field = keras.layers.Add()([field, down(inputs[l])])
                down.set_weights(
                    [ops.convert_to_numpy(ops.transpose(kernels[l]))]
                )
            hidden = keras.layers.Activation("sigmoid", name=f"hidden_{l - 1}")(
                field
            )
        output = keras.layers.Dense(
            num_classes, activation="softmax", name="output"
        )(hidden)
        return keras.Model(
            inputs, output, name=name or f"{self.name}_classifier"
        )

    def get_config(self):
        return {
            **super().get_config(),
            "num_visible": self.num_visible,
            "hidden_units": list(self.hidden_units),
            "persistent_chains": self.persistent_chains,
            "k": self.k,
            "mean_field_steps": self.mean_field_steps,
            "mean_field_tolerance": self.mean_field_tolerance,
        }


class _DoubledBernoulliRBM(BernoulliRBM):
    """A `BernoulliRBM` whose inputs to either layer are scaled (DBM pre-training)."""

    def __init__(self, num_hidden, up_scale=1.0, down_scale=1.0, **kwargs):
        super().__init__(num_hidden, **kwargs)
        self.up_scale = up_scale
        self.down_scale = down_scale

    def hidden_field(self, v, parameters=None):
        p = self._resolve(parameters)
        v = ops.convert_to_tensor(v, self.compute_dtype)
        return self.up_scale * ops.matmul(v, p["kernel"]) + p["hidden_bias"]

    def visible_field(self, h, parameters=None):
        p = self._resolve(parameters)
        h = ops.convert_to_tensor(h, self.compute_dtype)
        return (
            self.down_scale * ops.matmul(h, ops.transpose(p["kernel"]))
            + p["visible_bias"]
        )

    def get_config(self):
        return {
            **super().get_config(),
            "up_scale": self.up_scale,
            "down_scale": self.down_scale,
        }


def _field(l, states, kernels, biases):
    """The input `b_l + x_{l-1} W_{l-1} + x_{l+1} W_l^T` of layer `l`."""
    field = biases[l]
    if l > 0:
        field = field + ops.matmul(states[l - 1], kernels[l - 1])
    if l < len(kernels):
        field = field + ops.matmul(states[l + 1], ops.transpose(kernels[l]))
    return field


def _energy(states, kernels, biases):
    """`E(x)` of the states `[x_0, ..., x_L]`, shape `(batch,)`."""
    energy = -sum(ops.sum(x * b, axis=-1) for x, b in zip(states, biases))
    for l, kernel in enumerate(kernels):
        energy = energy - ops.sum(
            ops.matmul(states[l], kernel) * states[l + 1], axis=-1
        )
    return energy


def _variational_free_energy(states, kernels, biases):
    """`E(v, q) - H(q)` for the data and factorial posteriors `[v, q_1, ..., q_L]`."""
    entropy = sum(
        _bernoulli_entropy(q) + _bernoulli_entropy(1.0 - q) for q in states[1:]
    )
    return _energy(states, kernels, biases) - entropy


def _bernoulli_entropy(q):
    return -ops.sum(q * ops.log(ops.maximum(q, 1e-30)), axis=-1)


def _gibbs(states, steps, seed, kernels, biases):
    """`steps` block Gibbs steps: all odd layers, then all even layers."""

    def step(_, states):
        return tuple(_gibbs_sweep(states, seed, kernels, biases))

    return list(seeded_fori_loop(0, steps, step, tuple(states), seed))


def _gibbs_sweep(states, seed, kernels, biases):
    """One block Gibbs sweep: the odd layers given the even, then the reverse."""
    states = list(states)
    for parity in (1, 0):
        for l in range(parity, len(states), 2):
            states[l] = bernoulli(
                ops.sigmoid(_field(l, states, kernels, biases)), seed
            )
    return states
