"""Anomaly detection by a VAE's negative ELBO or log-likelihood bound."""

from kgen.applications.anomaly.network_detector import NetworkDetector
from kgen.models.vae import VAE
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer

_SCORES = ("negative_elbo", "negative_log_likelihood")


class VAEDetector(NetworkDetector):
    """Scores samples by their improbability under a variational autoencoder.

    A VAE trained on normal data assigns anomalies a low likelihood. Scores,
    in nats per sample:

    - `"negative_elbo"` (default): `VAE.negative_elbo(x, num_samples)`,
      `-E_q[log p(x | z)] + KL(q(z | x) || p(z))`, the reconstruction term
      averaged over `num_samples` draws of `z ~ q(z | x)` and the KL term
      in closed form (An and Cho, 2015, use the reconstruction
      probability, the first term);
    - `"negative_log_likelihood"`: minus the importance-weighted bound
      `VAE.log_likelihood(x, num_samples=...)` (Burda et al., 2016), which
      tends to `-log p(x)` as `num_samples` grows.

    Both are Monte Carlo estimates drawn with `score_seed`, so the same
    samples get the same scores batch after batch. With `model=None`,
    `fit` builds `kgen.models.VAE.dense(...)`, with a Bernoulli likelihood
    for data in [0, 1] and a unit-variance Gaussian one otherwise.

    Reference:
        An and Cho, "Variational Autoencoder based Anomaly Detection using
        Reconstruction Probability", SNU Data Mining Center, 2015.

    Args:
        model: a `kgen.models.VAE`, or `None` to build one.
        score: `"negative_elbo"` or `"negative_log_likelihood"`.
        num_samples: int >= 1, posterior samples per score.
        score_seed: int, seed of the scores' posterior samples.
        latent_dim: int >= 1, latent size of the built model.
        hidden_units: hidden widths of the built model's encoder.
        **kwargs: `kgen.applications.anomaly.NetworkDetector` options.

    Example:

    ```python
    detector = kgen.applications.anomaly.VAEDetector(
        score="negative_log_likelihood", num_samples=100, epochs=50, seed=0
    ).fit(x_normal)
    nll = detector.decision_function(x_test)  # nats
    ```
    """

    def __init__(
        self,
        model=None,
        score="negative_elbo",
        num_samples=10,
        score_seed=0,
        latent_dim=16,
        hidden_units=(256, 128),
        **kwargs,
    ):
        check_choice(score, "score", _SCORES)
        super().__init__(model, **kwargs)
        self.score = score
        self.num_samples = check_integer(num_samples, "num_samples")
        self.score_seed = check_integer(score_seed, "score_seed", minimum=0)
        self.latent_dim = latent_dim
        self.hidden_units = tuple(hidden_units)

    def build_model(self, x):
        in_unit_range = x.min() >= 0.0 and x.max() <= 1.0
        return VAE.dense(
            x.shape[1:],
            self.latent_dim,
            self.hidden_units,
            likelihood="bernoulli" if in_unit_range else "gaussian",
            seed=self.seed,
        )

    def _score(self, x):
        if self.score == "negative_log_likelihood":
            return -self.model.log_likelihood(
                x, num_samples=self.num_samples, seed=self.score_seed
            )
        return self.model.negative_elbo(
            x, num_samples=self.num_samples, seed=self.score_seed
        )
