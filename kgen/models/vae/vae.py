"""The variational autoencoder model."""

import math

import keras
import numpy as np
from keras import ops

from kgen.layers.gaussian_sampling import GaussianSampling
from kgen.losses.kl_divergence import gaussian_kl_divergence
from kgen.losses.log_likelihood import bernoulli_log_likelihood
from kgen.losses.log_likelihood import gaussian_log_likelihood
from kgen.models.autoencoder.encoder_decoder import EncoderDecoder
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number

_LIKELIHOODS = ("bernoulli", "gaussian")


@keras.saving.register_keras_serializable(package="kgen")
class VAE(EncoderDecoder):
    """A variational autoencoder, trained by `fit` on the negative ELBO.

    The encoder outputs the mean and log variance of a diagonal Gaussian
    posterior `q(z | x)`; a `kgen.layers.GaussianSampling` layer draws
    `z = mean + exp(log_var / 2) * epsilon` (the reparameterisation trick);
    the decoder gives the parameters of `p(x | z)`. Each step minimises

    `reconstruction_loss + beta * kl_loss`, with
    `reconstruction_loss = -log p(x | z)` (one sample of `z`) and
    `kl_loss = KL(q(z | x) || N(0, I))` in closed form,

    per sample, in nats. The reconstruction term makes codes informative;
    the KL term keeps the posteriors close to the prior, so that decoding
    `z ~ N(0, I)` gives plausible samples. `fit` logs `loss` (the
    objective), `reconstruction_loss`, `kl_loss` and `negative_elbo`
    (`reconstruction_loss + kl_loss`, whatever `beta`). `beta` is held in a
    non-trainable variable, `kl_weight`, which `kgen.callbacks.KLAnnealing`
    can ramp up during training.

    With `importance_samples=k > 1` the model is an importance weighted
    autoencoder (IWAE): each step draws `k` codes per input and minimises
    `-log (1/k) sum_i w_i`, with log weights
    `log p(x | z_i) + beta * (log p(z_i) - log q(z_i | x))`, a tighter bound
    on `-log p(x)` than the ELBO (equal to it in expectation at `k = 1`). It
    costs `k` decoder passes per input; `reconstruction_loss` is then the
    mean over the `k` codes, and `negative_elbo` stays the ELBO.

    Likelihoods: `"bernoulli"` (decoder outputs logits; data in [0, 1]) or
    `"gaussian"` (decoder outputs means) with a fixed `variance`, or
    `variance="learned"` for one trainable log variance per feature.

    Reference:
        Kingma and Welling, "Auto-Encoding Variational Bayes", ICLR 2014.
        Burda, Grosse and Salakhutdinov, "Importance Weighted Autoencoders",
        ICLR 2016 (`log_likelihood`, `importance_samples`). Higgins et al., "beta-VAE", ICLR 2017.

    Args:
        encoder: `keras.Model` mapping `(batch, *feature_shape)` to
            `(batch, 2 * latent_dim)`: the means, then the log variances.
        decoder: `keras.Model` mapping `(batch, latent_dim)` to
            `(batch, *feature_shape)`, with a linear output.
        likelihood: `"bernoulli"` or `"gaussian"`.
        variance: for `"gaussian"`, a float > 0 or `"learned"`.
        beta: float >= 0, weight of the KL term.
        importance_samples: int >= 1, the number `k` of codes drawn per
            input in training: `1` trains on the ELBO, more on the IWAE
            bound with `k` samples.
        seed: int or `None`, seed of the model's random stream.
        **kwargs: passed to `keras.Model` (e.g. `name`).

    Example:

    ```python
    (x_train, _), (x_test, _) = kgen.datasets.load_digits("binary")
    vae = kgen.models.VAE.dense((64,), latent_dim=8, hidden_units=(256, 128), seed=0)
    vae.compile(optimizer=keras.optimizers.Adam(1e-3))
    vae.fit(x_train, epochs=200, batch_size=64, verbose=0)
    samples = vae.generate(16, seed=0)                   # (16, 64)
    bound = vae.log_likelihood(x_test, num_samples=500)  # (450,), nats
    ```
    """

    code_factor = 2
    likelihood_methods = {"iwae": "_iwae_log_likelihood", "elbo": "_elbo"}

    def __init__(
        self,
        encoder,
        decoder,
        likelihood="bernoulli",
        variance=1.0,
        beta=1.0,
        importance_samples=1,
        seed=None,
        **kwargs,
    ):
        check_choice(likelihood, "likelihood", _LIKELIHOODS)
        learned = variance == "learned"
        if not learned:
            variance = check_number(
                variance,
                "variance",
                low=0,
                low_open=True,
                hint="Pass variance='learned' to learn it.",
            )
        beta = check_number(beta, "beta", low=0)
        importance_samples = check_integer(
            importance_samples, "importance_samples"
        )
        super().__init__(encoder, decoder, seed=seed, **kwargs)
        self.likelihood = likelihood
        self.variance = variance if learned else float(variance)
        self.beta = float(beta)
        self.importance_samples = importance_samples
        # The sampling layer's stream is distinct from the model's own.
        sampling_seed = None if seed is None else seed + 1
        self.sampling = GaussianSampling(seed=sampling_seed, name="sampling")
        self.kl_weight = self.add_weight(
            shape=(),
            initializer=keras.initializers.Constant(self.beta),
            trainable=False,
            name="kl_weight",
        )
        self.output_log_var = None
        if learned:
            self.output_log_var = self.add_weight(
                shape=self.feature_shape,
                initializer="zeros",
                name="output_log_var",
            )
        for name in ("reconstruction_loss", "kl_loss", "negative_elbo"):
            self.add_tracker(name)

    @property
    def _bernoulli(self):
        return self.likelihood == "bernoulli"

    def _posterior(self, x, condition=None, training=False):
        """The posterior `(mean, log_var)` of `x`."""
        output = self._encoder_output(x, condition, training)
        return output[..., : self.latent_dim], output[..., self.latent_dim :]

    def _log_likelihood(self, x, raw):
        """`log p(x | z)` per sample, from the decoder's raw output."""
        x = ops.cast(x, raw.dtype)
        if self._bernoulli:
            return bernoulli_log_likelihood(x, raw)
        log_var = self.output_log_var
        if log_var is None:
            log_var = math.log(self.variance)
        return gaussian_log_likelihood(x, raw, log_var)

    def _loss_terms(self, x, y, training):
        x, condition = self._split_inputs(x)
        k = self.importance_samples
        mean, log_var, z, log_p = self._posterior_samples(
            x, condition, k, None, training
        )
        reconstruction = -_mean_over_samples(log_p, k)
        kl = gaussian_kl_divergence(mean, log_var)
        beta = ops.cast(self.kl_weight, kl.dtype)
        if k == 1:
            loss = reconstruction + beta * kl
        else:
            loss = -self._importance_bound(mean, log_var, z, log_p, k, beta)
        return {
            "loss": loss,
            "reconstruction_loss": reconstruction,
            "kl_loss": kl,
            "negative_elbo": reconstruction + kl,
        }

    def fit(self, x=None, y=None, **kwargs):
        return super().fit(self._with_labels(x, y), **kwargs)

    def evaluate(self, x=None, y=None, **kwargs):
        return super().evaluate(self._with_labels(x, y), **kwargs)

    def _with_labels(self, x, y):
        """The model's inputs given `fit`'s `x` and `y` (labels, if any)."""
        if y is not None:
            raise ValueError(
                f"{type(self).__name__} learns from `x` alone. Received `y` too; "
                "call `fit(x)`, or use `kgen.models.ConditionalVAE` for labels."
            )
        return x

    # ------------------------------------------------------------ public API

    def encode(self, x, labels=None, sample=False, seed=None):
        """Returns posterior means of `x`, or samples from the posteriors.

        Args:
            x: array of samples, shape `(batch, *feature_shape)`.
            labels: class labels, for a `ConditionalVAE` only.
            sample: `False` for the means, `True` for one reparameterised
                sample per input.
            seed: with `sample=True`, an int for a reproducible draw, or
                `None` to advance the model's own random stream.

        Returns:
            NumPy array of shape `(batch, latent_dim)`.
        """
        if not sample:
            return super().encode(x, labels)
        x = self._checked(x)
        mean, log_var = self._posterior(x, self._condition(labels, len(x)))
        return ops.convert_to_numpy(
            self.sampling([mean, log_var], seed=self._seed_for(seed))
        )

    def sample(self, num_samples, seed, labels=None):
        """Decodes `z ~ N(0, I)`: the means of `p(x | z)` (see `generate`).

        Args:
            num_samples: int >= 1.
            seed: int or `keras.random.SeedGenerator`.
            labels: class labels, for a `ConditionalVAE` only.

        Returns:
            Tensor of shape `(num_samples, *feature_shape)`.
        """
        z = keras.random.normal((num_samples, self.latent_dim), seed=seed)
        raw = self._decoder_output(z, self._condition(labels, num_samples))
        return self._output_mean(raw)

    def _iwae_log_likelihood(
        self, x, labels=None, num_samples=500, batch_size=None, seed=0
    ):
        """Importance-weighted lower bound on `log p(x)`, per sample (IWAE).

        Reached as `log_likelihood(x, method="iwae", ...)` (the default).

        `log (1/k) sum_i p(x, z_i) / q(z_i | x)` with `z_1..z_k ~ q(z | x)`:
        its expectation is the ELBO at `k = 1`, grows with `k` and tends to
        `log p(x)`. All `k` samples of a batch go through the decoder at once.

        Reference:
            Burda, Grosse and Salakhutdinov, "Importance Weighted
            Autoencoders", ICLR 2016.

        Args:
            x: array of samples, shape `(n, *feature_shape)`.
            labels: class labels, for a `ConditionalVAE` only (the bound is
                then on `log p(x | label)`).
            num_samples: int >= 1, the number `k` of importance samples.
            batch_size: inputs per decoder pass (default: about 50,000
                samples in all, `50000 // num_samples`).
            seed: int for a reproducible estimate, or `None` to advance the
                model's own random stream.

        Returns:
            NumPy array of shape `(n,)`, in nats.
        """
        return self._per_batch(
            self._iwae_bound, x, labels, num_samples, batch_size, seed
        )

    def _elbo(self, x, **options):
        """`-negative_elbo(x, ...)`: `log_likelihood(x, method="elbo")`."""
        return -self.negative_elbo(x, **options)

    def negative_elbo(
        self, x, labels=None, num_samples=1, batch_size=None, seed=0
    ):
        """Negative evidence lower bound of each sample, in nats.

        `-E_q[log p(x | z)] + KL(q(z | x) || N(0, I))`: the reconstruction
        term is averaged over `num_samples` draws `z ~ q(z | x)`, the KL
        term is exact (a Gaussian posterior against the standard normal
        prior). It is the per-sample `negative_elbo` that `fit` logs, an
        upper bound on `-log p(x)` (see `log_likelihood` for a tighter one).

        Args:
            x: array of samples, shape `(n, *feature_shape)`.
            labels: class labels, for a `ConditionalVAE` only.
            num_samples: int >= 1, posterior draws per sample.
            batch_size: inputs per decoder pass (default: about 50,000
                samples in all, `50000 // num_samples`).
            seed: int for a reproducible estimate, or `None` to advance the
                model's own random stream.

        Returns:
            NumPy array of shape `(n,)`, in nats.
        """
        return self._per_batch(
            self._negative_elbo, x, labels, num_samples, batch_size, seed
        )

    def _per_batch(self, function, x, labels, num_samples, batch_size, seed):
        """`function(x, condition, k, seed)` over batches, as NumPy."""
        k = check_integer(num_samples, "num_samples")
        x = self._checked(x)
        condition = self._condition(labels, len(x))
        batch_size = batch_size or max(1, 50000 // k)
        seed = self._seed_for(seed)
        values = []
        for start in range(0, len(x), batch_size):
            part = (
                None
                if condition is None
                else condition[start : start + batch_size]
            )
            values.append(
                function(x[start : start + batch_size], part, k, seed)
            )
        return np.concatenate([ops.convert_to_numpy(v) for v in values])

    def _posterior_samples(self, x, condition, k, seed, training=False):
        """`(mean, log_var, z, log p(x | z))`, `k` draws of `z` per input."""
        mean, log_var = self._posterior(x, condition, training)
        mean_k, log_var_k = _tile(mean, k), _tile(log_var, k)
        z = self.sampling([mean_k, log_var_k], seed=seed)
        raw = self._decoder_output(z, _tile(condition, k), training)
        log_p = self._log_likelihood(_tile(ops.convert_to_tensor(x), k), raw)
        return mean, log_var, z, log_p

    def _negative_elbo(self, x, condition, k, seed):
        mean, log_var, _, log_p = self._posterior_samples(x, condition, k, seed)
        reconstruction = -_mean_over_samples(log_p, k)
        return reconstruction + gaussian_kl_divergence(mean, log_var)

    def _iwae_bound(self, x, condition, k, seed):
        samples = self._posterior_samples(x, condition, k, seed)
        return self._importance_bound(*samples, k)

    def _importance_bound(self, mean, log_var, z, log_p, k, beta=1.0):
        """`log (1/k) sum_i w_i` per input, the KL part of `log w` times `beta`."""
        log_prior_ratio = gaussian_log_likelihood(
            z, 0.0
        ) - gaussian_log_likelihood(z, _tile(mean, k), _tile(log_var, k))
        log_weights = ops.reshape(log_p + beta * log_prior_ratio, (k, -1))
        return ops.logsumexp(log_weights, axis=0) - math.log(k)

    def get_config(self):
        return {
            **super().get_config(),
            "likelihood": self.likelihood,
            "variance": self.variance,
            "beta": self.beta,
            "importance_samples": self.importance_samples,
        }


def _mean_over_samples(values, k):
    """The mean over the `k` stacked copies of a batch, per input."""
    return ops.mean(ops.reshape(values, (k, -1)), axis=0)


def _tile(tensor, k):
    """`k` copies of a batch, stacked along the batch axis (`None` stays)."""
    if tensor is None or k == 1:
        return tensor
    return ops.tile(tensor, (k,) + (1,) * (len(ops.shape(tensor)) - 1))
