"""Where bundled files live: data records, demo manifests, fonts, templates.

The package is installed from the repository (``pip install -e .``), so the
top-level ``templates/`` folder sits next to the ``bot`` package. Data that the
package cannot work without lives inside it, under ``bot/data/``.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
PROJECT_DIR = PACKAGE_DIR.parent
TEMPLATES_DIR = PROJECT_DIR / "templates"


def data_path(*parts: str) -> Path:
    """A path inside ``bot/data``."""
    return DATA_DIR.joinpath(*parts)
