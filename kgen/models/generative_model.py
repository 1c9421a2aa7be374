"""Base class of every kgen generative model."""

import inspect

import keras
import numpy as np
from keras import ops

from kgen import backend
from kgen.callbacks.stop_on_nan import StopOnNaN
from kgen.utils.checked_data import checked_stream
from kgen.utils.config_compat import upgrade_config
from kgen.utils.keras_internals import portable_compile_config
from kgen.utils.validation import check_array
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer
from kgen.utils.validation import is_array
from kgen.utils.validation import seed_generator


@keras.saving.register_keras_serializable(package="kgen")
class GenerativeModel(backend.StepFunctions, keras.Model):
    """Base class of kgen's generative models.

    A `keras.Model` that adds what all of kgen's models share:

    - `generate(num_samples, *, labels=None, seed=None, **kwargs)`, the
      common sampling contract; subclasses implement
      `sample(num_samples, seed, **kwargs)` in `keras.ops` (with a `labels`
      argument when they are conditional).
    - `log_likelihood(x, *, method=None, **options)`, the one way to reach
      a model's log-likelihood or bound: each subclass lists its methods in
      `likelihood_methods` (e.g. `"exact"`, `"ais"`, `"bound"`, `"iwae"`).
    - Configs saved under older argument names still load: a subclass lists
      its renamed constructor arguments in `renamed_arguments` and
      `from_config` translates them (`kgen.utils.config_compat`).
    - Named running-mean trackers (`add_tracker`) that appear in the `fit`
      logs and the progress bar.
    - Input checks on `fit` / `evaluate` (`check_inputs`, overridden per
      model) and a `kgen.callbacks.StopOnNaN` guard added to `fit`.
    - On TensorFlow, arrays passed to `fit` stream through one `tf.data`
      pipeline for the whole run (`kgen.backend.fit_data`), and each step
      is one `tf.function` call that returns the logs
      (`kgen.backend.StepFunctions`).
    - The model's own `SeedGenerator` state is saved with its weights, so a
      reloaded model resumes the same random stream.

    Single-phase models (RBM, VAE) override `compute_loss`; models with
    several optimizers derive from `kgen.models.PhasedModel`.

    Args:
        seed: int or `None`, seed of the model's random stream: every draw
            the model makes itself (sampling, Gibbs chains, latent codes,
            noise) follows it. Network initialisation and `fit`'s shuffling
            use Keras' global random state instead: for a reproducible run
            call `keras.utils.set_random_seed(seed)` before building the
            model (the `kgen` CLI does).
        **kwargs: passed to `keras.Model` (e.g. `name`).
    """

    #: `{method name: name of the method computing it}`, default first.
    likelihood_methods = {}
    #: `{old constructor argument name: new name or None}`, for old configs.
    renamed_arguments = {}

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        if seed is not None:
            check_integer(seed, "seed", minimum=0)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._trackers = {}

    def add_tracker(self, name):
        """The `keras.metrics.Mean` named `name`, created on first use.

        Its running mean appears in the `fit` and `evaluate` logs; update it
        with `update_state` in `compute_loss`.
        """
        if name not in self._trackers:
            self._trackers[name] = keras.metrics.Mean(name=name)
        return self._trackers[name]

    def generate(self, num_samples, *, labels=None, seed=None, **kwargs):
        """Draws `num_samples` samples from the model.

        Args:
            num_samples: int >= 1.
            labels: conditional models only: one class id for every
                sample, or one per sample.
            seed: int for a reproducible draw, or `None` to advance the
                model's own random stream.
            **kwargs: model-specific sampling options.

        Returns:
            NumPy array of shape `(num_samples, *sample_shape)` (or the
            structure of arrays `sample` returns).
        """
        num_samples = check_integer(num_samples, "num_samples")
        if labels is not None:
            if "labels" not in inspect.signature(self.sample).parameters:
                raise ValueError(
                    f"{type(self).__name__} is unconditional: `generate` "
                    f"takes no `labels`. Received: labels={labels!r}."
                )
            kwargs["labels"] = labels
        return keras.tree.map_structure(
            ops.convert_to_numpy,
            self.sample(num_samples, self._seed_for(seed), **kwargs),
        )

    def log_likelihood(self, x, *, method=None, **options):
        """Per-sample `log p(x)`, or a bound or estimate of it, in nats.

        The one entry point to every model's likelihood: `method` names
        how it is computed, among the model's `likelihood_methods` (the
        first is the default). The names mean the same everywhere:

        - `"exact"`: the exact value (enumeration for small Boltzmann
          machines, the product of conditionals for autoregressive models,
          the change of variables for flows).
        - `"ais"`: `log Z` estimated by annealed importance sampling, the
          rest exact (RBMs).
        - `"bound"`: a variational lower bound (DBN up-pass, DBM mean field).
        - `"iwae"`: the importance-weighted bound (VAEs; the ELBO with
          `num_samples=1`).

        Args:
            x: array of samples, shape `(n, *sample_shape)`.
            method: a name in `likelihood_methods`, or `None` for the
                model's default.
            **options: passed to the method (e.g. `log_z`, `num_samples`,
                `seed`); see the specialised method it names.

        Returns:
            NumPy array of shape `(n,)`, in nats.

        Example:

        ```python
        model.likelihood_methods  # e.g. {"exact": ..., "bound": ...}
        model.log_likelihood(x_test, method="bound").mean()
        ```
        """
        methods = type(self).likelihood_methods
        if not methods:
            raise ValueError(
                f"{type(self).__name__} has no likelihood: `log_likelihood` "
                "is for models with a tractable likelihood or bound (RBMs, "
                "DBNs, DBMs, VAEs, autoregressive models, flows). Compare "
                "samples with `kgen.metrics` instead (e.g. Frechet distance)."
            )
        method = next(iter(methods)) if method is None else method
        check_choice(
            method, "method", list(methods), f" for {type(self).__name__}"
        )
        return np.asarray(getattr(self, methods[method])(x, **options))

    def sample(self, num_samples, seed, **kwargs):
        """Draws samples as a backend tensor; implemented by subclasses."""
        raise NotImplementedError(
            f"{type(self).__name__} does not implement `sample()`."
        )

    def _seed_for(self, seed):
        """A seed for `keras.random`: a fresh stream for an int seed."""
        return seed_generator(seed, default=self.seed_generator)

    def check_inputs(self, x):
        """Validates array data passed to `fit` / `evaluate`.

        The base check rejects empty arrays and NaN or infinite values;
        subclasses add shape and range checks with `kgen.utils.check_array`.
        Streamed data gets the same check batch by batch, on the host (every
        batch of a generator or `keras.utils.PyDataset`, the first batch of
        a `tf.data.Dataset`; see `kgen.utils.checked_data`). `predict` runs
        `check_predict_inputs`, by default this same check.
        """
        if is_array(x):
            check_array(x, "x")

    def check_predict_inputs(self, x):
        """Validates array inputs of `predict` (by default `check_inputs`).

        Models whose `call` takes something other than training samples
        (a GAN's latent vectors) override it.
        """
        self.check_inputs(x)

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
        x, y = as_arrays(x, "x"), as_arrays(y, "y")
        self.check_inputs(x)
        x = checked_stream(x, self.check_inputs)
        check_integer(epochs, "epochs")
        if validation_data is not None:
            validation_data = self._check_validation_data(validation_data)
        kwargs.update(
            validation_split=validation_split, validation_data=validation_data
        )
        callbacks = list(callbacks or [])
        if not any(isinstance(c, StopOnNaN) for c in callbacks):
            callbacks.append(StopOnNaN())
        options = dict(
            kwargs,
            batch_size=batch_size,
            epochs=epochs,
            verbose=verbose,
            callbacks=callbacks,
        )
        x, y, options = backend.fit_data(x, y, options)
        with backend.state_kept_on_error(self):
            return super().fit(x, y, **options)

    def evaluate(self, x=None, y=None, **kwargs):
        x, y = as_arrays(x, "x"), as_arrays(y, "y")
        self.check_inputs(x)
        return super().evaluate(
            checked_stream(x, self.check_inputs), y, **kwargs
        )

    def predict(self, x, *args, **kwargs):
        x = as_arrays(x, "x")
        self.check_predict_inputs(x)
        return super().predict(
            checked_stream(x, self.check_predict_inputs), *args, **kwargs
        )

    def _check_validation_data(self, validation_data):
        """Checks `validation_data` now, naming it in the error; returns it
        with streamed validation data checked batch by batch."""
        inputs = validation_data
        if isinstance(validation_data, (tuple, list)):
            inputs = validation_data[0] if validation_data else None
        try:
            self.check_inputs(as_arrays(inputs, "x_val"))
        except ValueError as error:
            raise ValueError(f"Invalid `validation_data`: {error}") from None
        return checked_stream(
            validation_data, self.check_inputs, "validation_data"
        )

    def get_compile_config(self):
        return portable_compile_config(super().get_compile_config())

    def compile_from_config(self, config):
        return super().compile_from_config(portable_compile_config(config))

    def save_own_variables(self, store):
        super().save_own_variables(store)
        for i, generator in enumerate(self._seed_generators):
            store[f"seed_state_{i}"] = generator.state

    def load_own_variables(self, store):
        keys = list(store.keys())
        for i, generator in enumerate(self._seed_generators):
            key = f"seed_state_{i}"
            if key in keys:
                generator.state.assign(store[key][()])
        weights = {k: store[k] for k in keys if not k.startswith("seed_state_")}
        super().load_own_variables(weights)

    @classmethod
    def from_config(cls, config):
        return super().from_config(
            upgrade_config(config, cls.renamed_arguments)
        )

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
            "seed": self.seed,
        }


def as_arrays(data, name):
    """`data` with Python lists of numbers as NumPy arrays (lists of arrays,
    several inputs, pass through); `None` refused for `x`."""
    if data is None and name == "x":
        raise ValueError(
            "No data: received x=None. Pass an array of samples, "
            "a `tf.data.Dataset`, a `keras.utils.PyDataset` or a generator."
        )
    if isinstance(data, list) and not any(is_array(item) for item in data):
        try:
            return np.asarray(
                data, dtype=keras.config.floatx() if name[0] == "x" else None
            )
        except ValueError as error:
            raise ValueError(
                f"`{name}` is a Python list that is not a rectangular array "
                f"of numbers ({error}). Pass a NumPy array."
            ) from None
    return data
