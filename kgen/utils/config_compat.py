"""Reading configs saved under older argument names."""


def upgrade_config(config, renamed):
    """`config` with the argument names of older kgen releases brought up to date.

    A `.keras` file stores a model's constructor arguments under the names
    they had when it was saved. When kgen renames an argument (see the
    glossary in the docs), the class lists the old name in its
    `renamed_arguments` and `from_config` passes the saved config through
    this function, so files saved earlier still load. A new name of `None`
    marks an argument that no longer exists: it is dropped.

    Args:
        config: a config dict, as `get_config` returned it.
        renamed: dict `{old name: new name or None}`.

    Returns:
        A new dict with every old key replaced (or dropped).

    Raises:
        ValueError: if `config` holds both an old name and its new name.

    Example:

    ```python
    upgrade_config({"gibbs_steps": 2}, {"gibbs_steps": "k"})  # {"k": 2}
    ```
    """
    config = dict(config)
    for old, new in renamed.items():
        if old not in config:
            continue
        value = config.pop(old)
        if new is None:
            continue
        if new in config:
            raise ValueError(
                f"The config holds both `{old}` (the old name) and `{new}` "
                f"(its new name): {old}={value!r}, {new}={config[new]!r}. "
                f"Keep only `{new}`."
            )
        config[new] = value
    return config
