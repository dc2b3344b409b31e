"""Storage backends behind one protocol. Import ``Store`` and ``open_store`` from here."""

from .base import CredentialCheck, Store, WindowResult
from .factory import open_store

__all__ = ["CredentialCheck", "Store", "WindowResult", "open_store"]
