"""The bundled demo index, built from manifests shipped in ``bot/data/demo/``.

Real, unchanged copies of public manifests (provenance and terms in
``bot/data/demo/README.md``): PIPA's whole annotation file, a FaceScrub sample, the
Flickr30k and Flickr8k image lists, the MS-COCO 2017 validation annotations, the
Conceptual Captions validation split, FSXL's metadata and InsightFace's list of 719 real
MegaFace paths. Synthetic, and labelled so in every source name and note: a
YFCC100M-format sample with fictional IDs, imported as ``yfcc100m``, plus a DiF-style URL
list and MegaFace-style paths drawn from it (the ``megaface`` dataset holds both the real
list and the synthetic paths; its note says so). No network; well under a second.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ..resources import data_path
from .writer import Rebuild

if TYPE_CHECKING:
    from ..check import Match

log = logging.getLogger(__name__)

SYNTHETIC = "SYNTHETIC demo sample: fictional photo IDs and NSIDs (@N99), not the real dataset"

MIXED = ("demo: the real InsightFace list of 719 MegaFace paths (real NSIDs), plus a "
         "SYNTHETIC sample of MegaFace-style paths with fictional photo IDs and NSIDs (@N99)")

# (slug, format, files, note); a file whose name says "synthetic" is listed as such
DEMO_DATASETS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("pipa", "pipa", ("pipa_all_data.txt.gz",),
     "demo: the real PIPA annotation file (all 63,188 instances)"),
    ("facescrub", "facescrub", ("facescrub_actors.txt.gz", "facescrub_actresses.txt.gz"),
     "demo: a real FaceScrub sample (about 3,100 of ~107,000 rows)"),
    ("flickr30k", "flickr30k",
     ("flickr30k_train.txt.gz", "flickr30k_val.txt.gz", "flickr30k_test.txt.gz"),
     "demo: the real Flickr30k image list (all 31,783 photo IDs, Flickr30k Entities splits)"),
    ("flickr8k", "flickr8k",
     ("Flickr_8k.trainImages.txt.gz", "Flickr_8k.devImages.txt.gz",
      "Flickr_8k.testImages.txt.gz"),
     "demo: the real Flickr8k image lists (all 8,000 photos of its splits)"),
    ("coco", "coco", ("coco_captions_val2017.json.gz",),
     "demo: the real MS-COCO 2017 validation split (5,000 of about 123,000 images)"),
    ("conceptual-captions", "conceptual-captions", ("Validation_GCC-1.1.0-Validation.tsv.gz",),
     "demo: the real Conceptual Captions validation split (15,833 image URLs; the 3.3 "
     "million training URLs are not included)"),
    ("fsxl", "fsxl", ("fsxl-metadata.json.gz",),
     "demo: the real FSXL metadata (5,684 photos from 608 Flickr accounts)"),
    ("yfcc100m", "yfcc100m", ("yfcc100m_synthetic_sample.tsv.gz",), SYNTHETIC),
    ("dif", "urls", ("dif_synthetic_urls.txt.gz",), SYNTHETIC),
    ("megaface", "megaface", ("megaface_noises.txt.gz", "megaface_synthetic_paths.txt.gz"),
     MIXED),
)


def fictional(match: "Match") -> bool:
    """A match on the demo's fictional rows: owners ``999900xx@N99``, photo IDs from
    9000000000000 (real Flickr IDs are far below)."""
    return bool((match.owner or "").endswith("@N99")
                or (match.photo_id or "").startswith("9000000000")
                or "@N99/" in (match.url or ""))


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
            names = [f"{name} (synthetic)" if "synthetic" in name else name for name in files]
            rebuild.load(slug, format_name, [folder / name for name in files], note=note,
                         source_names=names)
        rebuild.commit()
    log.info("built the demo dataset index at %s", path)
    return True
