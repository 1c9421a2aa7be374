"""Anomaly detection by RBM free energy or log-likelihood."""

import numpy as np
from keras import ops

from kgen.applications.anomaly.network_detector import NetworkDetector
from kgen.layers.bernoulli_rbm import BernoulliRBM
from kgen.layers.categorical_rbm import CategoricalRBM
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

    With `num_bins`, every feature (after `preprocessing`) is cut into
    `num_bins` bins of equal width between its training minimum and
    maximum, as scikit-learn's `KBinsDiscretizer(strategy="uniform")` does
    (edges in `bin_edges_`; values outside the training range fall into
    the first or last bin, a constant feature into the first), and the RBM
    models the one-hot bin codes with softmax visible units
    (`kgen.layers.CategoricalRBM`, built with `num_categories=num_bins`).
    A feature then adds at most a bin's energy to the score, however far
    in its tail a value lies, while rare bins and rare combinations of bins
    still score high: heavy-tailed features no longer swamp small
    deviations elsewhere (on Shuttle, `preprocessing="robust_arcsinh"`,
    `num_bins=5`, `trim=0.2`; see the anomaly-detection benchmark).

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
        num_bins: `None`, or int >= 2 to score the features' bins with a
            categorical RBM (see above).
        **kwargs: `kgen.applications.anomaly.NetworkDetector` options.

    Example:

    ```python
    detector = kgen.applications.anomaly.RBMDetector(
        num_hidden=64, epochs=30, learning_rate=1e-2, seed=0
    ).fit(x_normal)
    energies = detector.decision_function(x_test)
    binned = kgen.applications.anomaly.RBMDetector(
        num_bins=5, preprocessing="robust_arcsinh", trim=0.2, epochs=5
    ).fit(x_tabular)
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
        num_bins=None,
        **kwargs,
    ):
        check_choice(score, "score", _SCORES)
        super().__init__(model, **kwargs)
        self.score = score
        self.num_hidden = check_integer(num_hidden, "num_hidden")
        self.k = check_integer(k, "k")
        self.ais_betas = ais_betas
        self.ais_runs = ais_runs
        self.num_bins = None
        if num_bins is not None:
            self.num_bins = check_integer(num_bins, "num_bins", minimum=2)

    def build_model(self, x):
        if self.num_bins is not None:
            unit = CategoricalRBM(
                self.num_hidden, num_categories=self.num_bins, seed=self.seed
            )
            return RBM(unit, k=self.k, monitor_samples=0, seed=self.seed)
        in_unit_range = x.min() >= 0.0 and x.max() <= 1.0
        unit = BernoulliRBM if in_unit_range else GaussianBernoulliRBM
        return RBM(
            unit(self.num_hidden, seed=self.seed),
            k=self.k,
            monitor_samples=0,
            seed=self.seed,
        )

    def _fit_preprocessing(self, x):
        x = super()._fit_preprocessing(x)
        if self.num_bins is None:
            return x
        flat = x.reshape(len(x), -1).astype("float64")
        low, high = flat.min(axis=0), flat.max(axis=0)
        edges = np.linspace(low, high, self.num_bins + 1, axis=1)
        edges[low == high, 1:-1] = np.inf  # a constant feature: one bin
        self.bin_edges_ = edges
        return self._bin(x)

    def _preprocess(self, x):
        x = super()._preprocess(x)
        return x if getattr(self, "num_bins", None) is None else self._bin(x)

    def _bin(self, x):
        """One-hot bin codes of `x`, shape `(len(x), features * num_bins)`."""
        flat = x.reshape(len(x), -1).astype("float64")
        codes = [
            np.searchsorted(edges[1:-1], column, side="right")
            for edges, column in zip(self.bin_edges_, flat.T)
        ]
        one_hot = np.stack(codes, axis=1)[..., None] == np.arange(self.num_bins)
        return one_hot.reshape(len(x), -1).astype("float32")

    def _fit(self, x):
        self.log_partition_ = 0.0  # the free energy ranks trimmed rounds
        if self.num_bins is not None and self.model is not None:
            categories = getattr(self.model.layer, "num_categories", None)
            if categories != self.num_bins:
                raise ValueError(
                    f"With num_bins={self.num_bins}, the RBM must have a "
                    "`kgen.layers.CategoricalRBM` layer with num_categories="
                    f"{self.num_bins}. Received a model whose layer is a "
                    f"{type(self.model.layer).__name__} (num_categories="
                    f"{categories}). Pass `model=None` to build one."
                )
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
