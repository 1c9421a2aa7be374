"""Rows of kgen's likelihood table: one JSON file per result in
bench/results/, written by the benchmarks and read by likelihood_table.py."""

import json
import os

RESULTS = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    "bench",
    "results",
)


def write_result(name, result):
    """Writes `result` (a dict) to `bench/results/<name>.json`; its path."""
    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, f"{name}.json")
    with open(path, "w") as file:
        json.dump(result, file, indent=2)
    return path


def read_results(directory=RESULTS):
    """Every `bench/results/*.json` as `{name: dict}` (unreadable files
    skipped with a note)."""
    results = {}
    if not os.path.isdir(directory):
        return results
    for file_name in sorted(os.listdir(directory)):
        if not file_name.endswith(".json"):
            continue
        path = os.path.join(directory, file_name)
        try:
            with open(path) as file:
                results[file_name[:-5]] = json.load(file)
        except (OSError, ValueError) as error:
            print(f"skipped {path}: {error}")
    return results
