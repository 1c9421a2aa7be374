"""Base class of the detectors that train a kgen model."""

import keras
import numpy as np
from sklearn.preprocessing import RobustScaler
from sklearn.preprocessing import StandardScaler

from kgen.applications.anomaly.detector import Detector
from kgen.utils.validation import check_integer
from kgen.utils.validation import check_number

PREPROCESSING = ("standard", "robust", "standard_arcsinh", "robust_arcsinh")


class NetworkDetector(Detector):
    """A detector that trains a kgen model with `fit`, then scores with it.

    Holds the training options shared by the model-based detectors. With
    `model=None`, `fit(x)` builds a model for `x`'s sample shape
    (`build_model(x)`, per subclass); a model you pass is used as is. An
    uncompiled model is compiled with `optimizer` (by default Adam with
    `learning_rate`). `fit` then trains it for `epochs` epochs on the
    training data; `epochs=0` keeps an already trained model as it is and
    only scores the data and sets the threshold.

    Training data with anomalies in it (contamination) teaches the model to
    reconstruct or assign a high likelihood to them too, and so to miss
    them. With `trim > 0`, `fit` then trains in rounds, as robust
    autoencoders do (Xia et al., 2015): after the first `epochs`, it scores
    the training data, leaves out the `round(trim * len(x))`
    highest-scoring samples and trains the same model for `epochs` more on
    the rest; `trim_rounds` such rounds. `trimmed_` marks the samples left
    out of the last round; `decision_scores_` and `threshold_` are computed
    on all the training data, as without trimming. Choose `trim` at or a
    little above the expected contamination (0.1 for about 7 %
    anomalies); on clean training data, keep `trim=0`.

    `preprocessing` transforms the inputs, feature by feature, before the
    model sees them, in `fit` and in scoring alike; the transform is fitted
    on the training data (`input_center_`, `input_scale_`):

    - `None` (default): the data as given;
    - `"standard"`: `(x - mean) / std` (scikit-learn's `StandardScaler`);
    - `"robust"`: `(x - median) / (q95 - q5)`, the 5-95 % range of each
      feature (`RobustScaler(quantile_range=(5, 95))`): not inflated by
      heavy tails, and not zero for quasi-discrete features whose
      interquartile range is (a zero range is replaced by 1);
    - `"standard_arcsinh"`, `"robust_arcsinh"`: then `arcsinh`, linear
      near 0 and logarithmic beyond about 1, so that a few huge values in
      heavy-tailed features do not swamp every other deviation in the
      scores (a squared error grows with the square of the value, the
      isolation forest's path length only with its rank).

    Reference:
        Xia et al., "Learning Discriminative Reconstructions for
        Unsupervised Outlier Removal", ICCV 2015.

    Args:
        model: a kgen model of the subclass's kind, or `None` to build one.
        epochs: int >= 0, training epochs in `fit`.
        batch_size: int >= 1, the training batch size (and the scoring batch
            size unless `score_batch_size` is given).
        learning_rate: float, learning rate of the default optimizer.
        optimizer: a `keras.optimizers.Optimizer` (or its name) used when the
            model is not compiled; `None` for Adam with `learning_rate`.
        seed: int or `None`, seed of the built model.
        verbose: verbosity of the model's `fit`.
        contamination: float in (0, 0.5], see `Detector`.
        score_batch_size: int >= 1, samples scored at once (default 1024).
        trim: float in [0, 0.5), the fraction of highest-scoring training
            samples left out of each further round of training; 0 trains
            once on all the data.
        trim_rounds: int >= 1, further rounds of training when `trim > 0`.
        preprocessing: `None` or one of `"standard"`, `"robust"`,
            `"standard_arcsinh"`, `"robust_arcsinh"`: the input transform.
    """

    def __init__(
        self,
        model=None,
        epochs=20,
        batch_size=128,
        learning_rate=1e-3,
        optimizer=None,
        seed=None,
        verbose=0,
        contamination=0.1,
        score_batch_size=1024,
        trim=0.0,
        trim_rounds=1,
        preprocessing=None,
    ):
        if preprocessing is not None and preprocessing not in PREPROCESSING:
            raise ValueError(
                f"`preprocessing` must be None or one of {PREPROCESSING}. "
                f"Received: preprocessing={preprocessing!r}."
            )
        super().__init__(contamination, score_batch_size)
        self.preprocessing = preprocessing
        self.trim = check_number(
            trim,
            "trim",
            low=0,
            high=0.5,
            high_open=True,
            hint="It is the fraction of training samples left out of "
            "further training rounds (0 for none).",
        )
        self.trim_rounds = check_integer(trim_rounds, "trim_rounds")
        self.model = model
        self.epochs = check_integer(epochs, "epochs", minimum=0)
        self.train_batch_size = check_integer(batch_size, "batch_size")
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.seed = seed
        self.verbose = verbose

    def build_model(self, x):
        """Builds the default model for the training data `x`."""
        raise NotImplementedError(
            f"{type(self).__name__} builds no default model: pass `model=`."
        )

    def default_optimizer(self):
        """The optimizer given to an uncompiled model."""
        return keras.optimizers.Adam(self.learning_rate)

    def _fit_preprocessing(self, x):
        if self.preprocessing is None:
            return x
        flat = x.reshape(len(x), -1)
        if self.preprocessing.startswith("robust"):
            scaler = RobustScaler(quantile_range=(5, 95)).fit(flat)
            center = scaler.center_
        else:
            scaler = StandardScaler().fit(flat)
            center = scaler.mean_
        shape = x.shape[1:]
        self.input_center_ = center.reshape(shape).astype(x.dtype)
        self.input_scale_ = scaler.scale_.reshape(shape).astype(x.dtype)
        return self._scale(x)

    def _preprocess(self, x):
        return self._scale(x)

    def _scale(self, x):
        """Applies the fitted `preprocessing` (subclasses may add to
        `_preprocess`)."""
        if getattr(self, "preprocessing", None) is None:
            return x
        z = (x - self.input_center_) / self.input_scale_
        if self.preprocessing.endswith("arcsinh"):
            z = np.arcsinh(z)
        return z.astype(x.dtype)

    def _fit(self, x):
        if self.model is None:
            self.model = self.build_model(x)
        if not self.epochs:
            return
        if not self.model.compiled:
            self.model.compile(
                optimizer=self.optimizer or self.default_optimizer()
            )
        self._train(x)
        self.trimmed_ = np.zeros(len(x), bool)
        for _ in range(self.trim_rounds if self.trim else 0):
            self.trimmed_ = _highest(self._scores(x), round(self.trim * len(x)))
            self._train(x[~self.trimmed_])

    def _train(self, x):
        self.history_ = self.model.fit(
            x,
            epochs=self.epochs,
            batch_size=self.train_batch_size,
            verbose=self.verbose,
            shuffle=True,
        )


def _highest(scores, count):
    """A mask of the `count` highest scores (ties broken by position)."""
    mask = np.zeros(len(scores), bool)
    mask[np.argsort(scores, kind="stable")[len(scores) - count :]] = True
    return mask
