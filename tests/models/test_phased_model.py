import json
import logging
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
from keras import ops

from kgen.models import Phase
from kgen.models import PhasedModel
from kgen.testing import TwoLinearMaps
from kgen.testing import assert_round_trip

LR_A, LR_B, MOMENTUM = 0.05, 0.1, 0.9


def make_data(num_samples=12):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(num_samples, 3)).astype("float32")
    y = rng.normal(size=(num_samples, 2)).astype("float32")
    return x, y


def make_model(**kwargs):
    model = TwoLinearMaps(repeats_a=2, repeats_b=3, **kwargs)
    model.compile(
        optimizer={
            "a": keras.optimizers.SGD(LR_A, momentum=MOMENTUM),
            "b": keras.optimizers.SGD(LR_B, momentum=MOMENTUM),
        }
    )
    return model


def numpy_reference(a, b, x, y, batch_size, epochs, repeats_a, repeats_b, l2):
    """Alternating momentum-SGD updates of TwoLinearMaps, by hand."""
    a, b = a.astype("float64"), b.astype("float64")
    velocity_a, velocity_b = np.zeros_like(a), np.zeros_like(b)
    for _ in range(epochs):
        for start in range(0, len(x), batch_size):
            xb, yb = (
                x[start : start + batch_size],
                y[start : start + batch_size],
            )
            for _ in range(repeats_a):
                residual = xb @ a @ b - yb
                grad_a = xb.T @ (2 * residual / residual.size) @ b.T
                velocity_a = MOMENTUM * velocity_a - LR_A * grad_a
                a = a + velocity_a
            for _ in range(repeats_b):
                residual = xb @ a @ b - yb
                grad_b = (xb @ a).T @ (2 * residual / residual.size)
                grad_b += l2 * 2 * b / b.size
                velocity_b = MOMENTUM * velocity_b - LR_B * grad_b
                b = b + velocity_b
    return a, b


def test_alternating_updates_match_numpy():
    x, y = make_data()
    model = make_model()
    a0 = model.map_a.kernel.numpy()
    b0 = model.map_b.kernel.numpy()
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    a, b = numpy_reference(a0, b0, x, y, 4, 2, 2, 3, model.l2)
    np.testing.assert_allclose(model.map_a.kernel.numpy(), a, atol=1e-5)
    np.testing.assert_allclose(model.map_b.kernel.numpy(), b, atol=1e-5)
    assert set(history.history) == {"a_loss", "b_loss"}
    assert int(model.optimizer.iterations.numpy()) == 6
    assert [int(o.iterations.numpy()) for o in model.optimizer.optimizers] == [
        12,
        18,
    ]


def test_evaluate_reports_phase_losses_without_updating():
    x, y = make_data()
    model = make_model()
    before = [v.numpy() for v in model.trainable_variables]
    logs = model.evaluate(x, y, batch_size=12, verbose=0, return_dict=True)
    residual = x @ before[0] @ before[1] - y
    np.testing.assert_allclose(logs["a_loss"], np.mean(residual**2), rtol=1e-5)
    for old, new in zip(before, model.trainable_variables):
        np.testing.assert_array_equal(old, new.numpy())


def _copy_weights(source, target):
    for s, t in zip(source.variables, target.variables):
        t.assign(s.numpy())


def test_resume_from_save_equals_uninterrupted_run(tmp_path):
    x, y = make_data()
    fit = dict(batch_size=4, shuffle=False, verbose=0)
    reference = make_model(noise=0.1, seed=3)
    resumed = make_model(noise=0.1, seed=3)
    _copy_weights(reference, resumed)
    reference.fit(x, y, epochs=4, **fit)
    resumed.fit(x, y, epochs=2, **fit)
    reloaded = assert_round_trip(
        resumed, tmp_path, call=lambda m: m.predict(x, verbose=0)
    )
    reloaded.fit(x, y, epochs=2, **fit)
    for expected, received in zip(reference.variables, reloaded.variables):
        np.testing.assert_allclose(
            received.numpy(), expected.numpy(), atol=1e-5
        )
    for expected, received in zip(
        reference.optimizer.variables, reloaded.optimizer.variables
    ):
        np.testing.assert_allclose(
            received.numpy(), expected.numpy(), atol=1e-5
        )


