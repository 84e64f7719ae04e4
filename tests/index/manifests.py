"""Small manifest builders shared by the index tests."""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path


YFCC_ROW = ("{n}\t{pid}\t0123456789abcdef0123456789abcdef\t{nsid}\tsome%2Bone\t2012-02-16 09:56:37.0\t"
            "1331840483\tCanon+PowerShot\tIMG_0520\tMy+vacation\tcanon,beach\t\t-81.80\t24.55\t12\t"
            "http://www.flickr.com/photos/{nsid}/{pid}/\t"
            "http://farm8.staticflickr.com/7205/{pid}_8c6e2bfb5d.jpg\tAttribution License\t"
            "http://creativecommons.org/licenses/by/2.0/\t7205\t8\t8c6e2bfb5d\tb0f2a1c3d4\tjpg\t0")


def yfcc_line(n: int, pid: int, nsid: str) -> str:
    return YFCC_ROW.format(n=n, pid=pid, nsid=nsid)


def yfcc23_line(pid: int, nsid: str) -> str:
    fields = yfcc_line(0, pid, nsid).split("\t")
    return "\t".join(fields[1:2] + fields[3:])


def write(path: Path, text: str | bytes, compression: str = "none") -> Path:
    data = text.encode("utf-8") if isinstance(text, str) else text
    if compression == "gzip":
        data = gzip.compress(data)
    elif compression == "bzip2":
        data = bz2.compress(data)
    elif compression == "xz":
        data = lzma.compress(data)
    path.write_bytes(data)
    return path
