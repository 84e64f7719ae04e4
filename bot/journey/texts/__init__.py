"""Every sentence the journey says, in one place, ready for translation.

Plain text only (no HTML or Markdown), so names and links a person sends can
never turn into markup. Functions build the messages that carry data. One
module per part of the conversation; all of it is read as ``texts.NAME``.
"""

from .general import *  # noqa: F401,F403
from .checking import *  # noqa: F401,F403
from .form import *  # noqa: F401,F403
from .delivery import *  # noqa: F401,F403
from .followup import *  # noqa: F401,F403
