"""``rightsbot index``: build and inspect the SQLite dataset index.

Subcommands: ``import`` (a dataset's published manifests), ``hash-images`` (pHashes
from a folder of the dataset's images), ``stats``, ``build-demo``, ``remove``.
Every one takes ``--index PATH`` (default: ``[index] path`` of the config).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from ..config import Config
from ..errors import IndexStoreError, InputError
from ..index import FORMATS, DatasetIndex, build_demo_index, hash_image_folder, import_manifest, \
    open_index, remove_dataset
from ..index.formats_structured import csv_columns
from ..index.identity import LAYOUTS
from ..index.keys import valid_slug
from .common import add_config_option, add_index_option, add_json_option, format_table, \
    load_config, print_json, progress_bar

ORDER = 20

FORMAT_HELP = "\n".join(f"  {f.name:<10} {f.summary}" for f in FORMATS.values())
LAYOUT_HELP = "\n".join(f"  {name:<12} {summary}" for name, summary in LAYOUTS.items())


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "index", help="build and inspect the dataset index (import manifests, hash images)",
        description="The dataset index is one SQLite file holding, per dataset, the keys a "
                    "check can match: Flickr photo IDs and owner NSIDs, image URLs, file hashes "
                    "and perceptual hashes. Nothing about faces is stored.")
    sub = parser.add_subparsers(dest="index_command", metavar="SUBCOMMAND")
    sub.required = True

    imp = sub.add_parser(
        "import", help="import a dataset's published manifest files",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Import the manifest files of one dataset, replacing what the index held "
                    "for it (atomically: a failed or interrupted import changes nothing). "
                    "gzip, bzip2 and xz files are read directly; a folder means every file in "
                    "it. Bad rows are skipped and listed with their line numbers. A damaged "
                    "file (a compressed file cut off or failing its checksum, JSON broken off) "
                    "fails the import and leaves the index as it was, unless --accept-partial.",
        epilog="formats:\n" + FORMAT_HELP + "\n\nexamples:\n"
               "  rightsbot index import --dataset yfcc100m --format yfcc100m yfcc100m_dataset.bz2\n"
               "  rightsbot index import --dataset vggface --format vggface vgg_face_dataset/files\n"
               "  rightsbot index import --dataset mylist --format csv --column url=image_url "
               "list.csv")
    _common(imp)
    imp.add_argument("--dataset", required=True, metavar="SLUG",
                     help="dataset name in the index, e.g. megaface (see `rightsbot datasets`)")
    imp.add_argument("--format", required=True, choices=sorted(FORMATS), metavar="FORMAT",
                     help="manifest format (listed below)")
    imp.add_argument("--column", action="append", default=[], metavar="KEY=NAME",
                     help="csv format: which column holds a key; KEY is photo_id, owner, url, "
                          "sha256, md5 or phash (repeatable)")
    imp.add_argument("--accept-partial", action="store_true",
                     help="import the rows read before the damage in a damaged file (the "
                          "dataset is then incomplete; the import says so)")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="manifest files or folders")
    imp.set_defaults(func=run_import)

    hashing = sub.add_parser(
        "hash-images", help="add perceptual hashes from a folder of the dataset's images",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Hash every image under DIR (sha256, md5 and a 64-bit pHash, EXIF-upright) into the "
            "dataset's part of the index, so uploaded photos can match it even when "
            "recompressed. Uses all cores; resumable (files unchanged since the last run are "
            "skipped). Each image is named by its Flickr photo ID, owner and URL where its path "
            "(--layout), a map (--map) or FFHQ's metadata (--metadata) says them, so a match "
            "names the photo; an image with none is named by its path relative to DIR, which "
            "is then stored.", 78),
        epilog="layouts (default: the one of the format the dataset was imported as, else "
               "auto):\n" + LAYOUT_HELP + "\n\n" + textwrap.fill(
                   "map: a UTF-8 CSV, one image a line: path (relative to DIR), photo_id, owner, "
                   "url; a header line naming these columns is optional, owner and url may be "
                   "empty. Every field is checked; a map with any problem is refused with its "
                   "line numbers and nothing is hashed.", 78) + "\n\n"
               "examples:\n"
               "  rightsbot index hash-images --dataset flickr30k flickr30k-images\n"
               "  rightsbot index hash-images --dataset ffhq --layout ffhq "
               "--metadata ffhq-dataset-v2.json images1024x1024\n"
               "  rightsbot index hash-images --dataset mylist --map photos.csv photos")
    _common(hashing)
    hashing.add_argument("--dataset", required=True, metavar="SLUG", help="dataset name")
    hashing.add_argument("--workers", type=int, default=None, metavar="N",
                         help="processes hashing in parallel (default: one per core)")
    hashing.add_argument("--batch", type=int, default=256, metavar="N",
                         help="images per committed batch (a crash loses at most one)")
    hashing.add_argument("--fresh", action="store_true",
                         help="forget earlier hashes of this dataset first")
    hashing.add_argument("--layout", choices=sorted(LAYOUTS), default=None, metavar="LAYOUT",
                         help="how the image paths name their photos (listed below)")
    hashing.add_argument("--map", type=Path, default=None, metavar="FILE.csv", dest="map_file",
                         help="CSV naming each image's photo: path, photo_id, owner, url")
    hashing.add_argument("--metadata", type=Path, default=None, metavar="FILE.json",
                         help="FFHQ's ffhq-dataset-v2.json, for --layout ffhq")
    hashing.add_argument("folder", type=Path, metavar="DIR", help="folder of the dataset's images")
    hashing.set_defaults(func=run_hash_images)

    stats = sub.add_parser("stats", help="what the index holds, per dataset",
                           description="Rows per dataset and key type, file size, import dates "
                                       "and source files.")
    _common(stats)
    stats.set_defaults(func=run_stats)

    demo = sub.add_parser(
        "build-demo", help="build the bundled demo index",
        description="Build the demo index from manifests shipped with rightsbot: the real PIPA "
                    "annotations, a real FaceScrub sample and a clearly labelled synthetic "
                    "YFCC100M sample (also imported as DiF and MegaFace subsets). No network.")
    _common(demo)
    demo.add_argument("--force", action="store_true", help="replace an existing index file")
    demo.set_defaults(func=run_build_demo)

    remove = sub.add_parser("remove", help="remove one dataset from the index",
                            description="Remove a dataset's rows and hashed images (atomically).")
    _common(remove)
    remove.add_argument("--dataset", required=True, metavar="SLUG", help="dataset name")
    remove.set_defaults(func=run_remove)


def _common(parser: argparse.ArgumentParser) -> None:
    add_config_option(parser)
    add_index_option(parser)
    add_json_option(parser)


def index_path(args: argparse.Namespace) -> tuple[Config, Path]:
    config = load_config(args)
    path = Path(config.index.path)
    if path.is_dir():
        raise IndexStoreError(f"{path} is a folder; --index names the index file itself")
    if path.exists() and not path.is_file():     # a pipe or a device: opening it can block
        raise IndexStoreError(f"{path} is not a regular file, so not a dataset index")
    return config, path


def open_for_reading(args: argparse.Namespace) -> DatasetIndex:
    """The index for a reading command: an explicit --index must exist; the configured
    path gets the demo index on first use (when [index] demo is true)."""
    config, path = index_path(args)
    if args.index is not None and not path.exists():
        raise IndexStoreError(f"no dataset index at {path}")
    if not path.exists() and config.index.demo:
        print(f"note: building the demo index at {path} (real PIPA and FaceScrub metadata, "
              "synthetic YFCC100M/DiF/MegaFace samples; see `rightsbot index stats`)",
              file=sys.stderr)
    return open_index(config)


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
            if not inside:
                raise InputError(f"{path} holds no files")
            files += inside
        elif not path.exists():
            raise InputError(f"{path}: no such file")
        else:
            files.append(path)
    return files


def _check_slug(slug: str) -> None:
    if not valid_slug(slug):
        raise InputError(f"{slug[:60]!r} is not a dataset name: use lower-case letters, digits "
                         "and hyphens, e.g. megaface")


def _registry_note(slug: str) -> None:
    try:
        from ..registry import load_registry  # noqa: PLC0415
        known = slug in load_registry()
    except Exception:  # noqa: BLE001 - the registry is advisory here
        known = True
    if not known:
        print(f"note: {slug} is not in the dataset registry, so checks cannot name its creator "
              "or users (see `rightsbot datasets`)", file=sys.stderr)


def run_import(args: argparse.Namespace) -> int:
    _config, path = index_path(args)
    _check_slug(args.dataset)
    options = {}
    if args.format == "csv" or args.column:
        if args.format != "csv":
            raise InputError("--column is only for --format csv")
        options["columns"] = csv_columns(args.column)
    files = _expand(args.paths)
    bar = progress_bar(total=None, desc=f"importing {args.dataset}", unit="B", unit_scale=True)

    def progress(stage: str, done: int, total: int | None) -> None:
        if stage == "reading":
            if total and bar.total != total:
                bar.total = total
            bar.update(max(done - bar.n, 0))
        else:
            bar.set_description(f"{stage} {args.dataset}")
            bar.refresh()

    try:
        report = import_manifest(path, args.dataset, args.format, files, options=options,
                                 accept_partial=args.accept_partial, progress=progress)
    finally:
        bar.close()
    if args.json:
        print_json(report.to_json())
    else:
        print("\n".join(report.lines()))
        print(f"index: {path}")
    _registry_note(args.dataset)
    return 0


def run_hash_images(args: argparse.Namespace) -> int:
    config, path = index_path(args)
    if args.workers is not None and not 1 <= args.workers <= 256:
        raise InputError("--workers must be from 1 to 256")
    if not 1 <= args.batch <= 100_000:
        raise InputError("--batch must be from 1 to 100000")
    bar = progress_bar(total=None, desc=f"hashing {args.dataset}", unit="img")

    def progress(seen: int, _hashed: int) -> None:
        bar.update(seen - bar.n)

    try:
        report = hash_image_folder(path, args.dataset, args.folder,
                                   max_bytes=config.photos.max_bytes,
                                   max_pixels=config.photos.max_pixels, workers=args.workers,
                                   batch_size=args.batch, fresh=args.fresh, layout=args.layout,
                                   map_file=args.map_file, metadata=args.metadata,
                                   progress=progress)
    finally:
        bar.close()
    if args.json:
        print_json(report.to_json())
    else:
        print("\n".join(report.lines()))
    return 0


def run_stats(args: argparse.Namespace) -> int:
    with open_for_reading(args) as index:
        stats = index.stats()
    if args.json:
        print_json(stats)
        return 0
    print(f"index: {stats['path']}  ({stats['size_bytes'] / 1e6:.1f} MB, {stats['rows']:,} rows"
          + (f", {stats['bytes_per_row']} bytes per row)" if stats['rows'] else ")"))
    rows = []
    for d in stats["datasets"]:
        keys = ", ".join(f"{k} {v:,}" for k, v in d["keys"].items() if v)
        if d["images_hashed"]:
            keys += (", " if keys else "") + f"hashed images {d['images_hashed']:,}"
        rows.append([d["dataset"], f"{d['rows']:,}", keys or "-", d["format"] or "-",
                     (d["imported_at"] or d["images_updated_at"])[:10],
                     ", ".join(d["sources"]) or "-"])
    if rows:
        print(format_table(["dataset", "rows", "keys", "format", "imported", "sources"], rows))
    else:
        print("The index holds no datasets yet.")
    for d in stats["datasets"]:
        if d["note"]:
            print(f"{d['dataset']}: {d['note']}")
    return 0


def run_build_demo(args: argparse.Namespace) -> int:
    _config, path = index_path(args)
    if path.exists() and not args.force:
        raise IndexStoreError(f"{path} already exists; add --force to replace it with the demo "
                              "index")
    build_demo_index(path)
    if args.json:
        with DatasetIndex.open(path) as index:
            print_json(index.stats())
    else:
        print(f"built the demo index at {path}")
        print("try: rightsbot check --flickr 1808093328   (a real PIPA photo ID)")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    _config, path = index_path(args)
    remove_dataset(path, args.dataset)
    if args.json:
        print_json({"removed": args.dataset, "index": str(path)})
    else:
        print(f"removed {args.dataset} from {path}")
    return 0
