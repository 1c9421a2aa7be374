"""Anomaly detection by RBM free energy or log-likelihood."""

from keras import ops

from kgen.applications.anomaly.network_detector import NetworkDetector
from kgen.layers.bernoulli_rbm import BernoulliRBM
from kgen.layers.gaussian_bernoulli_rbm import GaussianBernoulliRBM
from kgen.metrics.log_partition import ais_log_partition
from kgen.metrics.log_partition import exact_log_partition
from kgen.models.boltzmann import RBM
from kgen.utils.validation import check_choice
from kgen.utils.validation import check_integer

_SCORES = ("free_energy", "negative_log_likelihood")


class RBMDetector(NetworkDetector):
    """Scores samples by their energy under a restricted Boltzmann machine.

    An RBM trained on normal data gives normal samples a low free energy
    `F(v) = -log sum_h exp(-E(v, h))`; since `p(v) = exp(-F(v)) / Z`, the
    free energy ranks samples exactly as the negative log-likelihood does,
    without the partition function. Scores:

    - `"free_energy"` (default): `F(v)`;
    - `"negative_log_likelihood"`: `F(v) + log Z`, in nats, with `log Z`
      computed once in `fit` (`log_partition_`): exactly by enumeration when
      the smaller layer has at most 20 units
      (`kgen.metrics.exact_log_partition`), else by annealed importance
      sampling (`kgen.metrics.ais_log_partition` with `ais_betas` and
      `ais_runs`). The ranking, hence AUROC, is the free energy's.

    With `model=None`, `fit` builds a `kgen.models.RBM` with `num_hidden`
    hidden units: Bernoulli visible units for data in [0, 1], Gaussian ones
    (`kgen.layers.GaussianBernoulliRBM`; standardise the data) otherwise.

    Reference:
        Fiore et al., "Network Anomaly Detection with the Restricted
        Boltzmann Machine", Neurocomputing 2013.

    Args:
        model: a `kgen.models.RBM`, or `None` to build one.
        score: `"free_energy"` or `"negative_log_likelihood"`.
        num_hidden: int >= 1, hidden units of the built model.
        k: int >= 1, Gibbs steps of the built model's CD-k.
        ais_betas: inverse temperatures of AIS when `log Z` is estimated.
        ais_runs: AIS runs when `log Z` is estimated.
        **kwargs: `kgen.applications.anomaly.NetworkDetector` options.

    Example:

    ```python
    detector = kgen.applications.anomaly.RBMDetector(
        num_hidden=64, epochs=30, learning_rate=1e-2, seed=0
    ).fit(x_normal)
    energies = detector.decision_function(x_test)
    ```
    """

    def __init__(
        self,
        model=None,
        score="free_energy",
        num_hidden=64,
        k=1,
        ais_betas=10000,
        ais_runs=100,
        **kwargs,
    ):
        check_choice(score, "score", _SCORES)
        super().__init__(model, **kwargs)
        self.score = score
        self.num_hidden = check_integer(num_hidden, "num_hidden")
        self.k = check_integer(k, "k")
        self.ais_betas = ais_betas
        self.ais_runs = ais_runs

    def build_model(self, x):
        in_unit_range = x.min() >= 0.0 and x.max() <= 1.0
        unit = BernoulliRBM if in_unit_range else GaussianBernoulliRBM
        return RBM(
            unit(self.num_hidden, seed=self.seed),
            k=self.k,
            monitor_samples=0,
            seed=self.seed,
        )

    def _fit(self, x):
        self.log_partition_ = 0.0  # the free energy ranks trimmed rounds
        super()._fit(x)
        if not self.model.built:
            self.model.build((None, x.shape[-1]))
        if self.score == "negative_log_likelihood":
            self.log_partition_ = self._log_partition(x)

    def _log_partition(self, x):
        try:
            return exact_log_partition(self.model)
        except ValueError:  # too many states to enumerate
            log_z, _ = ais_log_partition(
                self.model, x, self.ais_betas, self.ais_runs, seed=self.seed
            )
            return float(log_z)

    def _score(self, x):
        energy = self.model.layer.free_energy(ops.convert_to_tensor(x))
        return ops.convert_to_numpy(energy) + self.log_partition_
