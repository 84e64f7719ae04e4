"""``python -m bot`` is the ``rightsbot`` command."""

from .cli import main

raise SystemExit(main())
