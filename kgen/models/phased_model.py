"""Base class of models trained by several optimizers in alternation."""

import functools

import keras

from kgen import backend
from kgen.metrics.running_means import RunningMeans
from kgen.models.generative_model import GenerativeModel
from kgen.utils.keras_internals import portable_compile_config


@keras.saving.register_keras_serializable(package="kgen")
class PhasedModel(backend.PhasedTrainer, GenerativeModel):
    """A model whose training step runs several update phases in turn.

    Each phase (a `kgen.models.Phase`) has its own loss written once in
    `keras.ops`, its own variables, its own optimizer and a repeat count. A
    training step runs the phases in the order `build_phases` returns them;
    phase `p` makes `p.repeats` updates on the batch before the next phase
    starts. This is the shape of adversarial training (discriminator steps,
    then a generator step), and it runs inside plain `model.fit`:
    jit-compiled on JAX, as a `tf.function` on TensorFlow, eagerly on PyTorch.

    All phase optimizers live in one `keras.optimizers.MultiOptimizer`
    (`model.optimizer`), so `.keras` saving, `ModelCheckpoint` and
    `BackupAndRestore` save and restore every optimizer's state, and
    `model.optimizer.iterations` counts training steps. Each phase's loss is
    logged as `"<phase>_loss"` (and, when the class sets
    `log_gradient_norms = True`, the global norm of its gradients as
    `"<phase>_grad_norm"`), as well as the extra values a phase's loss
    returns (`Phase(..., logs=...)`); all are running means over the epoch,
    kept in one `kgen.metrics.RunningMeans`. Subclasses update derived state
    in `after_train_step()`.

    Subclasses build their sub-models in `__init__` and implement
    `build_phases()`.

    Example:

    ```python
    class TwoPlayer(kgen.models.PhasedModel):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.critic = keras.layers.Dense(1)
            self.actor = keras.layers.Dense(4)
            self.critic.build((None, 4))
            self.actor.build((None, 4))

        def build_phases(self):
            return [
                Phase("critic", self.critic_loss, self.critic, repeats=5),
                Phase("actor", self.actor_loss, self.actor),
            ]
        ...

    model = TwoPlayer()
    model.compile(optimizer={"critic": "adam", "actor": "sgd"})
    model.fit(x, epochs=3)
    ```
    """

    # Subclasses set this to log each phase's gradient norm as
    # "<phase>_grad_norm" (the global norm over the phase's variables).
    log_gradient_norms = False

    def build_phases(self):
        """Returns the list of `Phase`s of one training step, in order."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `build_phases()`."
        )

    def compile(
        self,
        optimizer="adam",
        steps_per_execution=1,
        jit_compile="auto",
        **kwargs,
    ):
        """Configures the phase optimizers.

        Args:
            optimizer: a dict mapping every phase name to an optimizer (a
                `keras.optimizers.Optimizer` or its name), or one optimizer
                or name used for every phase (each phase gets its own copy).
            steps_per_execution: as in `keras.Model.compile`.
            jit_compile: as in `keras.Model.compile`.
            **kwargs: other `keras.Model.compile` arguments, except `loss`,
                `loss_weights`, `metrics` and `weighted_metrics` (each phase
                defines its loss; the model logs its own metrics).
        """
        for key in ("loss", "loss_weights", "metrics", "weighted_metrics"):
            if kwargs.get(key) is not None:
                raise ValueError(
                    f"{type(self).__name__} defines one loss per phase and "
                    f"logs its own metrics, so `compile()` takes no `{key}`. "
                    f"Received: {key}={kwargs[key]!r}. Set losses through "
                    "the model's constructor arguments instead."
                )
        phases = self.build_phases()
        names = [phase.name for phase in phases]
        if len(set(names)) != len(names):
            raise ValueError(f"Phase names must be unique. Received: {names}.")
        self._phases = phases
        self._phase_optimizers = _optimizers_by_phase(optimizer, names)
        self._create_phase_logs()
        self._compile_options = {
            "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile,
        }
        super().compile(
            optimizer=keras.optimizers.MultiOptimizer(self._optimizer_of),
            steps_per_execution=steps_per_execution,
            jit_compile=jit_compile,
            **kwargs,
        )
        if self.built:
            for variable in self.trainable_variables:
                self._optimizer_of(variable)

    def _create_phase_logs(self):
        names = []
        for phase in self._phases:
            names.append(f"{phase.name}_loss")
            if self.log_gradient_norms:
                names.append(f"{phase.name}_grad_norm")
            names.extend(name for name in phase.logs if name not in names)
        existing = getattr(self, "_phase_logs", None)
        if existing is None:
            self._phase_logs = RunningMeans(names, name="phase_logs")
        elif existing.names != tuple(names):
            raise ValueError(
                f"Recompiling changed the logged values from "
                f"{list(existing.names)} to {names}. A model's phases must "
                "log the same values at every `compile()`."
            )

    def _optimizer_of(self, variable):
        """The optimizer of the one phase that owns `variable`."""
        owners = [
            phase.name
            for phase in self._phases
            if any(v is variable for v in phase.variables)
        ]
        if len(owners) > 1:
            raise ValueError(
                f"Variable '{variable.path}' is updated by phases {owners}. "
                "Each trainable variable must belong to exactly one phase; "
                "give each phase its own sub-model or variable list."
            )
        if not owners:
            raise ValueError(
                f"Trainable variable '{variable.path}' belongs to no phase of "
                f"{type(self).__name__} (phases: "
                f"{[p.name for p in self._phases]}). Add it to a phase, or "
                "make it non-trainable."
            )
        return self._phase_optimizers[owners[0]]

    def get_compile_config(self):
        if not self.compiled:
            return None
        optimizers = {
            name: keras.optimizers.serialize(optimizer)
            for name, optimizer in self._phase_optimizers.items()
        }
        return portable_compile_config(
            {"optimizer": optimizers, **self._compile_options}
        )

    def compile_from_config(self, config):
        config = portable_compile_config(config)
        config["optimizer"] = {
            name: keras.optimizers.deserialize(optimizer)
            for name, optimizer in config["optimizer"].items()
        }
        self.compile(**config)
        if self.built:
            self.optimizer.build(self.trainable_variables)

    def fit(self, *args, **kwargs):
        if self.compiled and not self.optimizer.built:
            # TensorFlow and PyTorch build optimizers lazily in `apply`, which
            # a phased step never calls on the MultiOptimizer itself.
            self.optimizer.build(self.trainable_variables)
        return super().fit(*args, **kwargs)

    def logs(self):
        """The running mean of every logged value, by name."""
        return self._phase_logs.result()

    def share(self, name, value):
        """Hands `value` to the later phases of the same training step.

        Call it inside a phase loss; a later phase reads the value with
        `shared(name)`. Shared values are constants for differentiation:
        a generator phase that computes its fakes with gradients can share
        them with the discriminator phase that follows, which then needs no
        generator forward pass of its own. Values live for one step (one
        `evaluate` batch) only.

        Args:
            name: string key.
            value: a tensor.
        """
        self._pending_shared[name] = value

    def shared(self, name, default=None):
        """A value `share`d by an earlier phase of this step, or `default`."""
        return getattr(self, "_step_shared", {}).get(name, default)

    def after_train_step(self):
        """Called after every training step's updates, inside the step.

        Override it for state that follows the weights, such as a moving
        average of a sub-model's weights (update it with `assign`). The
        default does nothing.
        """
        # A body beyond the docstring: TensorFlow's AutoGraph cannot convert
        # a docstring-only method and warns at every trace.
        pass

    def _run_phase(self, phase, data, training):
        """`(loss, logs)` of `phase`, values it `share`s among the logs."""
        object.__setattr__(self, "_pending_shared", {})
        object.__setattr__(self, "_training_phase", training)
        try:
            loss, logs = phase(data, training=training)
        finally:
            object.__setattr__(self, "_training_phase", True)
        shared = {_SHARED + k: v for k, v in self._pending_shared.items()}
        return loss, {**logs, **shared}

    def _keep_shared(self, phase_logs):
        """Moves shared values out of `phase_logs` into the step's store."""
        for key in [k for k in phase_logs if k.startswith(_SHARED)]:
            self._step_shared[key[len(_SHARED) :]] = phase_logs.pop(key)
        return phase_logs

    def _train_phases(self, data):
        logs = {}
        object.__setattr__(self, "_step_shared", {})
        for phase in self._phases:
            optimizer = self._phase_optimizers[phase.name]
            variables = phase.variables
            for _ in range(phase.repeats):
                loss, phase_logs, grads = backend.minimize(
                    functools.partial(self._run_phase, phase, data, True),
                    variables,
                    optimizer,
                )
                if phase.after_update is not None:
                    phase.after_update()
                phase_logs = self._keep_shared(dict(phase_logs))
                _add(logs, f"{phase.name}_loss", loss)
                if self.log_gradient_norms:
                    _add(
                        logs,
                        f"{phase.name}_grad_norm",
                        backend.global_norm(grads),
                    )
                for name, value in phase_logs.items():
                    _add(logs, name, value)
        self.after_train_step()
        self.optimizer.iterations.assign_add(1)
        self._phase_logs.update_state(logs)
        return self.logs()

    def _test_phases(self, data):
        logs = {}
        object.__setattr__(self, "_step_shared", {})
        for phase in self._phases:
            loss, phase_logs = self._run_phase(phase, data, False)
            phase_logs = self._keep_shared(phase_logs)
            _add(logs, f"{phase.name}_loss", loss)
            for name, value in phase_logs.items():
                _add(logs, name, value)
        self._phase_logs.update_state(logs)
        return self.logs()


