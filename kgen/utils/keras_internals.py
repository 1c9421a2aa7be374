"""The one place that lists kgen's reliance on Keras behaviour that Keras
does not document, with the helpers that depend on it.

Each item is guarded by `tests/utils/test_keras_internals.py`, which fails
with a message naming the item when a Keras release changes it:

1. Backend optimizer classes. On PyTorch (and TensorFlow), `keras.optimizers.
   Adam` and friends are backend subclasses whose serialised `module` is
   `keras.src.backend.<backend>.optimizers...`; a `.keras` file saved there
   would rebuild that backend's class on any other backend.
   `portable_compile_config` rewrites such entries to `keras.optimizers`.
2. `Model._jax_state`: Keras' JAX trainer stores each step's state in this
   attribute; `kgen.backend.jax.StepFunctions` stores it untracked.
3. `Model.make_train_function` / `make_test_function` and
   `Model.train_function`: `kgen.backend.tensorflow.StepFunctions` replaces
   Keras' one-step functions with its own.
4. `keras.optimizers.MultiOptimizer`'s `variables` hold the inner
   optimizers' slots in the multi-optimizer's order, which
   `kgen.backend.jax.PhasedTrainer` slices to apply each phase statelessly.
5. `Model._compute_loss`: Keras' TensorFlow `train_step` / `test_step` get
   the loss through this wrapper of `compute_loss`;
   `kgen.backend.tensorflow.StepFunctions` overrides it to divide kgen's own
   losses by the number of `tf.distribute` replicas, as Keras' losses are.

Because of these items, kgen supports the Keras releases that CI tests,
`SUPPORTED_KERAS` (the `keras` requirement in `pyproject.toml`, kept equal
to it by the same test file); importing kgen with another Keras warns.
"""

import warnings

import keras

#: The Keras releases kgen is tested with (CI installs the newest 3.15.x);
#: the `keras` requirement of `pyproject.toml` says the same.
SUPPORTED_KERAS = (">=3.15", "<3.16")

_BACKEND_OPTIMIZER_MODULE = "keras.src.backend."


def keras_version_supported(version=None):
    """Whether a Keras version (default: the installed one) is supported.

    Args:
        version: a version string such as `"3.15.1"`, or `None`.

    Returns:
        `True` when `version` lies in `SUPPORTED_KERAS`.
    """
    release = _release(keras.__version__ if version is None else version)
    low, high = (_release(bound.lstrip("<>=")) for bound in SUPPORTED_KERAS)
    return low <= release < high


def _release(version):
    """`(major, minor)` of a version string."""
    major, minor = version.split(".")[:2]
    return int(major), int("".join(c for c in minor if c.isdigit()) or 0)


def warn_if_unsupported_keras():
    """Warns when the installed Keras lies outside `SUPPORTED_KERAS`."""
    if not keras_version_supported():
        warnings.warn(
            f"kgen is tested with keras{','.join(SUPPORTED_KERAS)}, but "
            f"Keras {keras.__version__} is installed. kgen relies on Keras "
            "behaviour listed in kgen.utils.keras_internals that may have "
            "changed; install a supported release, e.g. "
            "`pip install 'keras>=3.15,<3.16'`.",
            stacklevel=2,
        )


warn_if_unsupported_keras()


def portable_compile_config(config):
    """A compile config whose optimizers load on every backend.

    Replaces each serialised optimizer whose module is a backend's own
    subclass (`keras.src.backend.torch.optimizers.torch_adam.Adam`) by the
    public class of the same name (`keras.optimizers.Adam`), recursively.

    Args:
        config: a compile config (nested dicts and lists) or `None`.

    Returns:
        A copy of `config` with portable optimizer entries.
    """
    if isinstance(config, list):
        return [portable_compile_config(item) for item in config]
    if not isinstance(config, dict):
        return config
    config = {k: portable_compile_config(v) for k, v in config.items()}
    module = config.get("module")
    name = config.get("class_name")
    if (
        isinstance(module, str)
        and module.startswith(_BACKEND_OPTIMIZER_MODULE)
        and isinstance(getattr(keras.optimizers, str(name), None), type)
    ):
        config["module"] = "keras.optimizers"
    return config
