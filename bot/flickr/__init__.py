"""Flickr: read what people paste (:mod:`.refs`), ask the REST API (:mod:`.api`).

Public names are re-exported here; import from ``bot.flickr``.
"""

from __future__ import annotations

from .api import FlickrClient, PublicPhotos
from .base58 import base58_decode, base58_encode
from .refs import (FORMS_THAT_WORK, MAX_PHOTO_ID, MAX_REF_LENGTH, FlickrRef,
                   flickr_keys_from_url, is_nsid, normalise_nsid, parse_account_ref,
                   parse_flickr_ref)

__all__ = [
    "FORMS_THAT_WORK",
    "FlickrClient",
    "FlickrRef",
    "MAX_PHOTO_ID",
    "MAX_REF_LENGTH",
    "PublicPhotos",
    "base58_decode",
    "base58_encode",
    "flickr_keys_from_url",
    "is_nsid",
    "normalise_nsid",
    "parse_account_ref",
    "parse_flickr_ref",
]
