"""`import kgen` without the chosen backend installed says what to do."""

import os
import subprocess
import sys

_HIDE_TENSORFLOW = "import sys; sys.modules['tensorflow'] = None; import kgen"


def _import_kgen(tmp_path, **env):
    environ = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    environ.update(KERAS_HOME=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-c", _HIDE_TENSORFLOW],
        env=environ,
        capture_output=True,
        text=True,
    )


def test_missing_default_backend_names_installed_ones(tmp_path):
    result = _import_kgen(tmp_path)
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert "ImportError" in message and "'tensorflow' backend" in message
    assert "Keras' default" in message
    assert "Installed backends: jax, torch" in message
    assert "KERAS_BACKEND=jax" in message


def test_backend_from_keras_json_is_named(tmp_path):
    (tmp_path / "keras.json").write_text('{"backend": "tensorflow"}')
    result = _import_kgen(tmp_path)
    assert str(tmp_path / "keras.json") in result.stderr


def test_an_installed_backend_imports(tmp_path):
    result = _import_kgen(tmp_path, KERAS_BACKEND="jax")
    assert result.returncode == 0, result.stderr[-2000:]