class _Interrupt(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 2:
            raise RuntimeError("interrupted")


def test_backup_and_restore_resumes_exactly(tmp_path):
    x, y = make_data()
    fit = dict(batch_size=4, shuffle=False, verbose=0, epochs=4)
    reference = make_model(noise=0.1, seed=3)
    interrupted = make_model(noise=0.1, seed=3)
    restarted = make_model(noise=0.1, seed=3)
    _copy_weights(reference, interrupted)
    _copy_weights(reference, restarted)
    reference.fit(x, y, **fit)
    backup = keras.callbacks.BackupAndRestore(str(tmp_path / "backup"))
    with pytest.raises(RuntimeError, match="interrupted"):
        interrupted.fit(x, y, callbacks=[backup, _Interrupt()], **fit)
    # A new process would build a fresh model: only the backup carries state.
    restarted.fit(x, y, callbacks=[backup], **fit)
    for expected, received in zip(reference.variables, restarted.variables):
        np.testing.assert_allclose(
            received.numpy(), expected.numpy(), atol=1e-5
        )


def test_fit_before_compile_raises():
    x, y = make_data()
    with pytest.raises(ValueError, match="compile"):
        TwoLinearMaps().fit(x, y, verbose=0)


def test_missing_phase_optimizer_raises():
    with pytest.raises(ValueError, match=r"No optimizer for phases \['b'\]"):
        TwoLinearMaps().compile(optimizer={"a": "sgd"})


def test_optimizer_for_unknown_phase_raises():
    with pytest.raises(ValueError, match=r"unknown phases \['c'\]"):
        TwoLinearMaps().compile(optimizer={"a": "sgd", "b": "sgd", "c": "adam"})


def test_same_optimizer_instance_for_two_phases_raises():
    shared = keras.optimizers.SGD()
    with pytest.raises(ValueError, match="same optimizer instance"):
        TwoLinearMaps().compile(optimizer={"a": shared, "b": shared})


def test_single_optimizer_is_copied_per_phase():
    model = TwoLinearMaps()
    model.compile(optimizer=keras.optimizers.Adam(0.01))
    first, second = model._phase_optimizers.values()
    assert first is not second
    assert float(first.learning_rate) == pytest.approx(0.01)


@pytest.mark.parametrize("key", ["loss", "metrics"])
def test_loss_and_metrics_arguments_are_rejected(key):
    with pytest.raises(ValueError, match=f"takes no `{key}`"):
        TwoLinearMaps().compile(optimizer="sgd", **{key: ["mse"]})


class _SharedVariables(TwoLinearMaps):
    def build_phases(self):
        both = self.map_a.trainable_variables + self.map_b.trainable_variables
        return [
            Phase("a", self.loss_a, self.map_a),
            Phase("b", self.loss_b, both),
        ]


def test_variables_shared_by_two_phases_raise():
    with pytest.raises(ValueError, match=r"updated by phases \['a', 'b'\]"):
        _SharedVariables().compile(optimizer="sgd")


class _Orphan(TwoLinearMaps):
    def build_phases(self):
        return [Phase("a", self.loss_a, self.map_a)]


def test_variable_in_no_phase_raises():
    with pytest.raises(ValueError, match="belongs to no phase"):
        _Orphan().compile(optimizer="sgd")


def test_phase_arguments_are_validated():
    with pytest.raises(ValueError, match="repeats of phase 'a'"):
        Phase("a", lambda data, training: 0.0, [], repeats=0)
    with pytest.raises(ValueError, match="identifier"):
        Phase("two words", lambda data, training: 0.0, [])


def test_compile_config_round_trips(tmp_path):
    x, y = make_data()
    model = make_model()
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    loaded = assert_round_trip(model, tmp_path)
    optimizers = loaded._phase_optimizers
    assert list(optimizers) == ["a", "b"]
    assert float(optimizers["b"].learning_rate) == pytest.approx(LR_B)
    assert float(optimizers["a"].momentum) == pytest.approx(MOMENTUM)


@keras.saving.register_keras_serializable(package="kgen_tests")
class _PenaltyModel(PhasedModel):
    """A linear critic trained only by the gradient-norm penalty."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.critic = keras.layers.Dense(1, use_bias=False)
        self.critic.build((None, 3))
        self.built = True

    def build_phases(self):
        return [Phase("critic", self.penalty, self.critic)]

    def penalty(self, data, training):
        grads = kgen_backend.input_gradients(self.critic, data)
        norms = ops.sqrt(ops.sum(ops.square(grads), axis=1))
        return ops.mean(ops.square(norms - 1.0))


import kgen.backend as kgen_backend  # noqa: E402


def test_input_gradients_penalty_trains_through_fit():
    x, _ = make_data(4)
    model = _PenaltyModel()
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    w = model.critic.kernel.numpy()[:, 0].astype("float64")
    model.fit(x, batch_size=4, epochs=1, verbose=0)
    # d/dx (x . w) = w for every sample, so the penalty is (|w| - 1)^2.
    norm = np.linalg.norm(w)
    expected = w - 0.1 * 2 * (norm - 1) * w / norm
    np.testing.assert_allclose(
        model.critic.kernel.numpy()[:, 0], expected, atol=1e-5
    )


def test_input_gradients_outside_a_step():
    x = np.array([[1.0, 2.0], [3.0, -1.0]], dtype="float32")
    grads = kgen_backend.input_gradients(lambda t: ops.sum(t**3, axis=1), x)
    np.testing.assert_allclose(ops.convert_to_numpy(grads), 3 * x**2, rtol=1e-6)


DATA_PARALLEL_SCRIPT = textwrap.dedent(
    """
    import json, os
    os.environ["KERAS_BACKEND"] = "jax"
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
    import jax, keras, numpy as np
    from kgen.testing import TwoLinearMaps

    def train(distributed):
        keras.utils.set_random_seed(0)
        if distributed:
            keras.distribution.set_distribution(
                keras.distribution.DataParallel(devices=jax.devices())
            )
        model = TwoLinearMaps(repeats_a=2, repeats_b=3, noise=0.1, seed=5)
        model.compile(optimizer={"a": keras.optimizers.SGD(0.05, momentum=0.9),
                                 "b": keras.optimizers.Adam(0.01)})
        rng = np.random.default_rng(0)
        x = rng.normal(size=(16, 3)).astype("float32")
        y = rng.normal(size=(16, 2)).astype("float32")
        model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
        return [v.numpy().tolist() for v in model.trainable_variables]

    single = train(False)
    parallel = train(True)
    print(json.dumps({"devices": len(jax.devices()), "single": single,
                      "parallel": parallel}))
    """
)


def test_data_parallel_matches_single_device(backend_name):
    if backend_name != "jax":
        pytest.skip("keras.distribution.DataParallel runs on JAX")
    env = {k: v for k, v in os.environ.items() if k != "XLA_FLAGS"}
    result = subprocess.run(
        [sys.executable, "-c", DATA_PARALLEL_SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["devices"] == 2
    for single, parallel in zip(report["single"], report["parallel"]):
        np.testing.assert_allclose(parallel, single, atol=1e-5)


class LoggedMaps(TwoLinearMaps):
    log_gradient_norms = True

    def after_train_step(self):
        self.steps_seen.assign_add(1)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.steps_seen = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="steps_seen"
        )


def test_gradient_norms_and_after_step_hook():
    x, y = make_data(4)
    model = LoggedMaps(l2=0.0)
    model.compile(optimizer=keras.optimizers.SGD(0.0))
    a, b = model.map_a.kernel.numpy(), model.map_b.kernel.numpy()
    logs = model.fit(
        x, y, batch_size=4, epochs=2, verbose=0, shuffle=False
    ).history
    residual = x @ a @ b - y
    grad_a = x.T @ (2 * residual / residual.size) @ b.T
    grad_b = (x @ a).T @ (2 * residual / residual.size)
    np.testing.assert_allclose(
        logs["a_grad_norm"], np.linalg.norm(grad_a), rtol=1e-5
    )
    np.testing.assert_allclose(
        logs["b_grad_norm"], np.linalg.norm(grad_b), rtol=1e-5
    )
    assert float(model.steps_seen.numpy()) == 2


class ResidualLogs(TwoLinearMaps):
    """Phase "a" also logs its mean residual and the batch mean of x."""

    def __init__(self, returned=("residual", "x_mean"), **kwargs):
        super().__init__(**kwargs)
        self.returned = returned

    def build_phases(self):
        return [
            Phase(
                "a",
                self.loss_and_logs,
                self.map_a,
                repeats=self.repeats_a,
                logs=("residual", "x_mean"),
            ),
            Phase("b", self.loss_b, self.map_b),
        ]

    def loss_and_logs(self, data, training):
        x, y = data
        residual = self(x) - y
        values = {
            "residual": ops.mean(residual),
            "x_mean": x,
        }  # a tensor's mean is logged
        return ops.mean(ops.square(residual)), {
            k: values[k] for k in self.returned
        }


def test_phase_logs_are_running_means_over_the_epoch():
    x, y = make_data(12)
    model = ResidualLogs(repeats_a=2)
    model.compile(optimizer=keras.optimizers.SGD(0.0))
    a, b = model.map_a.kernel.numpy(), model.map_b.kernel.numpy()
    history = model.fit(
        x, y, batch_size=4, epochs=1, verbose=0, shuffle=False
    ).history
    batches = [slice(start, start + 4) for start in range(0, 12, 4)]
    residuals = [np.mean(x[s] @ a @ b - y[s]) for s in batches]
    np.testing.assert_allclose(
        history["residual"], np.mean(residuals), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        history["x_mean"],
        np.mean([x[s].mean() for s in batches]),
        rtol=1e-5,
        atol=1e-6,
    )
    logs = model.evaluate(x, y, batch_size=12, verbose=0, return_dict=True)
    np.testing.assert_allclose(
        logs["residual"], np.mean(x @ a @ b - y), rtol=1e-5, atol=1e-6
    )
    assert {"a_loss", "b_loss", "residual", "x_mean"} <= set(logs)


class UndeclaredLogs(TwoLinearMaps):
    def build_phases(self):
        return [
            Phase("a", self.loss_and_logs, self.map_a),
            Phase("b", self.loss_b, self.map_b),
        ]

    def loss_and_logs(self, data, training):
        return self.loss_a(data, training), {"extra": 1.0}


@pytest.mark.parametrize(
    "model, message",
    [
        (
            lambda: ResidualLogs(returned=("residual",)),
            r"declares logs \['residual', 'x_mean'\] but .* returned \['residual'\]",
        ),
        (
            lambda: UndeclaredLogs(),
            r"declares logs \[\] but .* returned \['extra'\]",
        ),
    ],
)
def test_phase_logs_must_match_their_declaration(model, message):
    x, y = make_data(4)
    model = model()
    model.compile(optimizer="sgd")
    with pytest.raises(ValueError, match=message):
        model.fit(x, y, batch_size=4, verbose=0)


def test_declared_logs_need_a_loss_that_returns_them():
    phase = Phase("a", lambda data, training: 0.0, [], logs=("extra",))
    with pytest.raises(ValueError, match=r"must return `\(loss, logs\)`"):
        phase(None, training=True)


def test_recompiling_keeps_the_logged_values():
    model = make_model()
    model.compile(optimizer="sgd")  # same phases: the same logs, accepted
    assert model._phase_logs.names == ("a_loss", "b_loss")
    model.log_gradient_norms = True
    with pytest.raises(
        ValueError,
        match=r"changed the logged values from \['a_loss', 'b_loss'\]",
    ):
        model.compile(optimizer="sgd")


def test_fit_traces_without_autograph_warnings(caplog):
    # TensorFlow's AutoGraph converts every method a compiled step calls and
    # logs "could not transform" for one it cannot (e.g. a docstring-only
    # body); other backends log nothing, so the check holds there trivially.
    x, y = make_data()
    model = make_model()
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    messages = [record.getMessage() for record in caplog.records]
    assert not [m for m in messages if "could not transform" in m], messages
