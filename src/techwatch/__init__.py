"""techwatch: foresight cards from a tech watch."""

__version__ = "0.1.0"
