"""Data-parallel training with each backend's own engine.

kgen adds no distribution engine of its own: on JAX a model trains under
`keras.distribution.DataParallel`, on TensorFlow under
`tf.distribute.MirroredStrategy`. This module builds either one over the
local devices, so that code (the tests, `docs/guides/distributed.md`) can
ask for "data parallel over n devices" without naming a backend.
"""

import contextlib

import keras

_BACKEND = keras.backend.backend()


def split_host_cpu(num_devices):
    """Makes the host CPU appear as `num_devices` devices (TensorFlow).

    On TensorFlow this configures logical CPU devices, which must happen
    before TensorFlow runs its first operation. On JAX the device count is
    fixed by `XLA_FLAGS=--xla_force_host_platform_device_count=N`, which
    must be set before JAX is imported; this function then only checks it.

    Args:
        num_devices: int >= 1.

    Raises:
        RuntimeError: if the devices cannot be configured any more.
    """
    if _BACKEND == "tensorflow":
        import tensorflow as tf

        cpus = tf.config.list_physical_devices("CPU")
        try:
            tf.config.set_logical_device_configuration(
                cpus[0],
                [tf.config.LogicalDeviceConfiguration()] * num_devices,
            )
        except RuntimeError as error:
            raise RuntimeError(
                f"Could not split the CPU into {num_devices} devices: "
                f"{error}. Call `split_host_cpu` before TensorFlow runs "
                "anything."
            ) from None
    found = len(local_devices("cpu"))
    if found < num_devices:
        raise RuntimeError(
            f"Expected {num_devices} local devices, found {found}. On JAX "
            "set XLA_FLAGS=--xla_force_host_platform_device_count="
            f"{num_devices} before importing JAX or Keras."
        )


def local_devices(device_type=None):
    """Names of this process's devices of one kind.

    Args:
        device_type: `"cpu"` or `"gpu"`, or `None` for the GPUs if there are
            any, else the CPU devices.

    Returns:
        List of device names, e.g. `["gpu:0", "gpu:1"]` (JAX) or
        `["/job:localhost/replica:0/task:0/device:CPU:0"]` (TensorFlow).
    """
    if device_type is None:
        return local_devices("gpu") or local_devices("cpu")
    if _BACKEND == "tensorflow":
        import tensorflow as tf

        devices = tf.config.list_logical_devices(device_type.upper())
        return [device.name for device in devices]
    if _BACKEND == "jax":
        try:
            return keras.distribution.list_devices(device_type)
        except RuntimeError:  # no such platform
            return []
    import torch

    if device_type == "gpu":
        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    return ["cpu"]


def data_parallel(num_devices=None, device_type=None):
    """A data-parallel strategy over the first `num_devices` local devices.

    Args:
        num_devices: int, or `None` for every local device.
        device_type: as in `local_devices`.

    Returns:
        `keras.distribution.DataParallel` on JAX,
        `tf.distribute.MirroredStrategy` on TensorFlow.

    Raises:
        NotImplementedError: on PyTorch, whose data parallelism
            (`torchrun` with `DistributedDataParallel`) spans processes,
            not devices of one process; see `docs/guides/distributed.md`.
    """
    devices = local_devices(device_type)
    if num_devices is not None:
        devices = devices[:num_devices]
    if _BACKEND == "jax":
        return keras.distribution.DataParallel(devices=devices)
    if _BACKEND == "tensorflow":
        import tensorflow as tf

        return tf.distribute.MirroredStrategy(devices)
    raise NotImplementedError(
        "Keras' PyTorch backend has no in-process data-parallel strategy. "
        "Launch one process per device with `torchrun` instead (see the "
        "distributed-training guide)."
    )


def scope(strategy):
    """The context in which to build, compile and fit under `strategy`.

    Args:
        strategy: from `data_parallel`, or `None` for a no-op context.
    """
    if strategy is None:
        return contextlib.nullcontext()
    return strategy.scope()
