"""Deep belief network: a greedily trained stack of RBMs."""

import keras
import numpy as np
from keras import ops

from kgen.layers.bernoulli_rbm import BernoulliRBM
from kgen.layers.gaussian_bernoulli_rbm import GaussianBernoulliRBM
from kgen.layers.labelled_bernoulli_rbm import LabelledBernoulliRBM
from kgen.layers.rbm_layer import seeded_fori_loop
from kgen.metrics.log_partition import exact_log_partition
from kgen.models.boltzmann.greedy_pretraining import _check_hidden_units
from kgen.models.boltzmann.greedy_pretraining import _check_layer_index
from kgen.models.boltzmann.greedy_pretraining import _hidden_probabilities
from kgen.models.boltzmann.greedy_pretraining import greedy_pretrain
from kgen.models.boltzmann.greedy_pretraining import pretraining_optimizer
from kgen.models.boltzmann.imputation import check_imputation
from kgen.models.boltzmann.imputation import running_mean_weight
from kgen.models.generative_model import GenerativeModel
from kgen.utils.binary import bernoulli
from kgen.utils.keras_internals import portable_compile_config
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer
from kgen.utils.validation import is_array
from kgen.utils.validation import offset_seed

VISIBLE_TYPES = {"bernoulli": BernoulliRBM, "gaussian": GaussianBernoulliRBM}
PRETRAIN_INPUTS = ("probabilities", "samples")