# Prefix of shared values while they travel among a phase's logs (the
# auxiliary output of `backend.minimize`, which leaves them constants).
_SHARED = "__shared__/"


def _add(logs, name, value):
    logs.setdefault(name, []).append(value)


def _optimizers_by_phase(optimizer, names):
    if isinstance(optimizer, dict):
        unknown = sorted(set(optimizer) - set(names))
        if unknown:
            raise ValueError(
                f"`optimizer` names unknown phases {unknown}. The phases "
                f"are {names}."
            )
        missing = [name for name in names if name not in optimizer]
        if missing:
            raise ValueError(
                f"No optimizer for phases {missing}. Pass one per phase, e.g. "
                f"optimizer={{{', '.join(repr(n) + ': ...' for n in names)}}}."
            )
        optimizers = {
            name: keras.optimizers.get(optimizer[name]) for name in names
        }
    elif optimizer is None:
        raise ValueError(
            f"`optimizer` is required: one per phase ({names}), as a dict, "
            "or one optimizer used for every phase."
        )
    else:
        optimizers = {name: _fresh_copy(optimizer) for name in names}
    seen = {}
    for name, opt in optimizers.items():
        if id(opt) in seen:
            raise ValueError(
                f"Phases '{seen[id(opt)]}' and '{name}' received the same "
                "optimizer instance. Give each phase its own optimizer."
            )
        seen[id(opt)] = name
    return optimizers


def _fresh_copy(optimizer):
    if isinstance(optimizer, keras.optimizers.Optimizer):
        return optimizer.__class__.from_config(optimizer.get_config())
    return keras.optimizers.get(optimizer)
