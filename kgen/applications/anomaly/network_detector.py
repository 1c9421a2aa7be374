"""Base class of the detectors that train a kgen model."""

import keras

from kgen.applications.anomaly.detector import Detector
from kgen.utils.validation import check_integer


class NetworkDetector(Detector):
    """A detector that trains a kgen model with `fit`, then scores with it.

    Holds the training options shared by the model-based detectors. With
    `model=None`, `fit(x)` builds a model for `x`'s sample shape
    (`build_model(x)`, per subclass); a model you pass is used as is. An
    uncompiled model is compiled with `optimizer` (by default Adam with
    `learning_rate`). `fit` then trains it for `epochs` epochs on the
    training data; `epochs=0` keeps an already trained model as it is and
    only scores the data and sets the threshold.

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
    ):
        super().__init__(contamination, score_batch_size)
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

    def _fit(self, x):
        if self.model is None:
            self.model = self.build_model(x)
        if not self.epochs:
            return
        if not self.model.compiled:
            self.model.compile(
                optimizer=self.optimizer or self.default_optimizer()
            )
        self.history_ = self.model.fit(
            x,
            epochs=self.epochs,
            batch_size=self.train_batch_size,
            verbose=self.verbose,
            shuffle=True,
        )
