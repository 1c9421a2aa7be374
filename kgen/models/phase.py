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
        loss_fn: callable `loss_fn(data) -> scalar` taking the training batch
            as `fit` yields it. It may call any sub-model.
        variables: a `keras.Layer` / `keras.Model` whose trainable variables
            the phase updates, or an explicit list of variables.
        repeats: int >= 1, how many updates the phase makes per step (e.g. 5
            critic updates per generator update).

    Example:

    ```python
    Phase("critic", self.critic_loss, self.critic, repeats=5)
    ```
    """

    def __init__(self, name, loss_fn, variables, repeats=1):
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

    @property
    def variables(self):
        """The trainable variables this phase updates."""
        if hasattr(self._variables, "trainable_variables"):
            return list(self._variables.trainable_variables)
        return list(self._variables)

    def __repr__(self):
        return f"Phase(name={self.name!r}, repeats={self.repeats})"
