"""The bot's persistent store (TinyDB files, atomic writes, one writer).

See :mod:`bot.storage.store` for the layout, retention and ``/forget``.
"""

from .atomic import AtomicJSONStorage, atomic_write_bytes
from .store import Store

__all__ = ["AtomicJSONStorage", "Store", "atomic_write_bytes"]
