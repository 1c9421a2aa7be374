"""`fit` / `evaluate` step functions (`kgen.backend.StepFunctions`)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kgen.testing import TwoLinearMaps


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 3)).astype("float32")
    return x, rng.normal(size=(10, 2)).astype("float32")


def _trained(data, steps_per_execution=1, jit_compile="auto", epochs=2):
    keras.utils.set_random_seed(0)  # the same initial weights every time
    model = TwoLinearMaps(repeats_a=2)
    model.compile(
        optimizer="sgd",
        steps_per_execution=steps_per_execution,
        jit_compile=jit_compile,
    )
    steps = []
    counter = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: steps.append(batch)
    )
    history = model.fit(
        data, epochs=epochs, verbose=0, shuffle=False, callbacks=[counter]
    ).history
    return model, history, steps


def test_finite_dataset_ends_each_epoch_after_its_last_batch():
    x, y = _data()
    model, history, steps = _trained(
        tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    )
    assert steps == [0, 1, 2, 0, 1, 2]  # 3 batches (the last partial), 2 epochs
    assert int(model.optimizer.iterations) == 6
    assert len(history["a_loss"]) == 2
    logs = model.evaluate(
        tf.data.Dataset.from_tensor_slices((x, y)).batch(10),
        verbose=0,
        return_dict=True,
    )
    a, b = model.map_a.kernel.numpy(), model.map_b.kernel.numpy()
    np.testing.assert_allclose(
        logs["a_loss"], np.mean((x @ a @ b - y) ** 2), rtol=1e-5
    )


@pytest.mark.parametrize(
    "options", [{"steps_per_execution": 3}, {"jit_compile": True}]
)
def test_same_training_as_other_step_functions(backend_name, options):
    if backend_name == "torch":
        pytest.skip(
            "Keras runs one step per execution on PyTorch; torch.compile is slow to test."
        )
    x, y = _data()
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    expected, expected_history, _ = _trained(dataset)
    model, history, _ = _trained(dataset, **options)
    for name in ("map_a", "map_b"):
        np.testing.assert_allclose(
            getattr(model, name).kernel.numpy(),
            getattr(expected, name).kernel.numpy(),
            rtol=1e-5,
        )
    np.testing.assert_allclose(
        history["b_loss"], expected_history["b_loss"], rtol=1e-5
    )
