"""The bundled demo index, built from manifests shipped in ``bot/data/demo/``.

Real: PIPA's whole annotation file (63,188 person instances, real Flickr photo
IDs) and the FaceScrub sample (real URLs and sha256). Synthetic, and labelled
so in every source name and note: a YFCC100M-format sample with fictional IDs,
imported as ``yfcc100m``, plus a DiF-style URL list and MegaFace-style paths
drawn from it (see ``bot/data/demo/README.md``). No network; about a second.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..resources import data_path
from .writer import Rebuild

log = logging.getLogger(__name__)

SYNTHETIC = "SYNTHETIC demo sample: fictional photo IDs and NSIDs (@N99), not the real dataset"

# (slug, format, files, note)
DEMO_DATASETS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("pipa", "pipa", ("pipa_all_data.txt.gz",),
     "demo: the real PIPA annotation file (all 63,188 instances)"),
    ("facescrub", "facescrub", ("facescrub_actors.txt.gz", "facescrub_actresses.txt.gz"),
     "demo: a real FaceScrub sample (about 3,100 of ~107,000 rows)"),
    ("yfcc100m", "yfcc100m", ("yfcc100m_synthetic_sample.tsv.gz",), SYNTHETIC),
    ("dif", "urls", ("dif_synthetic_urls.txt.gz",), SYNTHETIC),
    ("megaface", "megaface", ("megaface_synthetic_paths.txt.gz",), SYNTHETIC),
)


def demo_folder() -> Path:
    return data_path("demo")


def build_demo_index(path: Path, *, if_missing: bool = False) -> bool:
    """Build the demo index at ``path`` (replacing it). With ``if_missing``, do nothing
    when another process built it meanwhile. Returns True if it was built."""
    path = Path(path)
    folder = demo_folder()
    with Rebuild(path, fresh=True, lock_wait=60.0) as rebuild:
        if if_missing and path.exists():
            return False
        for slug, format_name, files, note in DEMO_DATASETS:
            names = [f"{name} (synthetic)" if note == SYNTHETIC else name for name in files]
            rebuild.load(slug, format_name, [folder / name for name in files], note=note,
                         source_names=names)
        rebuild.commit()
    log.info("built the demo dataset index at %s", path)
    return True
