"""Running means of several named values, kept in one pair of variables."""

import keras
import numpy as np
from keras import ops


@keras.saving.register_keras_serializable(package="kgen")
class RunningMeans(keras.metrics.Metric):
    """Running means of several named scalars, updated in one operation.

    Like one `keras.metrics.Mean` per name, but all names share one vector of
    totals and one of counts, so a training step that logs many values
    (losses, gradient norms, discriminator outputs) makes two variable updates
    instead of two per name. `result()` returns a dict, which `fit` and
    `evaluate` report as one log per name.

    Args:
        names: the names of the means, in the order they are reported.
        name: name of the metric.
        dtype: dtype of the totals and counts.

    Example:

    ```python
    means = kgen.metrics.RunningMeans(["loss", "grad_norm"])
    means.update_state({"loss": [0.5, 0.7], "grad_norm": 2.0})
    means.result()  # {"loss": 0.6, "grad_norm": 2.0}
    ```
    """

    def __init__(self, names, name="running_means", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.names = tuple(names)
        if not self.names or len(set(self.names)) != len(self.names):
            raise ValueError(
                f"`names` must be non-empty and unique. Received: names={list(names)}."
            )
        self.totals = self.add_variable(
            shape=(len(self.names),),
            initializer="zeros",
            dtype=self.dtype,
            name="totals",
        )
        self.counts = self.add_variable(
            shape=(len(self.names),),
            initializer="zeros",
            dtype=self.dtype,
            name="counts",
        )

    def update_state(self, values):
        """Adds observations.

        Args:
            values: dict mapping some of `names` to one observation or a list
                of observations; each observation is a scalar, or a tensor
                whose mean is observed.
        """
        unknown = sorted(set(values) - set(self.names))
        if unknown:
            raise ValueError(
                f"Received values for {unknown}, which are not among this "
                f"metric's names {list(self.names)}. Declare every logged "
                "name when the metric is created."
            )
        totals, counts = [], []
        for name in self.names:
            observations = values.get(name, ())
            if not isinstance(observations, (list, tuple)):
                observations = (observations,)
            observed = [self._scalar(value) for value in observations]
            totals.append(
                sum(observed[1:], observed[0])
                if observed
                else ops.zeros((), self.dtype)
            )
            counts.append(len(observations))
        self.totals.assign_add(ops.stack(totals))
        self.counts.assign_add(
            ops.convert_to_tensor(np.asarray(counts, self.dtype), self.dtype)
        )

    def _scalar(self, value):
        if not ops.is_tensor(value):
            value = ops.convert_to_tensor(value, self.dtype)
        if len(value.shape):
            value = ops.mean(value)
        if keras.backend.standardize_dtype(value.dtype) != self.dtype:
            value = ops.cast(value, self.dtype)
        return value

    def result(self):
        """A dict mapping each name to its mean (0 before any observation)."""
        # Counts are whole numbers: an unobserved mean is 0 / 1.
        means = ops.unstack(self.totals / ops.maximum(self.counts, 1.0))
        return dict(zip(self.names, means))

    def reset_state(self):
        for variable in (self.totals, self.counts):
            variable.assign(ops.zeros(variable.shape, self.dtype))

    def get_config(self):
        return {**super().get_config(), "names": list(self.names)}
