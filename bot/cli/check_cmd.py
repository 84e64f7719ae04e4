"""``rightsbot check``: are these photos or this Flickr account in known face datasets?"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..check import CheckIssue, CheckRequest, CheckResult, Checker, Match, PhotoInput
from ..config import Config
from ..errors import DataError, InputError
from ..files import read_file_capped
from ..index import DatasetIndex, DatasetInfo
from ..index.demo import fictional
from .common import add_config_option, add_index_option, add_json_option, format_table, \
    print_json, progress_bar
from .index_cmd import open_for_reading

ORDER = 10
ROWS_SHOWN = 10
EXIT_CHECKED = 0        # every input was checked (match or not)
EXIT_NOT_CHECKED = 1    # at least one input could not be checked
EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check", help="check Flickr links, image URLs or photos against the dataset index",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Check whether photos are in known face-recognition datasets. Give any mix "
                    "of Flickr references, image URLs and photo files; each is checked against "
                    "every dataset in the index by exact keys (Flickr photo ID, owner account, "
                    "URL, file hash) and, for photo files, by perceptual hash. Photos are hashed "
                    "in memory only: nothing is stored, no face is detected.",
        epilog="examples:\n"
               "  rightsbot check --flickr https://www.flickr.com/photos/99990001@N99/\n"
               "  rightsbot check --flickr 1808093328 --flickr https://flic.kr/p/7Afjsu\n"
               "  rightsbot check --url https://example.com/portrait.jpg --url example.com\n"
               "  rightsbot check --photo me.jpg --json\n\n"
               "A whole account (an NSID like 12345678@N00, or a profile link) is matched by "
               "owner; with FLICKR_API_KEY set, its public photos are also listed and matched "
               "by ID, and usernames/custom addresses can be resolved. A bare domain as --url "
               "matches every image the index holds from that site.\n\n"
               "exit status: 0 every input was checked, whether or not anything matched; "
               "1 at least one input could not be checked (a broken file, an unknown account: "
               "see \"Could not check\", or \"problems\" in the JSON; inputs checked only in "
               "part are listed under \"notes\" and do not change the status); "
               "2 usage error.")
    parser.add_argument("--flickr", action="append", default=[], metavar="REF",
                        help="a Flickr photo or profile link, short link, image URL, photo ID, "
                             "account NSID or username (repeatable)")
    parser.add_argument("--url", action="append", default=[], metavar="URL",
                        help="an image URL, or a bare domain for every image from that site "
                             "(repeatable)")
    parser.add_argument("--photo", action="append", default=[], type=Path, metavar="PATH",
                        help="a photo file, hashed in memory (repeatable)")
    add_index_option(parser)
    add_json_option(parser)
    add_config_option(parser)
    parser.set_defaults(func=run)


def _read_photo(path: Path, max_bytes: int) -> tuple[PhotoInput | None, str | None]:
    try:
        data = read_file_capped(path, max_bytes, what="photo", label=path.name)
    except InputError as exc:
        return None, str(exc)
    return PhotoInput(path.name, data), None


def run(args: argparse.Namespace) -> int:
    if not (args.flickr or args.url or args.photo):
        print("rightsbot check: give at least one --flickr, --url or --photo "
              "(see rightsbot check --help)", file=sys.stderr)
        return EXIT_USAGE
    from .common import load_config  # noqa: PLC0415
    config: Config = load_config(args)
    index = open_for_reading(args)
    photos, unread = [], []
    for path in args.photo:
        photo, problem = _read_photo(path, config.photos.max_bytes)
        if photo:
            photos.append(photo)
        else:
            unread.append(CheckIssue(path.name, "broken-photo", problem or path.name))
    from ..flickr import FlickrClient  # noqa: PLC0415
    checker = Checker(index, FlickrClient.from_config(config), radius=config.index.match_radius,
                      max_bytes=config.photos.max_bytes, max_pixels=config.photos.max_pixels)
    request = CheckRequest(tuple(args.flickr), tuple(args.url), tuple(photos))
    bar = progress_bar(total=None, desc="checking", unit="photo")

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "listing photos":
            bar.set_description("listing the account's photos")
            bar.total = total
            bar.update(max(done - bar.n, 0))

    try:
        result = checker.check(request, progress)
    finally:
        bar.close()
        if checker.flickr is not None:
            checker.flickr.close()
    if unread:
        result = CheckResult(result.checked, result.matches, tuple(unread) + result.issues,
                             result.inputs + len(unread))
    if args.json:
        print_json(result.to_json())
    else:
        print(render(result, index))
    index.close()
    return EXIT_NOT_CHECKED if result.problems else EXIT_CHECKED


def render(result: CheckResult, index: DatasetIndex) -> str:
    """The human report: a table per matching dataset, problems, what a miss does not prove."""
    registry = _registry()
    infos = {i.slug: i for i in index.info()}
    lines: list[str] = []
    by_dataset: dict[str, list[Match]] = {}
    for match in result.matches:
        by_dataset.setdefault(match.dataset, []).append(match)
    if result.nothing_checked:
        lines.append("Nothing could be checked (see below).")
    elif not by_dataset:
        lines.append(f"No match in the {len(result.checked)} datasets checked "
                     f"({', '.join(result.checked) or 'none'}).")
    for slug, matches in by_dataset.items():
        lines += _dataset_block(slug, matches, registry, infos.get(slug))
    if result.problems:
        lines += ["", "Could not check:"] + [f"  - {p}" for p in result.problems]
    if result.notes:
        lines += ["", "Checked in part:"] + [f"  - {n}" for n in result.notes]
    lines += ["", "What a miss does not prove:"] + [f"  - {n}" for n in _coverage(result, infos,
                                                                                  registry)]
    return "\n".join(lines)


def _registry():  # noqa: ANN202 - DatasetRegistry or None
    try:
        from ..registry import load_registry  # noqa: PLC0415
        return load_registry()
    except (DataError, ImportError, OSError):
        return None


def _company_name(slug: str) -> str:
    try:
        from ..companies import load_directory  # noqa: PLC0415
        return load_directory().get(slug).name
    except Exception:  # noqa: BLE001 - fall back to the slug
        return slug


def _dataset_block(slug: str, matches: list[Match], registry, info: DatasetInfo | None) -> list[str]:
    dataset = registry.get(slug) if registry is not None and slug in registry else None
    title = f"{dataset.name} ({slug})" if dataset else slug
    photos = len({m.photo_id or m.url or m.path for m in matches})
    kinds = ", ".join(sorted({m.match for m in matches}))
    lines = ["", f"{title}: {photos:,} photo{'s' if photos != 1 else ''} matched ({kinds})"]
    if info is not None and "SYNTHETIC" in info.note:
        # a demo dataset may mix real rows (MegaFace's real list) with fictional ones
        if all(fictional(m) for m in matches):
            lines.append("  NOTE: these are the demo's synthetic rows with fictional IDs, not real data.")
        elif any(fictional(m) for m in matches):
            lines.append("  NOTE: rows with @N99 owners or 9000000000… photo IDs are the demo's "
                         "synthetic sample; the others are real.")
    if dataset:
        creators = " and ".join(_company_name(c) for c in (dataset.creator, *dataset.co_creators))
        lines.append(f"  created by: {creators} ({dataset.year})")
    rows = [[m.match, m.photo_id or "-", m.owner or "-", _link(m)
             + (f"  (distance {m.distance})" if m.distance is not None else "")]
            for m in matches[:ROWS_SHOWN]]
    table = format_table(["match", "photo ID", "owner", "link"], rows)
    lines += ["  " + line for line in table.splitlines()]
    if len(matches) > ROWS_SHOWN:
        lines.append(f"  ... and {len(matches) - ROWS_SHOWN:,} more (use --json for all)")
    if dataset and dataset.users:
        lines.append("  reported users (reports, not findings, unless a court says so):")
        for user in dataset.users:
            lines.append(f"    {_company_name(user.company)} [{user.strength}]: {user.note}")
    elif dataset:
        lines.append("  reported users: none recorded")
    return lines


def _link(match: Match) -> str:
    """The photo's link, or for a dataset image known only by its file, that file."""
    if match.url:
        return match.url
    return f"dataset file {match.path}" if match.path else "-"


