"""The domain's exceptions.

Every error the domain raises on purpose derives from :class:`RightsbotError`;
its message is a plain sentence meant for a person (no tracebacks, no jargon),
so the edges (the CLI, the Telegram bot, the terminal chat) can show it as is.

Hierarchy::

    RightsbotError                  anything the domain raises on purpose
    ├── ConfigError                 the configuration file or a setting is wrong
    ├── InputError                  something a person typed or sent is not usable
    │   ├── ReferenceParseError     not a Flickr link, NSID, photo ID or image URL
    │   └── PhotoError              an uploaded image cannot be checked
    ├── IndexStoreError             the dataset index is missing, damaged or locked
    │   └── ImportFormatError       a manifest is not the declared format at all
    ├── FlickrError                 the Flickr API could not answer the question
    │   ├── FlickrKeyMissing        no FLICKR_API_KEY: only NSIDs and photo IDs work
    │   │   └── FlickrKeyInvalid    Flickr rejected the key (error 100): same fallback
    │   ├── FlickrUserNotFound      no Flickr user by that name or alias
    │   └── FlickrUnavailable       network failure, timeouts, 5xx after retries
    ├── DataError                   bundled or user-supplied data fails validation
    ├── LetterError                 a letter cannot be produced from these inputs
    ├── SignatureError              a PDF cannot be sealed (key, certificate)
    ├── VerificationError           a PDF failed verification (tampered, unsigned)
    └── StorageError                the bot's store cannot be read or written

Catch :class:`RightsbotError` at an edge to show ``str(error)`` to a person;
catch a subclass where the code can do something specific about it (for
example, fall back to NSID-only input on :class:`FlickrKeyMissing`).
"""

from __future__ import annotations


class RightsbotError(Exception):
    """Base class: the message is for people."""


class ConfigError(RightsbotError):
    """The configuration file or one of its settings is invalid."""


class InputError(RightsbotError):
    """Input from a person, a file or a form is not usable as given."""


class ReferenceParseError(InputError):
    """Text that should name a Flickr photo, account or image URL does not."""


class PhotoError(InputError):
    """An image is too large, truncated, not an image, or a decompression bomb."""


class IndexStoreError(RightsbotError):
    """The dataset index cannot be opened, read or written."""


class ImportFormatError(IndexStoreError):
    """A manifest file is not the declared format at all."""


class FlickrError(RightsbotError):
    """The Flickr API could not answer."""


class FlickrKeyMissing(FlickrError):
    """No API key is configured, so aliases and usernames cannot be resolved."""


class FlickrKeyInvalid(FlickrKeyMissing):
    """Flickr rejected the configured API key (invalid or expired)."""


class FlickrUserNotFound(FlickrError):
    """Flickr knows no user by that name, alias or URL."""


class FlickrUnavailable(FlickrError):
    """Flickr did not answer in time, or kept failing after retries."""


class DataError(RightsbotError):
    """A data record (dataset, company, rule, person file) fails validation."""


class LetterError(RightsbotError):
    """A letter cannot be produced from the given inputs."""


class SignatureError(RightsbotError):
    """A PDF cannot be sealed with the given key and certificate."""


class VerificationError(RightsbotError):
    """A PDF did not pass verification."""


class StorageError(RightsbotError):
    """The bot's persistent store cannot be read or written."""