@keras.saving.register_keras_serializable(package="kgen")
class DBN(GenerativeModel):
    """Deep belief network: a stack of RBMs trained greedily, layer by layer.

    The bottom RBM has Bernoulli or Gaussian visible units; every other RBM
    is binary and takes the hidden units of the one below as its visible
    units. `pretrain` (or `fit`, the same) trains the layers in turn
    (Hinton, Osindero and Teh, 2006): layer `l` is trained as a
    `kgen.models.RBM` by CD-k or PCD-k on the hidden probabilities (or
    samples, `pretrain_input="samples"`) of layer `l - 1` given the data, for
    its own number of epochs; `pretrain` takes the same arguments as
    `DBM.pretrain`. One call runs them all; each layer shows its own progress bar and the
    returned history holds every layer's logs prefixed with `layer_<l>_`.
    Callbacks receive the layer's RBM model as their model.

    The trained network is a generative model (`generate`: Gibbs sampling in
    the top RBM, then one ancestral pass down through the directed layers)
    and a feature extractor (`transform`, or calling the model: the up-pass
    of hidden probabilities). `to_classifier` exports a plain `keras.Model`
    (sigmoid `Dense` layers holding the pre-trained weights, then a softmax
    output) for supervised fine-tuning with `fit`.

    Reference:
        Hinton, Osindero and Teh, "A Fast Learning Algorithm for Deep Belief
        Nets", Neural Computation 18 (2006).

    Args:
        num_visible: int >= 1, number of visible units.
        hidden_units: non-empty list of ints >= 1, hidden units per layer,
            bottom first.
        visible_type: `"bernoulli"` (data in [0, 1]) or `"gaussian"`
            (standardised real data, unit variance).
        pretrain_input: `"probabilities"` or `"samples"`, what a layer
            passes up to train the next one.
        num_classes: `None`, or the number of label units joined to the top
            RBM's visible layer (a `kgen.layers.LabelledBernoulliRBM`; needs
            at least 2 layers). `fit(x, y)` then trains the top RBM on the
            features and one-hot labels, `generate(n, labels=...)` samples
            class-conditionally and `predict_labels(x)` classifies by free
            energy (Hinton, Osindero and Teh, 2006). The up-pass (`transform`,
            `to_classifier`) leaves the label units off.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    import keras
    from kgen.datasets import load_digits
    from kgen.models.boltzmann import DBN

    (x, y), _ = load_digits("unit")
    dbn = DBN(64, [128, 128], seed=0)
    dbn.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9))
    dbn.pretrain(x, epochs=[10, 10], k=1, batch_size=32)
    features = dbn.transform(x)  # (num_samples, 128)
    samples = dbn.generate(16)  # (16, 64) probabilities
    classifier = dbn.to_classifier(num_classes=10)
    classifier.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    classifier.fit(x, y, epochs=10)
    ```
    """

    likelihood_methods = {"bound": "log_likelihood_bound"}
    # The pre-training options moved to `pretrain` (as in `DBM.pretrain`).
    renamed_arguments = {"k": None, "persistent_chains": None}

    def __init__(
        self,
        num_visible,
        hidden_units,
        visible_type="bernoulli",
        pretrain_input="probabilities",
        num_classes=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        self.num_visible = check_integer(num_visible, "num_visible")
        self.hidden_units = _check_hidden_units(hidden_units)
        check_choice(visible_type, "visible_type", sorted(VISIBLE_TYPES))
        self.visible_type = visible_type
        check_choice(pretrain_input, "pretrain_input", PRETRAIN_INPUTS)
        self.pretrain_input = pretrain_input
        if num_classes is not None and len(self.hidden_units) < 2:
            raise ValueError(
                "Label units join the top RBM of a DBN with at least 2 layers. "
                f"Received hidden_units={self.hidden_units} with "
                f"num_classes={num_classes}: add a layer or use num_classes=None."
            )
        self.num_classes = num_classes
        sizes = [self.num_visible, *self.hidden_units]
        self.rbm_layers = []
        for i, num_hidden in enumerate(self.hidden_units):
            options = {"seed": offset_seed(seed, i), "name": f"rbm_{i}"}
            if i == 0:
                layer = VISIBLE_TYPES[visible_type](num_hidden, **options)
            elif i == len(self.hidden_units) - 1 and num_classes is not None:
                layer = LabelledBernoulliRBM(num_hidden, num_classes, **options)
            else:
                layer = BernoulliRBM(num_hidden, **options)
            labelled = isinstance(layer, LabelledBernoulliRBM)
            layer.build((None, sizes[i] + (num_classes if labelled else 0)))
            self.rbm_layers.append(layer)
        self.pretrained_layers = self.add_weight(
            shape=(),
            initializer="zeros",
            dtype="int32",
            trainable=False,
            name="pretrained_layers",
        )
        self.built = True

    @property
    def num_layers(self):
        """Number of RBM layers."""
        return len(self.rbm_layers)

    # Pre-training -----------------------------------------------------------

    def compile(self, *args, **kwargs):
        """Compiles the DBN; its optimizer is the one `pretrain` copies.

        The optimizer is built over the DBN's variables at once (the DBN
        never applies it itself), as Keras builds it when it reloads a
        `.keras` file, so a saved DBN reloads its optimizer state whole.
        """
        super().compile(*args, **kwargs)
        self.optimizer.build(self.trainable_variables)

    def compile_from_config(self, config):
        # Keras leaves a model with its own `compile` uncompiled on loading.
        if config:
            config = portable_compile_config(config)
            self.compile(**keras.saving.deserialize_keras_object(config))

    def fit(self, x=None, y=None, epochs=1, callbacks=None, **kwargs):
        """Trains the DBN: its greedy pre-training, `pretrain` (same arguments)."""
        return self.pretrain(x, y, epochs=epochs, callbacks=callbacks, **kwargs)

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
        """Pre-trains the layers greedily, bottom first, in one call.

        Each layer is trained as a `kgen.models.RBM` compiled with a copy of
        the optimizer (see `kgen.models.boltzmann.greedy_pretrain`). The
        same method as `DBM.pretrain` (same arguments and meaning).

        Args:
            x: training data, array of shape `(num_samples, num_visible)`.
            y: labels, exactly when the DBN has label units
                (`num_classes`); otherwise `None` (unsupervised).
            epochs: int, or one int per layer.
            optimizer: optimizer for every layer (a copy each); default: a
                copy of the one given to `compile`.
            k: int >= 1, Gibbs steps of each layer's CD-k / PCD-k.
            persistent_chains: `None` for CD-k, or the number of PCD chains.
            callbacks: Keras callbacks, passed to every layer's `fit`.
            **kwargs: passed to every layer's `fit` (`batch_size`,
                `verbose`, `shuffle`, ...).

        Returns:
            A `keras.callbacks.History` whose `history` holds each layer's
            logs under `layer_<index>_<name>`.
        """
        if (y is None) != (self.num_classes is None):
            raise ValueError(
                "Pass labels `y` exactly when the DBN has label units: this one "
                f"has num_classes={self.num_classes} and received "
                f"y={'None' if y is None else 'an array'}. Without label units, "
                "pre-training is unsupervised: fine-tune with labels on "
                "`to_classifier()`."
            )
        optimizer = pretraining_optimizer(self, optimizer)
        self.rbm_layers[0].check_data(x)
        history = greedy_pretrain(
            self.rbm_layers,
            x,
            epochs,
            optimizer,
            lambda layer, inputs: self._pass_up(layer, inputs, y),
            k=k,
            persistent_chains=persistent_chains,
            seed=self.seed,
            callbacks=callbacks,
            **kwargs,
        )
        self.pretrained_layers.assign(self.num_layers)
        return history

    def _pass_up(self, layer, inputs, labels=None):
        if self.pretrain_input == "samples":
            inputs = ops.convert_to_tensor(inputs, dtype=self.compute_dtype)
            outputs = ops.convert_to_numpy(
                layer.sample_hidden(inputs, self.seed_generator)
            )
        else:
            outputs = _hidden_probabilities(layer, inputs)
        if labels is not None and layer is self.rbm_layers[-2]:
            return self.rbm_layers[-1].join(outputs, labels)
        return outputs

    def check_pretrained(self, what):
        """Raises a `ValueError` naming `what` unless every layer is trained."""
        if int(ops.convert_to_numpy(self.pretrained_layers)) < self.num_layers:
            raise ValueError(
                f"`{what}` needs a pre-trained DBN, but only "
                f"{int(ops.convert_to_numpy(self.pretrained_layers))} of its "
                f"{self.num_layers} layers are trained. Call `fit(x)` first."
            )

    # Inference --------------------------------------------------------------

    def call(self, inputs, layer=None):
        """Hidden probabilities of layer `layer` (default: the top) by an up-pass."""
        layer = self.num_layers - 1 if layer is None else layer
        inputs = ops.convert_to_tensor(inputs, dtype=self.compute_dtype)
        for rbm in self.rbm_layers[: layer + 1]:
            if isinstance(rbm, LabelledBernoulliRBM):  # label units off
                inputs = ops.pad(inputs, [(0, 0), (0, self.num_classes)])
            inputs = rbm.hidden_probabilities(inputs)
        return inputs

    def transform(self, x, layer=-1):
        """Features of `x`: the hidden probabilities of one layer.

        Args:
            x: data of shape `(num_samples, num_visible)`.
            layer: index of the hidden layer (negative counts from the top).

        Returns:
            NumPy array of shape `(num_samples, hidden_units[layer])`.
        """
        layer = _check_layer_index(layer, self.num_layers, "DBN")
        x = self.rbm_layers[0].check_data(x)
        return ops.convert_to_numpy(self(x, layer=layer))

    def check_inputs(self, x):
        if is_array(x):
            self.rbm_layers[0].check_data(x)

    # Generation -------------------------------------------------------------

    def sample(
        self, num_samples, seed, burn_in=1000, probabilities=True, labels=None
    ):
        """Gibbs sampling in the top RBM, then an ancestral pass down.

        Args:
            num_samples: int >= 1, number of independent chains.
            seed: a `keras.random.SeedGenerator`.
            burn_in: int >= 1, Gibbs steps in the top RBM.
            probabilities: return `E[v | h]` at the bottom (smooth pictures)
                instead of a sample.
            labels: for a DBN with label units, an int or one int per
                sample: the label units are clamped to it (class-conditional
                generation). `None` lets them run free.

        Returns:
            Tensor of shape `(num_samples, num_visible)`.
        """
        self.check_pretrained("generate")
        check_integer(burn_in, "burn_in")
        top = self.rbm_layers[-1]
        start = bernoulli(ops.full((num_samples, top.num_visible), 0.5), seed)
        clamp = None
        if labels is not None:
            start, clamp = self._clamp_labels(start, labels)
        hidden = top.sample_hidden(
            top.gibbs(start, burn_in, seed, clamp=clamp), seed
        )
        for rbm in reversed(self.rbm_layers[1:]):
            hidden = rbm.sample_visible(hidden, seed)
            if isinstance(rbm, LabelledBernoulliRBM):
                hidden = hidden[:, : -self.num_classes]
        bottom = self.rbm_layers[0]
        if probabilities:
            return bottom.visible_probabilities(hidden)
        return bottom.sample_visible(hidden, seed)

    def _clamp_labels(self, start, labels):
        """Starting states with the label units set to `labels`, and the clamp mask."""
        if self.num_classes is None:
            raise ValueError(
                "`labels` needs a DBN with label units (`num_classes=...`); "
                f"this one has none. Received labels={labels!r}."
            )
        top = self.rbm_layers[-1]
        features = ops.convert_to_numpy(start)[:, : -self.num_classes]
        labels = np.broadcast_to(np.asarray(labels), (len(features),))
        clamp = np.zeros(ops.shape(start), "float32")
        clamp[:, -self.num_classes :] = 1.0
        return top.join(features, labels), clamp

    def predict_labels(self, x):
        """Classifies `x` by the top RBM's free energy (DBNs with label units).

        Returns the label `c` that minimises `F([h, one_hot(c)])` for the
        up-pass features `h` below the top RBM (Hinton, Osindero and Teh,
        2006).

        Args:
            x: data of shape `(num_samples, num_visible)`.

        Returns:
            int NumPy array of shape `(num_samples,)`.
        """
        return np.argmin(self._class_free_energies(x), axis=0)

    def _class_free_energies(self, x):
        """Top-RBM free energies of every label, shape `(num_classes, num_samples)`."""
        self.check_pretrained("predict_labels")
        if self.num_classes is None:
            raise ValueError(
                "`predict_labels` needs a DBN with label units (`num_classes=...`)."
            )
        x = self.rbm_layers[0].check_data(x)
        features = ops.convert_to_numpy(self(x, layer=self.num_layers - 2))
        top = self.rbm_layers[-1]
        return np.stack(
            [
                ops.convert_to_numpy(
                    top.free_energy(top.join(features, np.full(len(x), label)))
                )
                for label in range(self.num_classes)
            ]
        )

    # Imputation -------------------------------------------------------------

    def impute(self, x, observed, steps=200, probabilities=True, seed=None):
        """Fills in the unobserved visible units given the observed ones.

        Exact Gibbs sampling of `P(v_miss, h | v_obs)` under the DBN's
        generative model (top RBM, then directed layers down to `v`):
        the unobserved pixels drop out of the likelihood, the top layer is
        drawn as a block given the one below, and every unit of the lower
        hidden layers, whose conditional couples them through the layer
        below (explaining away), is updated one at a time, with the exact
        odds of its prior field times the likelihood of its children. The
        observed units stay clamped; `steps` sweeps start from an up-pass.
        With `probabilities=True` the result is `P(v_miss = 1 | h_1)`
        averaged over the second half of the sweeps; otherwise the last
        sample. Binary visible units without label units only.

        Reference:
            Hinton, Osindero and Teh, "A Fast Learning Algorithm for Deep
            Belief Nets", Neural Computation 18 (2006).

        Args:
            x: array `(num_samples, num_visible)` in [0, 1]; values at
                unobserved positions are ignored.
            observed: 0/1 (or boolean) array shaped like `x`, 1 where `x` is
                observed and kept.
            steps: int >= 1, Gibbs sweeps.
            probabilities: return averaged probabilities instead of a
                sample.
            seed: int for a reproducible draw, or `None` for the model's
                stream.

        Returns:
            NumPy array shaped like `x`, equal to `x` where observed.
        """
        self.check_pretrained("impute")
        if self.visible_type != "bernoulli" or self.num_classes is not None:
            raise ValueError(
                "`impute` supports DBNs with binary visible units and no "
                f"label units. Received visible_type={self.visible_type!r}, "
                f"num_classes={self.num_classes}."
            )
        x, observed = check_imputation(
            x, observed, self.rbm_layers[0].check_data
        )
        steps = check_integer(steps, "steps")
        seed = self._seed_for(seed)
        parameters = [
            {k: ops.stop_gradient(w) for k, w in rbm.parameters().items()}
            for rbm in self.rbm_layers
        ]
        v, clamp = ops.convert_to_tensor(x), ops.convert_to_tensor(observed)
        states = [ops.where(clamp > 0, v, 0.5)]
        for rbm, p in zip(self.rbm_layers, parameters):
            states.append(rbm.sample_hidden(states[-1], seed, p))
        bottom = self.rbm_layers[0]

        def step(i, carry):
            mean, *states = carry
            states = self._gibbs_sweep(states, clamp, parameters, seed)
            probability = bottom.visible_probabilities(states[1], parameters[0])
            sample = bernoulli(probability, seed)
            states[0] = ops.where(clamp > 0, v, sample)
            mean = mean + running_mean_weight(i, steps) * probability
            return (mean, *states)

        mean, *states = seeded_fori_loop(
            0, steps, step, (ops.zeros_like(v), *states), seed
        )
        result = mean if probabilities else states[0]
        return ops.convert_to_numpy(ops.where(clamp > 0, v, result))

    def _gibbs_sweep(self, states, clamp, parameters, seed):
        """Single-site updates of layers 1..L-1, then the top layer as a block."""
        states = list(states)
        top = self.num_layers
        for m in range(1, top):
            above = self.rbm_layers[m]
            prior = above.visible_field(states[m + 1], parameters[m])
            mask = clamp if m == 1 else ops.ones_like(states[m - 1])
            uniform = keras.random.uniform(ops.shape(states[m]), seed=seed)
            states[m] = _site_updates(
                states[m],
                states[m - 1],
                mask,
                prior,
                parameters[m - 1],
                uniform,
            )
        states[top] = self.rbm_layers[-1].sample_hidden(
            states[top - 1], seed, parameters[-1]
        )
        return states

    # Likelihood -------------------------------------------------------------

    def log_likelihood_bound(
        self, x, log_z=None, num_samples=100, seed=None, recognition=None
    ):
        """Monte Carlo estimate of the variational lower bound on `log P(v)`.

        With the up-pass `q(h | v) = prod_l P(h_l | h_{l-1})` of the lower
        RBMs as the approximate posterior (Hinton, Osindero and Teh, 2006),

        $$\\log P(v) \\ge \\mathbb{E}_q\\left[\\log P(v \\mid h_1) + \\dots
        + \\log P(h_{L-1}) - \\log q(h \\mid v)\\right],$$

        where the directed layers give `log P(h_{l-1} | h_l)` and the top
        RBM gives `log P(h_{L-1}) = -F(h_{L-1}) - log Z`. The expectation is
        averaged over `num_samples` up-pass samples per data point (it is
        exact for a one-layer DBN). With the exact `log Z` it is an unbiased
        estimate of a true lower bound.

        Reference:
            Salakhutdinov and Murray, "On the Quantitative Analysis of Deep
            Belief Networks", ICML (2008).

        Args:
            x: data of shape `(num_samples, num_visible)`.
            log_z: `log Z` of the top RBM (e.g. from
                `kgen.metrics.ais_log_partition`), or `None` for the exact
                value by enumeration (top RBMs with at most 20 units in one
                layer).
            num_samples: int >= 1, posterior samples per data point.
            seed: int for a reproducible estimate, or `None` for the model's
                stream.
            recognition: `None` for the up-pass of the tied weights, or one
                parameter dict per layer below the top (as from
                `RBMLayer.parameters()`) for separate recognition weights,
                e.g. those of `kgen.models.UpDownDBN`.

        Returns:
            NumPy array of shape `(len(x),)`, in nats.
        """
        self.check_pretrained("log_likelihood_bound")
        recognition = recognition or [None] * (self.num_layers - 1)
        x = self.rbm_layers[0].check_data(x)
        num_samples = check_integer(num_samples, "num_samples")
        top = self.rbm_layers[-1]
        log_z = exact_log_partition(top) if log_z is None else log_z
        seed = self._seed_for(seed)
        v = ops.repeat(ops.convert_to_tensor(x), num_samples, axis=0)
        bound = 0.0
        for rbm, parameters in zip(self.rbm_layers[:-1], recognition):
            field = rbm.hidden_field(v, parameters)
            h = bernoulli(ops.sigmoid(field), seed)
            log_q = ops.sum(h * field - ops.softplus(field), axis=-1)
            bound = bound + rbm.hidden_free_energy(h) - rbm.energy(v, h) - log_q
            v = h
        if self.num_classes is None:
            bound = bound - top.free_energy(v) - log_z
        else:  # P(h_{L-1}) sums over the labels
            features = ops.convert_to_numpy(v)
            free_energies = [
                top.free_energy(
                    top.join(features, np.full(len(features), label))
                )
                for label in range(self.num_classes)
            ]
            bound = (
                bound + ops.logsumexp(-ops.stack(free_energies), axis=0) - log_z
            )
        return ops.convert_to_numpy(
            ops.mean(ops.reshape(bound, (len(x), num_samples)), axis=1)
        )

    # Export -----------------------------------------------------------------

    def to_classifier(
        self, num_classes, name=None, dropout=0.0, input_dropout=0.0
    ):
        """A `keras.Model` classifier initialised with the pre-trained weights.

        Its sigmoid `Dense` layers reproduce the DBN's up-pass exactly (the
        Gaussian bottom layer's `1 / sigma^2` scaling is folded into the
        first kernel); a softmax `Dense` output of `num_classes` units,
        randomly initialised, follows. Fine-tune it with `compile` / `fit`.

        Dropout (Srivastava et al., 2014) regularises the fine-tuning, which
        otherwise over-fits a large pre-trained net (the paper fine-tunes
        the 784-500-500-2000 MNIST DBN with dropout): `input_dropout` drops
        input units, `dropout` the units of every hidden layer. Dropout only
        acts in training; in inference the model still reproduces the
        up-pass exactly.

        Reference:
            Srivastava, Hinton, Krizhevsky, Sutskever and Salakhutdinov,
            "Dropout: A Simple Way to Prevent Neural Networks from
            Overfitting", JMLR 15 (2014).

        Args:
            num_classes: int >= 2, number of classes.
            name: optional model name.
            dropout: float in [0, 1), dropout rate after every hidden layer
                (`0`: none).
            input_dropout: float in [0, 1), dropout rate of the inputs
                (`0`: none).

        Returns:
            A `keras.Sequential` model.

        Example:

        ```python
        classifier = dbn.to_classifier(10, dropout=0.5, input_dropout=0.2)
        classifier.compile("sgd", "sparse_categorical_crossentropy")
        ```
        """
        num_classes = check_integer(num_classes, "num_classes", minimum=2)
        model = self._up_pass_model(
            name or f"{self.name}_classifier", dropout, input_dropout
        )
        model.add(
            keras.layers.Dense(num_classes, activation="softmax", name="output")
        )
        return model

    def to_regressor(self, num_outputs=1, activation=None, name=None):
        """A `keras.Model` regressor initialised with the pre-trained weights.

        The regression counterpart of `to_classifier`: the same sigmoid
        `Dense` layers reproducing the up-pass, then a randomly initialised
        `Dense` output of `num_outputs` units with `activation` (linear by
        default). Fine-tune it with a regression loss (e.g. `"mse"`), as in
        Salakhutdinov & Hinton (2007) who fine-tuned DBN features to
        regress face orientation.

        Reference:
            Salakhutdinov and Hinton, "Using Deep Belief Nets to Learn
            Covariance Kernels for Gaussian Processes", NIPS (2007).

        Args:
            num_outputs: int >= 1, number of regression targets.
            activation: activation of the output layer (`None`: linear).
            name: optional model name.

        Returns:
            A `keras.Sequential` model.

        Example:

        ```python
        regressor = dbn.to_regressor(1)
        regressor.compile("adam", "mse")
        regressor.fit(x, targets, epochs=10)
        ```
        """
        num_outputs = check_integer(num_outputs, "num_outputs")
        model = self._up_pass_model(name or f"{self.name}_regressor")
        model.add(
            keras.layers.Dense(
                num_outputs, activation=activation, name="output"
            )
        )
        return model

    def _up_pass_model(self, name, dropout=0.0, input_dropout=0.0):
        """A `keras.Sequential` of sigmoid `Dense` layers holding the up-pass,
        with optional `Dropout` layers on the inputs and hidden units."""
        dropout = _check_dropout(dropout, "dropout")
        input_dropout = _check_dropout(input_dropout, "input_dropout")
        self.check_pretrained("export")
        model = keras.Sequential(name=name)
        model.add(keras.Input((self.num_visible,)))
        if input_dropout:
            model.add(keras.layers.Dropout(input_dropout, name="input_dropout"))
        sizes = [self.num_visible, *self.hidden_units]
        for i, rbm in enumerate(self.rbm_layers):
            parameters = rbm.parameters()
            identity = ops.eye(rbm.num_visible)
            kernel = ops.matmul(
                rbm.visible_statistic(identity, parameters),
                parameters["kernel"],
            )
            kernel = kernel[: sizes[i]]  # label units off
            dense = keras.layers.Dense(
                rbm.num_hidden, activation="sigmoid", name=f"dense_{i}"
            )
            model.add(dense)
            dense.set_weights(
                [
                    ops.convert_to_numpy(kernel),
                    ops.convert_to_numpy(parameters["hidden_bias"]),
                ]
            )
            if dropout:
                model.add(keras.layers.Dropout(dropout, name=f"dropout_{i}"))
        return model

    def get_config(self):
        return {
            **super().get_config(),
            "num_visible": self.num_visible,
            "hidden_units": list(self.hidden_units),
            "visible_type": self.visible_type,
            "pretrain_input": self.pretrain_input,
            "num_classes": self.num_classes,
        }


def _check_dropout(rate, name):
    if (
        isinstance(rate, bool)
        or not isinstance(rate, (int, float, np.integer, np.floating))
        or not 0 <= rate < 1
    ):
        raise ValueError(
            f"`{name}` must be a dropout rate in [0, 1) (0: no dropout). "
            f"Received: {name}={rate!r}."
        )
    return float(rate)


def _site_updates(hidden, children, mask, prior, parameters, uniform):
    """One Gibbs update of each unit of `hidden`, in turn.

    `hidden` has binary children `children` (the layer below, where `mask`
    is 1) with `P(child = 1 | hidden) = sigmoid(b + W hidden)`, and prior
    log-odds `prior` from the layer above. Unit `j` is on with probability
    `sigmoid(prior_j + log P(children | h_j = 1) - log P(children | h_j = 0))`.
    """
    kernel, bias = parameters["kernel"], parameters["visible_bias"]
    field = ops.matmul(hidden, ops.transpose(kernel)) + bias
    eye = ops.eye(ops.shape(hidden)[1], dtype=hidden.dtype)

    def update(j, carry):
        hidden, field = carry
        weights = ops.take(kernel, j, axis=1)
        current = ops.take(hidden, j, axis=1)[:, None]
        off = field - current * weights
        on = off + weights
        log_ratio = ops.sum(
            mask * (children * weights - ops.softplus(on) + ops.softplus(off)),
            axis=-1,
        )
        logit = ops.take(prior, j, axis=1) + log_ratio
        new = ops.cast(
            ops.take(uniform, j, axis=1) < ops.sigmoid(logit), hidden.dtype
        )[:, None]
        hidden = hidden + (new - current) * ops.take(eye, j, axis=0)
        return hidden, off + new * weights

    return ops.fori_loop(0, ops.shape(hidden)[1], update, (hidden, field))[0]
