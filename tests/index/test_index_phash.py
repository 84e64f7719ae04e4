"""find_similar: every hash within the radius (checked against brute force), nothing else."""

from __future__ import annotations

import numpy as np
import pytest

from bot.index import DatasetIndex, import_manifest
from bot.index.phash import PhashSearch, brute_force
from tests.index.manifests import write


def flip_bits(rng: np.random.Generator, value: int, count: int) -> int:
    for bit in rng.choice(64, size=count, replace=False):
        value ^= 1 << int(bit)
    return value


@pytest.mark.parametrize("seed", range(6))
def test_multi_index_search_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 2**63, size=20_000, dtype=np.uint64) * np.uint64(2) \
        + rng.integers(0, 2, size=20_000, dtype=np.uint64)
    # clusters around a few centres at every distance 0..20, plus exact duplicates
    centres = [int(x) for x in base[:5]]
    near = [flip_bits(rng, c, int(d)) for c in centres for d in rng.integers(0, 21, 200)]
    hashes = np.concatenate([base, np.array(near, dtype=np.uint64), base[:50]])
    search = PhashSearch(hashes)
    for query in centres + [int(x) for x in rng.integers(0, 2**63, 5, dtype=np.uint64)]:
        for radius in (0, 1, 3, 4, 7, 8, 11, 12, 15, 16, 20, 32):
            got, got_d = search.positions(query, radius)
            want, want_d = brute_force(hashes, query, radius)
            assert np.array_equal(np.sort(got), np.sort(want)), (query, radius)
            assert dict(zip(got.tolist(), got_d.tolist())) == dict(zip(want.tolist(),
                                                                       want_d.tolist()))


def test_top_bit_hashes_and_empty_structure():
    hashes = np.array([0xFFFFFFFFFFFFFFFF, 0x8000000000000000, 0], dtype=np.uint64)
    search = PhashSearch(hashes)
    assert search.positions(0xFFFFFFFFFFFFFFFE, 1)[0].tolist() == [0]
    assert sorted(search.positions(0, 1)[0].tolist()) == [1, 2]
    assert PhashSearch(np.zeros(0, dtype=np.uint64)).positions(5, 8)[0].size == 0


def test_find_similar_through_the_index_sorted_by_distance(tmp_path, index_path):
    rng = np.random.default_rng(7)
    query = 0xC3A1B2D4E5F60718
    rows = ["url,ph"]
    expected = {}
    for n in range(300):
        value = flip_bits(rng, query, n % 12) if n < 60 else int(rng.integers(0, 2**63))
        url = f"https://example.org/{n}.jpg"
        rows.append(f"{url},{value:016x}")
        if bin(value ^ query).count("1") <= 8:
            expected[url] = bin(value ^ query).count("1")
    path = write(tmp_path / "ph.csv", "\n".join(rows) + "\n")
    import_manifest(index_path, "hashed", "csv", [path],
                    options={"columns": {"url": "url", "phash": "ph"}})
    with DatasetIndex.open(index_path) as index:
        found = index.find_similar(query, 8)
    assert {hit.url: d for hit, d in found} == expected
    assert [d for _, d in found] == sorted(d for _, d in found)
