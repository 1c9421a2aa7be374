"""Serialisation round-trip check shared by the tests."""

import json
import os

import keras
import numpy as np


def assert_round_trip(model, directory, call=None, atol=1e-6):
    """Saves `model` as `.keras`, reloads it and checks nothing was lost.

    Checks that the reloaded model has the same class and config, the same
    variables (weights, non-trainable state such as persistent chains, and
    optimizer slots when compiled), and, if `call` is given, that
    `call(model)` and `call(reloaded)` return equal arrays.

    Args:
        model: a kgen model or layer (layers are wrapped in nothing: pass a
            model).
        directory: folder for the temporary file (e.g. pytest's `tmp_path`).
        call: optional function of a model returning an array or a list of
            arrays to compare.
        atol: absolute tolerance of the comparisons.

    Returns:
        The reloaded model.
    """
    path = os.path.join(str(directory), "round_trip.keras")
    model.save(path)
    loaded = keras.models.load_model(path)
    assert type(loaded) is type(model), (type(loaded), type(model))
    assert _plain(loaded.get_config()) == _plain(model.get_config())
    _assert_same_variables(model.variables, loaded.variables, atol)
    if getattr(model, "optimizer", None) is not None and model.optimizer.built:
        _assert_same_variables(
            model.optimizer.variables, loaded.optimizer.variables, atol
        )
    if call is not None:
        for a, b in zip(_as_list(call(model)), _as_list(call(loaded))):
            np.testing.assert_allclose(
                keras.ops.convert_to_numpy(a),
                keras.ops.convert_to_numpy(b),
                atol=atol,
            )
    return loaded


def _assert_same_variables(expected, received, atol):
    assert len(expected) == len(received), (len(expected), len(received))
    for a, b in zip(expected, received):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(a),
            keras.ops.convert_to_numpy(b),
            atol=atol,
            err_msg=a.path,
        )


def _plain(config):
    """The config as JSON would store it (tuples become lists)."""
    return json.loads(json.dumps(config, default=str))


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]
