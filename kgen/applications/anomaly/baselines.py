"""Classical anomaly-detection baselines from scikit-learn, scored alike."""

import numpy as np
from scipy.special import logsumexp
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import NearestNeighbors
from sklearn.svm import OneClassSVM

BASELINES = ("isolation_forest", "one_class_svm", "pca", "kde", "knn")


def baseline_scores(x_train, x_test, methods=BASELINES, seed=0, max_fit=10000):
    """Anomaly scores of `x_test` from scikit-learn baselines fitted on `x_train`.

    Every score is higher for more anomalous samples:

    - `"isolation_forest"`: minus `IsolationForest(random_state=seed)
      .score_samples` (Liu et al., 2008), default settings;
    - `"one_class_svm"`: minus `OneClassSVM(nu=0.1, gamma="scale")
      .score_samples` (Schölkopf et al., 2001);
    - `"pca"`: squared reconstruction error with the principal components
      that explain 80 % of the training variance;
    - `"kde"`: minus the log-density of a Gaussian `KernelDensity`, its
      bandwidth chosen among `median pairwise distance * 2^-4 ... 2^0` by
      the log-likelihood of a held-out fifth of the training data;
    - `"knn"`: distance to the 5th nearest training sample (PyOD's kNN
      detector, `method="largest"`).

    The kernel methods (one-class SVM, KDE) fit on a random subset of at
    most `max_fit` training samples, since their cost grows with the square
    of the training size.

    Args:
        x_train: array `(n, num_features)`, the training data.
        x_test: array `(m, num_features)` to score.
        methods: names of the baselines to run.
        seed: int, seed of the random choices.
        max_fit: int, training samples of the kernel methods.

    Returns:
        Dict mapping each method to a NumPy array of shape `(m,)`.

    Example:

    ```python
    scores = kgen.applications.anomaly.baseline_scores(x_train, x_test)
    metrics = kgen.applications.anomaly.evaluate_scores(y_test, scores["pca"])
    ```
    """
    unknown = sorted(set(methods) - set(BASELINES))
    if unknown:
        raise ValueError(
            f"Unknown baselines {unknown}. Choose among {BASELINES}."
        )
    x_train = np.asarray(x_train, "float64").reshape(len(x_train), -1)
    x_test = np.asarray(x_test, "float64").reshape(len(x_test), -1)
    rng = np.random.default_rng(seed)
    subset = x_train[rng.permutation(len(x_train))[:max_fit]]
    return {
        method: _SCORERS[method](x_train, subset, x_test, seed)
        for method in methods
    }


def evaluate_scores(labels, scores):
    """ROC-AUC and average precision of anomaly scores (anomalies = 1).

    Args:
        labels: array of 0 (normal) and 1 (anomalous).
        scores: array of scores, higher = more anomalous.

    Returns:
        Dict with `"roc_auc"` and `"average_precision"`.
    """
    return {
        "roc_auc": float(roc_auc_score(labels, scores)),
        "average_precision": float(average_precision_score(labels, scores)),
    }


def _isolation_forest(x_train, subset, x_test, seed):
    forest = IsolationForest(random_state=seed).fit(x_train)
    return -forest.score_samples(x_test)


def _one_class_svm(x_train, subset, x_test, seed):
    return -OneClassSVM(nu=0.1, gamma="scale").fit(subset).score_samples(x_test)


def _pca(x_train, subset, x_test, seed):
    pca = PCA(n_components=0.8, random_state=seed).fit(x_train)
    rebuilt = pca.inverse_transform(pca.transform(x_test))
    return np.square(x_test - rebuilt).sum(axis=1)


def _kde(x_train, subset, x_test, seed):
    fit, held_out = train_test_split(subset, test_size=0.2, random_state=seed)
    pairs = subset[: min(len(subset), 1000)]
    distances = np.sqrt(_squared_distances(pairs, pairs))
    median = np.median(distances[np.triu_indices(len(pairs), 1)])
    bandwidths = median * 2.0 ** np.arange(-4, 1)
    best = max(
        bandwidths,
        key=lambda h: _gaussian_kde_log_density(fit, held_out, h).mean(),
    )
    return -_gaussian_kde_log_density(subset, x_test, best)


def _gaussian_kde_log_density(x_train, x, bandwidth, chunk_size=1000):
    """Log-density of `x` under a Gaussian KDE on `x_train`, by BLAS.

    Equals `sklearn.neighbors.KernelDensity(bandwidth=bandwidth)
    .fit(x_train).score_samples(x)`, computed from squared distances by
    matrix products (much faster in high dimension than the tree search).
    """
    dimension = x_train.shape[1]
    normalizer = np.log(len(x_train)) + 0.5 * dimension * np.log(
        2 * np.pi * bandwidth**2
    )
    parts = [
        logsumexp(
            -_squared_distances(x[i : i + chunk_size], x_train)
            / (2 * bandwidth**2),
            axis=1,
        )
        for i in range(0, len(x), chunk_size)
    ]
    return np.concatenate(parts) - normalizer


def _squared_distances(a, b):
    return np.maximum(
        np.square(a).sum(1)[:, None] + np.square(b).sum(1)[None] - 2 * a @ b.T,
        0.0,
    )


def _knn(x_train, subset, x_test, seed):
    neighbours = NearestNeighbors(n_neighbors=5).fit(x_train)
    return neighbours.kneighbors(x_test)[0][:, -1]


_SCORERS = {
    "isolation_forest": _isolation_forest,
    "one_class_svm": _one_class_svm,
    "pca": _pca,
    "kde": _kde,
    "knn": _knn,
}
