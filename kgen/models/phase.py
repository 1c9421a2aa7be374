"""One update phase of a `PhasedModel`."""

from kgen.utils.validation import check_integer


class Phase:
    """One update phase of a `kgen.models.PhasedModel`.

    A phase is a loss written once in `keras.ops`, the variables it updates
    (usually a sub-model), and how many times it runs per training step. Its
    optimizer is given to `compile` under the phase's `name`.

    Args:
        name: identifier of the phase, e.g. `"discriminator"`; the phase's
            loss is logged as `f"{name}_loss"`.
        loss_fn: callable `loss_fn(data, training)` taking the batch as `fit`
            yields it and returning a scalar loss, or `(loss, logs)` when the
            phase declares `logs`. It may call any sub-model.
        variables: a `keras.Layer` / `keras.Model` whose trainable variables
            the phase updates, or an explicit list of variables.
        repeats: int >= 1, how many updates the phase makes per step (e.g. 5
            critic updates per generator update).
        logs: names of the extra values `loss_fn` returns, as a dict beside
            the loss, to be logged as running means (e.g. the discriminator's
            mean output).
        after_update: callable `after_update()` run inside the step after
            each of the phase's updates (e.g. WGAN weight clipping, which
            `assign`s the clipped weights), or `None`. It leaves the
            variables' own `constraint`s, which the optimizer applies
            first, in place.

    Example:

    ```python
    Phase("critic", self.critic_loss, self.critic, repeats=5)
    Phase("critic", self.critic_loss_and_logs, self.critic, logs=("d_real",))
    ```
    """

    def __init__(
        self, name, loss_fn, variables, repeats=1, logs=(), after_update=None
    ):
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(
                "`name` must be a Python identifier such as 'generator'. "
                f"Received: name={name!r}."
            )
        if not callable(loss_fn):
            raise ValueError(
                f"`loss_fn` of phase '{name}' must be callable as "
                f"loss_fn(data). Received: {loss_fn!r}."
            )
        self.name = name
        self.loss_fn = loss_fn
        self._variables = variables
        self.repeats = check_integer(repeats, f"repeats of phase '{name}'")
        self.logs = tuple(logs)
        if after_update is not None and not callable(after_update):
            raise ValueError(
                f"`after_update` of phase '{name}' must be callable or None. "
                f"Received: {after_update!r}."
            )
        self.after_update = after_update

    def __call__(self, data, training):
        """Evaluates the loss: returns `(loss, logs)`, `logs` a dict."""
        result = self.loss_fn(data, training=training)
        if not self.logs and not isinstance(result, tuple):
            return result, {}
        if not (
            isinstance(result, tuple)
            and len(result) == 2
            and isinstance(result[1], dict)
        ):
            raise ValueError(
                f"Phase '{self.name}' declares logs {list(self.logs)}, so its "
                "loss function must return `(loss, logs)` with `logs` a dict. "
                f"Received: {type(result).__name__}. Return a dict of the "
                "declared names beside the loss."
            )
        loss, logs = result
        if set(logs) != set(self.logs):
            raise ValueError(
                f"Phase '{self.name}' declares logs {sorted(self.logs)} but its "
                f"loss function returned {sorted(logs)}. Return exactly the "
                "declared names, and declare them with `Phase(..., logs=...)`."
            )
        return loss, logs

    @property
    def variables(self):
        """The trainable variables this phase updates."""
        if hasattr(self._variables, "trainable_variables"):
            return list(self._variables.trainable_variables)
        return list(self._variables)

    def __repr__(self):
        return f"Phase(name={self.name!r}, repeats={self.repeats}, logs={self.logs!r})"
