"""The journey in a terminal (`rightsbot chat`)."""