def _coverage(result: CheckResult, infos: dict[str, DatasetInfo], registry) -> list[str]:
    notes = [f"Only the datasets in this index were checked: {', '.join(result.checked) or 'none'}."]
    synthetic = [s for s in result.checked if s in infos and "SYNTHETIC" in infos[s].note]
    if synthetic:
        notes.append(f"{', '.join(synthetic)}: synthetic demo samples with fictional IDs; a miss "
                     "there says nothing about the real datasets.")
    if registry is not None:
        missing = [d.slug for d in registry if d.slug not in result.checked]
        if missing:
            notes.append(f"Not in this index, so not checked: {', '.join(missing)}.")
        partial = [d.slug for d in registry if d.slug in result.checked
                   and d.availability in ("on-request", "restricted", "withdrawn")]
        if partial:
            notes.append(f"{', '.join(partial)}: given out on request or withdrawn; the copy in "
                         "this index may be partial.")
        for slug in result.checked:
            if slug in registry and slug not in result.datasets():
                notes.append(registry.get(slug).miss_caveat())
    hashed = [s for s in result.checked if s in infos and infos[s].phash_count]
    notes.append("Photo files match by exact file hash only where a dataset publishes hashes "
                 "(FaceScrub sha256, FFHQ md5) and the file is unchanged; recompressed or resized "
                 "copies (e.g. sent through Telegram as a photo) match only by perceptual hash, "
                 "and only against datasets whose images were hashed into this index: "
                 f"{', '.join(hashed) if hashed else 'none here'}.")
    notes.append("Flickr accounts match by owner only where a dataset records owners; datasets "
                 "with photo IDs only (PIPA) match an account through its public photo list, "
                 "which needs FLICKR_API_KEY, and deleted or private photos are not listed.")
    return notes

