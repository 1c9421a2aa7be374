"""Restricted Boltzmann machine trained by contrastive divergence."""

import math

import keras
import numpy as np
from keras import ops

from kgen.layers.bernoulli_rbm import BernoulliRBM
from kgen.layers.rbm_layer import RBMLayer
from kgen.metrics.log_likelihood import log_likelihood
from kgen.metrics.log_likelihood import pseudo_log_likelihood
from kgen.metrics.log_partition import ais_log_partition
from kgen.models.boltzmann.annealing import check_temperatures
from kgen.models.boltzmann.imputation import check_imputation
from kgen.models.generative_model import GenerativeModel
from kgen.models.generative_model import as_arrays
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number
from kgen.utils.validation import is_array


@keras.saving.register_keras_serializable(package="kgen")
class RBM(GenerativeModel):
    """A restricted Boltzmann machine trained by CD-k or persistent CD.

    Wraps an RBM layer (`kgen.layers.BernoulliRBM`,
    `kgen.layers.GaussianBernoulliRBM` or `kgen.layers.CategoricalRBM`) and
    trains it with plain `model.fit` on every backend. The training step
    overrides `compute_loss` with the surrogate

    $$\\frac{1}{B}\\sum_b E(v_b, \\mu_b)
    - \\frac{1}{B}\\sum_b E(\\tilde v_b, \\tilde\\mu_b)
    + \\frac{\\lambda}{2}\\lVert W\\rVert^2,$$

    where `E` is the energy, `mu = E[h | v]` the hidden means (held fixed)
    and the negative samples `v~` (held fixed, without gradient) come from a
    `k`-step Gibbs chain started at the data (CD-k) or from persistent chains
    kept between steps (PCD-k, Tieleman 2008). Its gradient is that of the
    free-energy gap `mean F(v) - mean F(v~)` (see
    `RBMLayer.free_energy_surrogate`), exactly the CD / PCD update, so any
    Keras optimizer applies it; `keras.optimizers.SGD(0.1, momentum=0.9)`
    follows Hinton's practical guide. The weight decay `lambda` applies to
    the weights only, and an optional sparsity target nudges each hidden
    unit's running mean activation `q` towards `p` by adding
    `sparsity_cost * (q - p)` to the gradient of its pre-activation
    (Hinton's guide, section 11).

    The logged `loss` is the surrogate (the gap in mean energy between data
    and negative samples, not a likelihood). At the end of every epoch of a
    `fit` on arrays, the model also logs, computed on up to `monitor_samples`
    training samples: `reconstruction_error` (mean squared error of the
    mean-field reconstruction), `pseudo_log_likelihood` (binary units: the
    exact sum over all pixels of `log P(v_i | v_-i)`, in nats per sample) and,
    given `validation_data`, `val_reconstruction_error`,
    `val_pseudo_log_likelihood` and `free_energy_gap` (mean free energy of
    validation minus training samples; it grows when the model over-fits).
    `evaluate` returns the mean free energy as its loss.

    Reference:
        Hinton, "A Practical Guide to Training Restricted Boltzmann Machines"
        (2010); Tieleman, "Training Restricted Boltzmann Machines using
        Approximations to the Likelihood Gradient", ICML (2008).

    Args:
        layer: an `RBMLayer`, or an int for a `BernoulliRBM` with that many
            hidden units.
        k: int >= 1, Gibbs steps per update.
        persistent_chains: `None` for CD-k, or the number of persistent
            chains for PCD-k (e.g. the batch size). The chains are a
            non-trainable weight, saved with the model.
        weight_decay: float >= 0, L2 penalty on the weights.
        sparsity_target: `None`, or the target mean activation `p` of every
            hidden unit (e.g. 0.05).
        sparsity_cost: float >= 0, strength of the sparsity nudge.
        sparsity_damping: float in [0, 1), decay of the running mean `q`.
        monitor_samples: int >= 0, training samples used for the per-epoch
            metrics (0 turns them off).
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    (x, _), (x_test, _) = kgen.datasets.load_digits("binary")
    model = kgen.models.RBM(kgen.layers.BernoulliRBM(64), persistent_chains=64)
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9))
    model.fit(x, batch_size=64, epochs=20, validation_data=(x_test,))
    samples = model.generate(16, burn_in=1000)
    log_p = model.log_likelihood(x_test, method="ais", data=x, seed=0)
    ```
    """

    #: `compute_loss` ignores `y_pred`: PyTorch's step skips `call`.
    loss_uses_predictions = False

    likelihood_methods = {
        "exact": "_exact_log_likelihood",
        "ais": "_ais_log_likelihood",
    }

    def __init__(
        self,
        layer,
        k=1,
        persistent_chains=None,
        weight_decay=0.0,
        sparsity_target=None,
        sparsity_cost=0.0,
        sparsity_damping=0.9,
        monitor_samples=512,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        if not isinstance(layer, RBMLayer):
            layer = BernoulliRBM(
                check_integer(layer, "layer (number of hidden units)")
            )
        self.layer = layer
        self.k = check_integer(k, "k")
        if persistent_chains is not None:
            check_integer(persistent_chains, "persistent_chains")
        self.persistent_chains = persistent_chains
        self.weight_decay = _check_range(
            weight_decay, "weight_decay", 0.0, math.inf
        )
        if sparsity_target is not None:
            _check_range(sparsity_target, "sparsity_target", 0.0, 1.0)
        self.sparsity_target = sparsity_target
        self.sparsity_cost = _check_range(
            sparsity_cost, "sparsity_cost", 0.0, math.inf
        )
        self.sparsity_damping = _check_range(
            sparsity_damping, "sparsity_damping", 0.0, 1.0
        )
        self.monitor_samples = check_integer(
            monitor_samples, "monitor_samples", minimum=0
        )
        if layer.built:
            self.build((None, layer.num_visible))

    def build(self, input_shape):
        if not self.layer.built:
            self.layer.build(input_shape)
        num_visible, num_hidden = self.layer.num_visible, self.layer.num_hidden
        if self.persistent_chains:
            self.chains = self.add_weight(
                shape=(self.persistent_chains, num_visible),
                initializer="zeros",
                trainable=False,
                name="chains",
            )
            self.chains.assign(
                self.random_visible(self.persistent_chains, self.seed_generator)
            )
        if self.sparsity_target is not None:
            self.mean_activation = self.add_weight(
                shape=(num_hidden,),
                initializer=keras.initializers.Constant(self.sparsity_target),
                trainable=False,
                name="mean_activation",
            )
        self.built = True

    def call(self, inputs):
        return self.layer(inputs)

    @property
    def kernel(self):
        """The weights of the RBM layer, shape `(num_visible, num_hidden)`."""
        return self.layer.kernel

    # Training ---------------------------------------------------------------

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        return self.contrastive_divergence_loss(x, training=training)

    def contrastive_divergence_loss(self, x, parameters=None, training=True):
        """The CD-k (or PCD-k) surrogate loss of a batch, with its penalties.

        Its gradient is CD's update: that of the mean free energy of `x`
        minus that of the Gibbs samples (held fixed), plus the weight decay
        and sparsity terms. `compute_loss` is this with the layer's
        parameters.

        Args:
            x: a batch of visible vectors.
            parameters: `None` for the layer's `parameters()`, or such a
                dict with other values, e.g. per-example hidden biases of
                shape `(batch, num_hidden)` for a conditional RBM (CD-k
                only: persistent chains have no examples to match).
            training: `False` returns the mean free energy of `x` only.

        Returns:
            A scalar tensor.
        """
        layer = self.layer
        x = ops.convert_to_tensor(x, dtype=layer.compute_dtype)
        if parameters is None:
            parameters = layer.parameters()
        # The data's hidden field, the costly product, serves the free
        # energy's stand-in (with gradient) and CD's first hidden sample.
        field = layer.hidden_field(x, parameters)
        if not training:
            return ops.mean(layer.free_energy_from_field(x, field, parameters))
        if self.persistent_chains:
            negative = layer.gibbs(
                self.chains.value, self.k, self.seed_generator, parameters
            )
            self.chains.assign(negative)
        else:
            negative = layer.gibbs(
                x, self.k, self.seed_generator, parameters, hidden_field=field
            )

        def surrogate(v, field):
            return ops.mean(layer.free_energy_surrogate(v, field, parameters))

        negative_field = layer.hidden_field(negative, parameters)
        loss = surrogate(x, field) - surrogate(negative, negative_field)
        if self.weight_decay:
            loss = loss + 0.5 * self.weight_decay * ops.sum(
                ops.square(self.layer.kernel)
            )
        if self.sparsity_target is not None:
            loss = loss + self._sparsity_penalty(field)
        return loss

    def _sparsity_penalty(self, field):
        batch_mean = ops.mean(ops.sigmoid(ops.stop_gradient(field)), axis=0)
        damping = self.sparsity_damping
        mean = (
            damping * self.mean_activation.value + (1.0 - damping) * batch_mean
        )
        self.mean_activation.assign(mean)
        # Its gradient adds cost * (q - p) to each hidden pre-activation.
        excess = ops.stop_gradient(mean - self.sparsity_target)
        return self.sparsity_cost * ops.sum(excess * ops.mean(field, axis=0))

    def check_inputs(self, x):
        if is_array(x):
            self.layer.check_data(x)

    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        **kwargs,
    ):
        callbacks = list(callbacks or [])
        validation = _validation_array(validation_data)
        if validation is not None:
            self.layer.check_data(validation, "validation_data")
        x = as_arrays(x, "x")
        if is_array(x):
            if not self.built:
                # Checked before building: 3-D data must not build a layer
                # of the wrong width that then refuses correct data. Once
                # built, `GenerativeModel.fit` checks it (one pass, not two).
                x = self.layer.check_data(x)
                self.build((None, x.shape[-1]))
            if self.monitor_samples:
                callbacks.append(
                    _EpochMetrics(x[: self.monitor_samples], validation)
                )
        return super().fit(
            x,
            y,
            batch_size,
            epochs,
            verbose,
            callbacks,
            validation_split=validation_split,
            validation_data=validation_data,
            **kwargs,
        )

    def monitor(self, x, validation=None):
        """Reconstruction error, pseudo-log-likelihood and free-energy gap.

        Args:
            x: training samples (a subset is enough).
            validation: optional held-out samples.

        Returns:
            Dict of floats: `reconstruction_error`, `pseudo_log_likelihood`
            (binary units only) and, with `validation`, the same with a
            `val_` prefix and `free_energy_gap` (mean free energy of
            `validation` minus that of `x`).
        """
        logs = {}
        free_energy = {}
        for prefix, data in (("", x), ("val_", validation)):
            if data is None:
                continue
            checked = self.layer.check_data(data)
            data = ops.convert_to_tensor(
                checked, dtype=self.layer.compute_dtype
            )
            error = ops.mean(ops.square(self.layer.reconstruct(data) - data))
            error = ops.cast(error, "float32")  # NumPy has no bfloat16
            logs[f"{prefix}reconstruction_error"] = float(
                ops.convert_to_numpy(error)
            )
            if (
                isinstance(self.layer, BernoulliRBM)
                and self.layer.binary_hidden
            ):
                pll = pseudo_log_likelihood(self.layer, checked)
                logs[f"{prefix}pseudo_log_likelihood"] = float(np.mean(pll))
            free_energy[prefix] = float(
                ops.convert_to_numpy(
                    ops.cast(ops.mean(self.layer.free_energy(data)), "float32")
                )
            )
        if validation is not None:
            logs["free_energy_gap"] = free_energy["val_"] - free_energy[""]
        return logs

    # Sampling ---------------------------------------------------------------

    def random_visible(self, num_samples, seed):
        """Visible states drawn with the hidden units off (the bias model)."""
        hidden = ops.zeros(
            (num_samples, self.layer.num_hidden), dtype=self.layer.compute_dtype
        )
        return self.layer.sample_visible(hidden, seed)

    def sample(
        self,
        num_samples,
        seed,
        burn_in=1000,
        steps=10,
        init="random",
        num_chains=None,
        temperature=1.0,
        probabilities=False,
        temperatures=None,
    ):
        """Draws samples by block Gibbs sampling (see `generate`).

        Args:
            num_samples: int >= 1.
            seed: a `keras.random.SeedGenerator`.
            burn_in: Gibbs steps before the first sample is taken.
            steps: Gibbs steps between successive samples of one chain.
            init: `"random"` (independent draws from the visible biases),
                `"persistent"` (the PCD chains) or an array of starting
                visible states, one row per chain.
            num_chains: chains run in parallel when `init="random"`
                (default: `num_samples`, one sample per chain).
            temperature: float > 0; samples `exp(-E / temperature)`.
            probabilities: return `E[v | h]` of the last hidden state (smooth
                pictures) instead of sampled visible states.
            temperatures: optional annealing schedule run before the
                burn-in: one Gibbs step per temperature (e.g.
                `kgen.models.boltzmann.geometric_temperatures(10.0, 500)`).

        Returns:
            Tensor of shape `(num_samples, num_visible)`.
        """
        self._check_built("generate")
        check_integer(burn_in, "burn_in", minimum=0)
        check_integer(steps, "steps")
        if not temperature > 0:
            raise ValueError(
                f"`temperature` must be > 0. Received: temperature={temperature!r}."
            )
        parameters = self.layer.parameters(temperature)
        state = self._initial_state(init, num_chains or num_samples, seed)
        if temperatures is not None:
            state = self.layer.gibbs(
                state,
                seed=seed,
                parameters=self.layer.parameters(),
                temperatures=check_temperatures(temperatures),
            )
        state = self.layer.gibbs(state, burn_in, seed, parameters)
        samples = []
        for round_ in range(math.ceil(num_samples / ops.shape(state)[0])):
            if round_:
                state = self.layer.gibbs(state, steps, seed, parameters)
            if probabilities:
                hidden = self.layer.sample_hidden(state, seed, parameters)
                samples.append(
                    self.layer.visible_probabilities(hidden, parameters)
                )
            else:
                samples.append(state)
        return ops.concatenate(samples, axis=0)[:num_samples]

    def _initial_state(self, init, num_chains, seed):
        if isinstance(init, str) and init == "random":
            return self.random_visible(
                check_integer(num_chains, "num_chains"), seed
            )
        if isinstance(init, str) and init == "persistent":
            if not self.persistent_chains:
                raise ValueError(
                    "`init='persistent'` needs persistent chains, but this RBM "
                    "was built with persistent_chains=None (CD-k). Use "
                    "init='random' or pass starting states as an array."
                )
            return self.chains.value
        if is_array(init) or isinstance(init, (list, tuple)):
            return ops.convert_to_tensor(self.layer.check_data(init, "init"))
        raise ValueError(
            "`init` must be 'random', 'persistent' or an array of starting "
            f"visible states. Received: init={init!r}."
        )

    def impute(
        self,
        x,
        observed,
        steps=200,
        temperature=1.0,
        probabilities=True,
        seed=None,
    ):
        """Samples the unobserved visible units given the observed ones.

        Runs `steps` Gibbs steps with the observed units clamped (image
        completion, imputation of missing ratings), starting the unobserved
        units from the bias model.

        Args:
            x: array `(num_samples, num_visible)`; values at unobserved
                positions are ignored.
            observed: 0/1 (or boolean) array shaped like `x`, 1 where `x` is
                observed and kept.
            steps: int >= 1, Gibbs steps.
            temperature: float > 0, sampling temperature.
            probabilities: fill the unobserved units with `E[v | h]` of the
                last hidden state instead of a sample.
            seed: int for a reproducible draw, or `None` for the model's
                stream.

        Returns:
            NumPy array shaped like `x`, equal to `x` where observed.

        Example:

        ```python
        mask = np.ones_like(x_test)
        mask[:, 32:] = 0  # hide the bottom half of each 8x8 digit
        completed = model.impute(x_test, mask)
        ```
        """
        self._check_built("impute")
        x, observed = check_imputation(x, observed, self.layer.check_data)
        seed = self._seed_for(seed)
        parameters = self.layer.parameters(temperature)
        clamp = ops.convert_to_tensor(observed)
        start = ops.where(clamp > 0, x, self.random_visible(len(x), seed))
        state = self.layer.gibbs(
            start, check_integer(steps, "steps"), seed, parameters, clamp=clamp
        )
        if probabilities:
            hidden = self.layer.sample_hidden(state, seed, parameters)
            state = ops.where(
                clamp > 0,
                x,
                self.layer.visible_probabilities(hidden, parameters),
            )
        return ops.convert_to_numpy(state)

    # Likelihood -------------------------------------------------------------

    def _exact_log_likelihood(self, x, log_z=None):
        """`log p(v) = -F(v) - log Z`, exact `log Z` unless `log_z` is given.

        Reached as `log_likelihood(x, method="exact")`; see
        `kgen.metrics.log_likelihood`.
        """
        self._check_built("log_likelihood")
        return log_likelihood(self, x, log_z=log_z)

    def _ais_log_likelihood(
        self, x, data=None, betas=14500, num_runs=100, seed=None
    ):
        """`log p(v) = -F(v) - log Z` with `log Z` estimated by AIS.

        Reached as `log_likelihood(x, method="ais", ...)`; the arguments are
        those of `kgen.metrics.ais_log_partition`, `data` (default: `x`)
        being the samples that fit its base-rate model (the training data
        is best).
        """
        self._check_built("log_likelihood")
        log_z, _ = ais_log_partition(
            self,
            x if data is None else data,
            betas=betas,
            num_runs=num_runs,
            seed=seed,
        )
        return log_likelihood(self, x, log_z=log_z)

    def _check_built(self, method):
        if not self.built:
            raise ValueError(
                f"`{method}` needs a built RBM: call `fit` first, or `build((None, num_visible))`."
            )

    def get_config(self):
        layer = serialize_network(self.layer)
        layer.pop("build_config", None)  # the model's own build rebuilds it
        return {
            **super().get_config(),
            "layer": layer,
            "k": self.k,
            "persistent_chains": self.persistent_chains,
            "weight_decay": self.weight_decay,
            "sparsity_target": self.sparsity_target,
            "sparsity_cost": self.sparsity_cost,
            "sparsity_damping": self.sparsity_damping,
            "monitor_samples": self.monitor_samples,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["layer"] = deserialize_network(config["layer"], "layer")
        return super().from_config(config)


class _EpochMetrics(keras.callbacks.Callback):
    """Adds `RBM.monitor` figures to the logs at the end of every epoch."""

    def __init__(self, x, validation):
        super().__init__()
        self.x = x
        self.validation = validation

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs.update(self.model.monitor(self.x, self.validation))


def _validation_array(validation_data):
    if isinstance(validation_data, (tuple, list)) and validation_data:
        validation_data = validation_data[0]
    return validation_data if is_array(validation_data) else None


def _check_range(value, name, low, high):
    return check_number(value, name, low=low, high=high, high_open=True)
