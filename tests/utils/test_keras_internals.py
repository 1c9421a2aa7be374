"""Guards of the Keras behaviour listed in `kgen.utils.keras_internals`.

Each test names the item it guards; a failure means a Keras release changed
that behaviour and the kgen code named in the message needs revisiting.
"""

import pathlib
import re

import keras
import numpy as np
import pytest

import kgen
from kgen.utils import keras_internals
from kgen.utils.keras_internals import portable_compile_config

_BACKEND = keras.backend.backend()


def _tiny_gan():
    gan = kgen.models.GAN(
        kgen.models.build_mlp_generator(2, (4,), hidden_units=(4,)),
        kgen.models.build_mlp_discriminator((4,), (4,)),
        latent_dim=2,
        seed=0,
    )
    gan.compile(optimizer="adam")
    return gan


def _fit(model):
    x = np.random.default_rng(0).random((8, 4)).astype("float32")
    model.fit(x, batch_size=4, epochs=1, verbose=0)


def test_item_1_backend_optimizer_configs_become_portable():
    config = {"optimizer": keras.optimizers.serialize(keras.optimizers.Adam())}
    module = config["optimizer"]["module"]
    assert module.startswith(("keras.optimizers", "keras.src.")), (
        "Item 1 of kgen.utils.keras_internals: Keras now serialises "
        f"optimizers under module {module!r}; revisit "
        "portable_compile_config."
    )
    portable = portable_compile_config(config)
    assert portable["optimizer"]["module"] in (
        "keras.optimizers",
        module,
    )
    if module.startswith("keras.src.backend."):
        assert portable["optimizer"]["module"] == "keras.optimizers"
    optimizer = keras.optimizers.deserialize(portable["optimizer"])
    assert isinstance(optimizer, keras.optimizers.Adam)
    assert config["optimizer"]["module"] == module  # input left unchanged


def test_portable_compile_config_leaves_other_entries_alone():
    config = {
        "optimizer": {
            "module": "keras.src.backend.torch.optimizers.torch_sgd",
            "class_name": "SGD",
            "config": {},
        },
        "custom": {"module": "keras.src.backend.x", "class_name": "NotThere"},
        "jit_compile": True,
        "list": [{"module": "m", "class_name": "Adam"}],
    }
    portable = portable_compile_config(config)
    assert portable["optimizer"]["module"] == "keras.optimizers"
    assert portable["custom"] == config["custom"]
    assert portable["list"] == config["list"]
    assert portable["jit_compile"] is True
    assert portable_compile_config(None) is None


@pytest.mark.skipif(_BACKEND != "jax", reason="JAX trainer internals")
def test_item_2_jax_fit_keeps_step_state_in_jax_state():
    gan = _tiny_gan()
    _fit(gan)
    assert "_jax_state" in vars(gan), (
        "Item 2 of kgen.utils.keras_internals: Keras' JAX fit no longer "
        "sets Model._jax_state; kgen.backend.jax.StepFunctions.__setattr__ "
        "is now dead code."
    )


@pytest.mark.skipif(_BACKEND != "tensorflow", reason="TF trainer internals")
def test_item_3_tensorflow_fit_uses_kgen_step_functions():
    gan = _tiny_gan()
    _fit(gan)
    name = getattr(gan.train_function, "__qualname__", "")
    assert "_one_step_function" in name, (
        "Item 3 of kgen.utils.keras_internals: Keras' TF fit no longer "
        "builds its step through make_train_function; received "
        f"train_function {gan.train_function!r}. Revisit "
        "kgen.backend.tensorflow.StepFunctions."
    )


def test_item_4_multi_optimizer_holds_every_phase_optimizers_slots():
    gan = _tiny_gan()
    _fit(gan)
    outer = {id(v) for v in gan.optimizer.variables}
    for name, optimizer in gan._phase_optimizers.items():
        inner = {id(v) for v in optimizer.variables}
        assert inner <= outer, (
            "Item 4 of kgen.utils.keras_internals: MultiOptimizer.variables "
            f"no longer holds the '{name}' phase optimizer's slots, so they "
            "would not be threaded through JAX steps or saved."
        )


def test_declared_keras_range_matches_the_supported_range():
    pyproject = pathlib.Path(kgen.__file__).parents[1] / "pyproject.toml"
    if not pyproject.exists():
        pytest.skip("pyproject.toml is not beside the installed kgen")
    declared = re.findall(
        r'^\s*"(keras[<>=!~][^"]*)"', pyproject.read_text(), re.M
    )
    assert declared == ["keras" + ",".join(keras_internals.SUPPORTED_KERAS)]
    assert keras_internals.keras_version_supported(), (
        f"Keras {keras.__version__} is installed, outside the supported "
        f"range {keras_internals.SUPPORTED_KERAS}: update the range, "
        "pyproject.toml and the items of kgen.utils.keras_internals together."
    )
    assert keras_internals.keras_version_supported("3.15.0")
    assert not keras_internals.keras_version_supported("3.16.0rc1")
    assert not keras_internals.keras_version_supported("3.10.0")


@pytest.mark.skipif(_BACKEND != "tensorflow", reason="TF trainer internals")
def test_item_5_tensorflow_steps_get_the_loss_through_compute_loss_wrapper():
    model = kgen.models.Autoencoder.dense((4,), latent_dim=2, hidden_units=(3,))
    model.compile(optimizer="sgd")
    calls = []
    wrapper = model._compute_loss

    def spy(*args, **kwargs):
        calls.append(kwargs.get("training"))
        return wrapper(*args, **kwargs)

    object.__setattr__(model, "_compute_loss", spy)
    _fit(model)
    assert calls, (
        "Item 5 of kgen.utils.keras_internals: Keras' TensorFlow train_step "
        "no longer calls Model._compute_loss; kgen.backend.tensorflow."
        "StepFunctions._compute_loss no longer scales kgen's losses under "
        "tf.distribute."
    )
