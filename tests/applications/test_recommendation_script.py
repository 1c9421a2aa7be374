"""applications/recommendation.py runs end to end on tiny synthetic data."""

import importlib.util
import json
import os

import numpy as np

SCRIPT = os.path.join(
    os.path.dirname(__file__), "..", "..", "applications", "recommendation.py"
)
GENRES = ["Drama", "Comedy", "Action Thriller", "Horror", "Children's Comedy"]


def _load_script():
    spec = importlib.util.spec_from_file_location("recommendation_app", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_tiny_movielens(folder, rng):
    """30 users rate 20 films (ids from 1, as upstream), about 60 % density."""
    folder.mkdir()
    taste, appeal = rng.normal(size=30), rng.normal(size=20)
    rows = []
    for user in range(30):
        for item in range(20):
            if rng.random() < 0.6:
                rating = int(
                    np.clip(np.round(3.5 + taste[user] * appeal[item]), 1, 5)
                )
                rows.append(
                    f"{user + 1}\t{item + 1}\t{rating}\t{880000000 + item}"
                )
    (folder / "u.data").write_text("\n".join(rows) + "\n")
    items = ["item_id\ttitle\trelease_year\tgenres"] + [
        f"{item + 1}\tFilm {item}\t1990\t{GENRES[item % len(GENRES)]}"
        for item in range(20)
    ]
    (folder / "items.tsv").write_text("\n".join(items) + "\n", encoding="utf-8")


def test_script_end_to_end(tmp_path, rng, capsys):
    _write_tiny_movielens(tmp_path / "ml-100k", rng)
    output = tmp_path / "out"
    script = _load_script()
    metrics = script.main(
        ["--data-dir", str(tmp_path), "--output", str(output), "--quick"]
    )
    written = json.loads((output / "metrics.json").read_text())
    assert written["rating_prediction"] == metrics["rating_prediction"]
    for name in (
        "global_mean",
        "biases",
        "biased_mf_sgd",
        "rbm_cf",
        "i_autorec",
    ):
        assert 0 < written["rating_prediction"][name]["rmse"] < 4, name
    for name in ("popularity", "ease", "mult_vae"):
        assert 0 <= written["top_n"][name]["ndcg_at_100"] <= 1, name
    for picture in ("curves.png", "item_map.png"):
        assert (output / picture).stat().st_size > 1000
    assert "i_autorec" in capsys.readouterr().out


def test_script_help(capsys):
    script = _load_script()
    try:
        script.parse_args(["--help"])
    except SystemExit as exit_:
        assert exit_.code == 0
    assert "--data-dir" in capsys.readouterr().out
