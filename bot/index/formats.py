"""The manifest formats ``rightsbot index import --format`` understands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from . import formats_captions as captions
from . import formats_json as json_formats
from . import formats_structured as structured
from . import formats_text as text
from . import formats_web as web
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
        """Parquet formats seek around the file: no pipes, no compressed copies."""
        return self.name in ("laion", "datacomp")


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
    Format("flickr30k", ("photo_id",), captions.parse_flickr30k,
           "Flickr30k image lists (<photo_id>[.jpg] a line, or the caption files): photo ID"),
    Format("flickr8k", ("photo_id",), captions.parse_flickr8k,
           "Flickr8k image lists (<photo_id>_<secret>.jpg a line, or Flickr8k.token.txt): "
           "photo ID"),
    Format("coco", ("photo_id", "owner_id"), json_formats.parse_coco,
           "MS-COCO annotation JSON (images[].flickr_url): photo ID"),
    Format("visual-genome", ("photo_id",), json_formats.parse_visual_genome,
           "Visual Genome image_data.json (flickr_id): photo ID"),
    Format("open-images", ("photo_id", "owner_id", "url", "md5"), web.parse_open_images,
           "Open Images image CSV (OriginalLandingURL, AuthorProfileURL, OriginalMD5): "
           "photo ID, owner, original file md5"),
    Format("conceptual-captions", _URL_KEYS, captions.parse_conceptual_captions,
           "Conceptual Captions TSV (caption, image URL): URL"),
    Format("fsxl", ("photo_id", "owner_id"), json_formats.parse_fsxl,
           "FSXL fsxl-metadata.json (photo_url): photo ID, owner NSID"),
    Format("datacomp", _URL_KEYS + ("sha256",), web.parse_datacomp,
           "DataComp parquet (url column, sha256 where present; needs pyarrow): URL"),
    Format("csv", COLUMNS, structured.parse_csv,
           "any CSV/TSV with a header; map columns with --column KEY=NAME"),
)}
