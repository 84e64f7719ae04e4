"""The SQLite dataset index: what can match, per dataset.

Public surface (the contract in DEVELOPERS.md plus the importer API):

* :class:`DatasetIndex` (``open``, ``datasets``, ``find_photo_ids``, ``find_owners``,
  ``find_urls``, ``find_hosts``, ``find_file_hash``, ``find_similar``, ``info``, ``stats``)
  and :class:`IndexHit`;
* :func:`open_index` (builds the bundled demo index on first use when ``[index] demo``);
* :func:`import_manifest`, :func:`remove_dataset`, :data:`FORMATS`, :class:`ImportReport`;
* :func:`hash_image_folder` (``index hash-images``), :func:`build_demo_index`;
* :func:`normalise_url`.
"""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..errors import IndexStoreError
from .demo import build_demo_index
from .formats import FORMATS
from .images import HashReport, hash_image_folder
from .keys import normalise_url
from .store import DatasetIndex, DatasetInfo, IndexHit
from .writer import ImportReport, import_manifest, remove_dataset

__all__ = [
    "FORMATS",
    "DatasetIndex",
    "DatasetInfo",
    "HashReport",
    "ImportReport",
    "IndexHit",
    "build_demo_index",
    "hash_image_folder",
    "import_manifest",
    "normalise_url",
    "open_index",
    "remove_dataset",
]


def open_index(config: Config) -> DatasetIndex:
    """The index named by ``[index] path``; the demo index is built there first when
    the file is missing and ``[index] demo`` is true."""
    path = Path(config.index.path)
    if not path.exists():
        if not config.index.demo:
            raise IndexStoreError(
                f"no dataset index at {path}; import manifests with `rightsbot index import` "
                "or set [index] demo = true for the bundled demo index")
        build_demo_index(path, if_missing=True)
    return DatasetIndex.open(path)
