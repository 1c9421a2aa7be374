"""Up-down (contrastive wake-sleep) fine-tuning of a deep belief network."""

import keras
from keras import ops

from kgen.layers.labelled_bernoulli_rbm import LabelledBernoulliRBM
from kgen.models.boltzmann.dbn import DBN
from kgen.models.generative_model import GenerativeModel
from kgen.utils.binary import bernoulli
from kgen.utils.serialization import deserialize_network
from kgen.utils.serialization import serialize_network
from kgen.utils.validation import check_integer


@keras.saving.register_keras_serializable(package="kgen")
class UpDownDBN(GenerativeModel):
    """A pre-trained DBN fine-tuned generatively by the up-down algorithm.

    Greedy pre-training ties each lower layer's recognition weights (the
    up-pass `q(h_l | h_{l-1})`) to its generative weights (the directed
    `P(h_{l-1} | h_l)`). The up-down algorithm of Hinton, Osindero and Teh
    (2006) unties them and improves both, one `fit` step per mini-batch:

    1. **Up (wake)**: sample `h_1, ..., h_{L-1}` from `q` starting at the
       data; each lower layer's generative weights learn to reconstruct the
       layer below by the delta rule, `dG ∝ (h_{l-1} - P(h_{l-1} = 1 | h_l))
       h_l^T`.
    2. **Top**: the top RBM takes a CD-`k` step from the wake state
       `h_{L-1}`.
    3. **Down (sleep)**: from the top RBM's negative sample, an ancestral
       pass through the generative weights; the recognition weights learn to
       infer the layer above from the layer below, `dR ∝ h_{l-1} (h_l -
       q(h_l = 1 | h_{l-1}))^T`.

    All three are the gradients of one surrogate loss (each term touches its
    own variables), so any Keras optimizer applies them. The generative
    weights are the wrapped DBN's own (it is updated in place and its
    `generate` draws from the fine-tuned model); the recognition weights
    belong to this model, start as copies of the tied weights, and define
    the `q` of `log_likelihood_bound` and `transform`. Logged per step:
    `wake_loss` (`-log P(h_{l-1} | h_l)` summed over the directed layers),
    `top_free_energy_gap` (the top RBM's CD loss) and `sleep_loss`
    (`-log q(h | h_below)` of the sleep samples).

    Reference:
        Hinton, Osindero and Teh, "A Fast Learning Algorithm for Deep Belief
        Nets", Neural Computation 18 (2006), section 5 and appendix B.

    Args:
        dbn: a pre-trained `kgen.models.DBN` without label units, with at
            least 2 layers; the recognition weights start as copies of its
            tied weights at construction.
        k: int >= 1, Gibbs steps of the top RBM's CD.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    import keras
    from kgen.datasets import load_digits
    from kgen.models import DBN
    from kgen.models import UpDownDBN

    (x, _), (x_test, _) = load_digits("binary")
    dbn = DBN(64, [64, 16], seed=0)
    dbn.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.5))
    dbn.fit(x, epochs=[10, 10], batch_size=32, verbose=0)
    before = dbn.log_likelihood(x_test, method="bound", seed=0).mean()
    tuned = UpDownDBN(dbn, k=10, seed=0)
    tuned.compile(optimizer=keras.optimizers.SGD(0.01))
    tuned.fit(x, epochs=10, batch_size=32, verbose=0)
    after = tuned.log_likelihood(x_test, method="bound", seed=0).mean()
    ```
    """

    likelihood_methods = {"bound": "log_likelihood_bound"}

    def __init__(self, dbn, k=1, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if isinstance(dbn, DBN):  # a reloaded model's DBN is trained later
            dbn.check_pretrained("UpDownDBN")
        self.dbn = _check_dbn(deserialize_network(dbn, "dbn"))
        self.k = check_integer(k, "k")
        self.recognition_kernels, self.recognition_biases = [], []
        for i, rbm in enumerate(self.dbn.rbm_layers[:-1]):
            self.recognition_kernels.append(
                self._copy(rbm.kernel, f"recognition_kernel_{i}")
            )
            self.recognition_biases.append(
                self._copy(rbm.hidden_bias, f"recognition_bias_{i}")
            )
        self.built = True

    def _copy(self, variable, name):
        weight = self.add_weight(
            shape=variable.shape, initializer="zeros", name=name
        )
        weight.assign(ops.convert_to_numpy(variable))  # a buffer of its own
        return weight

    def recognition_parameters(self):
        """One parameter dict per lower layer, with the recognition weights.

        Returns:
            A list of dicts as `RBMLayer.parameters()` returns them, whose
            `"kernel"` and `"hidden_bias"` are the recognition weights.
        """
        return [
            {
                **{
                    k: ops.stop_gradient(w) for k, w in rbm.parameters().items()
                },
                "kernel": kernel.value,
                "hidden_bias": bias.value,
            }
            for rbm, kernel, bias in zip(
                self.dbn.rbm_layers,
                self.recognition_kernels,
                self.recognition_biases,
            )
        ]

    # Training ---------------------------------------------------------------

    def compute_loss(
        self, x=None, y=None, y_pred=None, sample_weight=None, training=True
    ):
        x = ops.convert_to_tensor(x, dtype=self.compute_dtype)
        wake = self._up(x)
        top = self.dbn.rbm_layers[-1]
        negative = top.gibbs(wake[-1], self.k, seed=self.seed_generator)
        sleep = self._down(negative)
        wake_loss = self.generative_loss(wake)
        top_gap = ops.mean(top.free_energy(wake[-1])) - ops.mean(
            top.free_energy(negative)
        )
        sleep_loss = self.recognition_loss(sleep)
        self.add_tracker("wake_loss").update_state(wake_loss)
        self.add_tracker("top_free_energy_gap").update_state(top_gap)
        self.add_tracker("sleep_loss").update_state(sleep_loss)
        return wake_loss + top_gap + sleep_loss

    def _up(self, x):
        """Samples `[v, h_1, ..., h_{L-1}]` of the recognition pass."""
        states = [x]
        for rbm, p in zip(self.dbn.rbm_layers, self.recognition_parameters()):
            field = ops.stop_gradient(rbm.hidden_field(states[-1], p))
            states.append(bernoulli(ops.sigmoid(field), self.seed_generator))
        return states

    def _down(self, top_visible):
        """Samples `[v, h_1, ..., h_{L-1}]` of the generative pass."""
        states = [ops.stop_gradient(top_visible)]
        for rbm in reversed(self.dbn.rbm_layers[:-1]):
            p = {k: ops.stop_gradient(w) for k, w in rbm.parameters().items()}
            states.insert(
                0, rbm.sample_visible(states[0], self.seed_generator, p)
            )
        return states

    def generative_loss(self, states):
        """`-sum_l mean log P(h_{l-1} | h_l)` over the directed layers.

        Its gradient with respect to the generative weights is the wake
        phase's delta rule for the given (fixed) states.

        Args:
            states: `[v, h_1, ..., h_{L-1}]`, arrays or tensors.

        Returns:
            A scalar tensor.
        """
        states = self._tensors(states)
        loss = 0.0
        for rbm, below, above in zip(
            self.dbn.rbm_layers[:-1], states[:-1], states[1:]
        ):
            log_p = rbm.hidden_free_energy(above) - rbm.energy(below, above)
            loss = loss - ops.mean(log_p)
        return loss

    def recognition_loss(self, states):
        """`-sum_l mean log q(h_l | h_{l-1})` of the recognition weights.

        Its gradient with respect to the recognition weights is the sleep
        phase's delta rule for the given (fixed) states.

        Args:
            states: `[v, h_1, ..., h_{L-1}]`, arrays or tensors.

        Returns:
            A scalar tensor.
        """
        states = self._tensors(states)
        loss = 0.0
        for rbm, p, below, above in zip(
            self.dbn.rbm_layers,
            self.recognition_parameters(),
            states[:-1],
            states[1:],
        ):
            field = rbm.hidden_field(below, p)
            log_q = above * field - ops.softplus(field)
            loss = loss - ops.mean(ops.sum(log_q, axis=-1))
        return loss

    def _tensors(self, states):
        return [ops.convert_to_tensor(s, self.compute_dtype) for s in states]

    def check_inputs(self, x):
        self.dbn.check_inputs(x)

    # Inference and generation -----------------------------------------------

    def call(self, inputs):
        """Probabilities `q(h_{L-1} = 1 | v)` of the recognition up-pass."""
        return self.transform(inputs, as_tensor=True)

    def transform(self, x, as_tensor=False):
        """Features of `x`: `q(h_{L-1} = 1 | v)` by the recognition weights.

        The mean-field up-pass, layer by layer, as `DBN.transform` but with
        the fine-tuned recognition weights.

        Args:
            x: data of shape `(num_samples, num_visible)`.
            as_tensor: return a backend tensor instead of a NumPy array.

        Returns:
            Array of shape `(num_samples, hidden_units[-2])`.
        """
        h = ops.convert_to_tensor(x, dtype=self.compute_dtype)
        for rbm, p in zip(self.dbn.rbm_layers, self.recognition_parameters()):
            h = rbm.hidden_probabilities(h, p)
        return h if as_tensor else ops.convert_to_numpy(h)

    def log_likelihood_bound(self, x, log_z=None, num_samples=100, seed=None):
        """The DBN's variational bound on `log P(v)` with the recognition `q`.

        See `DBN.log_likelihood_bound`; here `q` is the fine-tuned
        recognition up-pass.

        Returns:
            NumPy array of shape `(len(x),)`, in nats.
        """
        return self.dbn.log_likelihood_bound(
            x,
            log_z=log_z,
            num_samples=num_samples,
            seed=seed,
            recognition=self.recognition_parameters(),
        )

    def sample(self, num_samples, seed, **kwargs):
        """Samples from the fine-tuned generative model (`DBN.sample`)."""
        return self.dbn.sample(num_samples, seed, **kwargs)

    def get_config(self):
        return {
            **super().get_config(),
            "dbn": serialize_network(self.dbn),
            "k": self.k,
        }


def _check_dbn(dbn):
    if not isinstance(dbn, DBN):
        raise ValueError(
            f"`dbn` must be a `kgen.models.DBN`. Received {type(dbn).__name__}."
        )
    if dbn.num_layers < 2 or isinstance(
        dbn.rbm_layers[-1], LabelledBernoulliRBM
    ):
        raise ValueError(
            "Up-down fine-tuning needs a DBN of at least 2 layers without "
            f"label units. Received hidden_units={dbn.hidden_units}, "
            f"num_classes={dbn.num_classes}."
        )
    return dbn
