"""The manifest formats ``rightsbot index import --format`` understands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from . import formats_structured as structured
from . import formats_text as text
from .parsing import COLUMNS, ParseContext
from .sources import Source

Parser = Callable[[Source, ParseContext], Iterator[list[tuple]]]


@dataclass(frozen=True)
class Format:
    name: str
    columns: tuple[str, ...]     # what each row tuple holds, a subset of COLUMNS in order
    parse: Parser
    summary: str

    @property
    def needs_file(self) -> bool:
        return self.name == "laion"


_URL_KEYS = ("photo_id", "owner_id", "url")

FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("yfcc100m", ("photo_id", "owner_id"), text.parse_yfcc100m,
           "YFCC100M TSV (25 or 23 fields): photo ID, owner NSID"),
    Format("pipa", ("photo_id",), text.parse_pipa,
           "PIPA annotations (photoset photo xmin ymin w h identity subset): photo ID"),
    Format("facescrub", _URL_KEYS + ("sha256",), text.parse_facescrub,
           "FaceScrub TSV (name image_id face_id url bbox sha256): URL, sha256"),
    Format("megaface", ("photo_id", "owner_id"), text.parse_megaface,
           "MegaFace image paths (lines or JSON lists): photo ID, owner NSID"),
    Format("vggface", _URL_KEYS, text.parse_vggface,
           "VGG Face files/<Name>.txt (id url left top right bottom ...): URL"),
    Format("msceleb", _URL_KEYS, text.parse_msceleb,
           "MS-Celeb-1M TSV (MID rank ImageURL PageURL ...): image URL"),
    Format("ffhq", ("photo_id", "owner_id", "md5"), structured.parse_ffhq,
           "FFHQ ffhq-dataset-v2.json: Flickr photo ID and owner, image md5"),
    Format("laion", _URL_KEYS, structured.parse_laion,
           "LAION parquet (URL column; needs pyarrow): URL"),
    Format("ijbc", ("photo_id",), structured.parse_ijbc,
           "IJB-C metadata CSV (FILENAME): photo ID where the name is a Flickr file name"),
    Format("urls", _URL_KEYS, text.parse_urls,
           "one image or Flickr URL per line"),
    Format("photo-ids", ("photo_id",), text.parse_photo_ids,
           "one Flickr photo ID per line (e.g. a DiF list)"),
    Format("csv", COLUMNS, structured.parse_csv,
           "any CSV/TSV with a header; map columns with --column KEY=NAME"),
)}
