"""Saving the sub-models (networks) of a kgen model in its config."""

import json

import keras


def serialize_network(network):
    """The config of a sub-model, as a `.keras` file stores it.

    The result goes through JSON, so that a model's config compares equal
    before and after saving (tuples become lists).

    Args:
        network: a `keras.Layer` or `keras.Model`, or `None` (an optional
            network left out).

    Returns:
        A JSON-compatible dict for `deserialize_network` (`None` for
        `None`).

    Example:

    ```python
    def get_config(self):
        return {**super().get_config(),
                "generator": kgen.utils.serialize_network(self.generator)}
    ```
    """
    if network is None:
        return None
    return json.loads(json.dumps(keras.saving.serialize_keras_object(network)))


def deserialize_network(network, name="network"):
    """A sub-model from its config, or the sub-model itself.

    Models take their networks as constructor arguments; when Keras reloads
    a model, the same arguments arrive as configs. This accepts both.

    Args:
        network: a `keras.Layer` / `keras.Model`, or a dict made by
            `serialize_network`.
        name: the argument's name, for the error message.

    Returns:
        The `keras.Layer`.

    Raises:
        ValueError: if `network` is neither.

    Example:

    ```python
    self.generator = kgen.utils.deserialize_network(generator, "generator")
    ```
    """
    if isinstance(network, dict):
        return keras.saving.deserialize_keras_object(network)
    if not isinstance(network, keras.Layer):
        raise ValueError(
            f"`{name}` must be a Keras model or layer. Received "
            f"{type(network).__name__}: {network!r}."
        )
    return network
