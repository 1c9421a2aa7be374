"""The reusable parts of kgen's applications (see `applications/` for the
scripts that train and evaluate them on real data)."""

from kgen.applications import anomaly
from kgen.applications import colourisation
from kgen.applications import recommendation
from kgen.applications import text_to_image
from kgen.applications import watermark

__all__ = [
    "anomaly",
    "colourisation",
    "recommendation",
    "text_to_image",
    "watermark",
]
