"""One person's progress through the journey, as a JSON-safe dict with typed access.

The store keeps the dict; :class:`Session` only adds names and defaults, so a
session saved by an older version still loads (missing keys take defaults).
Nothing here holds photo bytes: uploads are hashed on arrival and dropped. The
one binary item, a signature image, is kept base64-encoded only until the
letters are made, then deleted.
"""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any

SCHEMA_VERSION = 1

# Fields of the letter form, in the order the journey asks for them.
FORM_FIELDS = ("shown", "shown_photos", "shown_some", "child_name", "residence", "uploaded_from",
               "name", "address", "email", "signature", "recipients", "bipa_choice")


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class Session:
    """A thin, typed view over the stored dict (``data``)."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.data: dict[str, Any] = data if data is not None else {}
        self.data.setdefault("version", SCHEMA_VERSION)
        self.data.setdefault("step", "welcome")
        self.data.setdefault("nonce", 1)
        self.data.setdefault("consented_at", None)
        self.data.setdefault("inputs", {"flickr": [], "urls": [], "photos": []})
        self.data.setdefault("result", None)
        self.data.setdefault("form", {})
        self.data.setdefault("return_to", None)
        self.data.setdefault("page", 0)
        self.data.setdefault("last_seen", _now())

    # -- consent and step --------------------------------------------------
    @property
    def consented(self) -> bool:
        return bool(self.data["consented_at"])

    def consent(self) -> None:
        self.data["consented_at"] = _now()

    @property
    def step(self) -> str:
        return self.data["step"]

    def go(self, step: str) -> None:
        """Move to ``step``; keyboards of earlier steps become stale."""
        self.data["step"] = step
        self.data["nonce"] = (self.data["nonce"] % 9999) + 1
        self.data["page"] = 0

    @property
    def nonce(self) -> int:
        return self.data["nonce"]

    def touch(self) -> None:
        self.data["last_seen"] = _now()

    # -- what to check -----------------------------------------------------
    @property
    def inputs(self) -> dict[str, list]:
        return self.data["inputs"]

    def has_inputs(self) -> bool:
        return any(self.inputs[k] for k in ("flickr", "urls", "photos"))

    def clear_inputs(self) -> None:
        self.data["inputs"] = {"flickr": [], "urls": [], "photos": []}
        self.data["result"] = None

    @property
    def result(self) -> dict[str, Any] | None:
        return self.data["result"]

    @result.setter
    def result(self, value: dict[str, Any] | None) -> None:
        self.data["result"] = value

    # -- the letter form ---------------------------------------------------
    @property
    def form(self) -> dict[str, Any]:
        return self.data["form"]

    def signature_image(self) -> bytes | None:
        encoded = self.form.get("signature_image")
        return base64.b64decode(encoded) if encoded else None

    def set_signature_image(self, data: bytes | None) -> None:
        if data is None:
            self.form.pop("signature_image", None)
        else:
            self.form["signature_image"] = base64.b64encode(data).decode("ascii")

    @property
    def page(self) -> int:
        return self.data["page"]

    @page.setter
    def page(self, value: int) -> None:
        self.data["page"] = max(0, int(value))
