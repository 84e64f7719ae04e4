"""A check result as the session keeps it: compact, JSON-safe, bounded.

A whole Flickr account can match thousands of photos, and the session is
written on every step, so matches are stored as short rows (dataset and kind
as list positions, the photo page link left out when it can be rebuilt) and
at most :data:`MAX_STORED_MATCHES` of them; ``dropped`` counts the rest.
"""

from __future__ import annotations

from typing import Any

from ..check import MATCH_KINDS, CheckIssue, CheckResult, Match
from ..index.keys import flickr_page_url

MAX_STORED_MATCHES = 10_000


def encode(result: CheckResult, limit: int = MAX_STORED_MATCHES) -> dict[str, Any]:
    datasets: dict[str, int] = {}
    queries: dict[str, int] = {}
    owners: dict[str | None, int] = {None: 0}
    rows = []
    for m in result.matches[:limit]:
        url = m.url
        if url is not None and m.photo_id and url == flickr_page_url(m.photo_id, m.owner):
            url = None    # rebuilt on reading
        row = [datasets.setdefault(m.dataset, len(datasets)), MATCH_KINDS.index(m.match),
               m.photo_id, owners.setdefault(m.owner, len(owners)), url, m.distance,
               queries.setdefault(m.query, len(queries))]
        if m.path:
            row.append(m.path)        # a dataset image known only by its path
        rows.append(row)
    return {"checked": list(result.checked),
            "issues": [[i.query, i.reason, i.text] for i in result.issues],
            "inputs": result.inputs,
            "datasets": list(datasets), "queries": list(queries), "owners": list(owners),
            "rows": rows, "dropped": max(0, len(result.matches) - limit)}


def issues(result: dict | None) -> list[CheckIssue]:
    """Why inputs were not checked, or checked in part (a session saved before issues had
    reasons keeps its problem sentences, as inputs that could not be read)."""
    if not result:
        return []
    if "issues" in result:
        return [CheckIssue(query, reason, text) for query, reason, text in result["issues"]]
    return [CheckIssue(text.split(":", 1)[0], "unreadable", text)
            for text in result.get("problems", [])]


def nothing_checked(result: dict | None) -> bool:
    """No input could be checked at all (then a result without matches says nothing)."""
    if not result or result["rows"]:
        return False
    unchecked = {i.query for i in issues(result) if not i.checked}
    return bool(unchecked) and len(unchecked) >= result.get("inputs", len(unchecked))


def count(result: dict | None) -> int:
    return len(result["rows"]) if result else 0


def matched_datasets(result: dict | None) -> list[str]:
    """Slugs of the datasets with a match, in check order."""
    if not result:
        return []
    return [result["datasets"][i] for i in dict.fromkeys(row[0] for row in result["rows"])]


def matches(result: dict | None, start: int = 0, stop: int | None = None) -> list[Match]:
    if not result:
        return []
    out = []
    owners = result["owners"]
    for d, kind, photo_id, o, url, distance, q, *rest in result["rows"][start:stop]:
        owner = owners[o]
        if url is None and photo_id:
            url = flickr_page_url(photo_id, owner)
        out.append(Match(result["datasets"][d], MATCH_KINDS[kind], photo_id, owner, url, distance,
                         result["queries"][q], rest[0] if rest else None))
    return out


def to_check_result(result: dict) -> CheckResult:
    return CheckResult(tuple(result["checked"]), tuple(matches(result)), tuple(issues(result)),
                       result.get("inputs", 0))
