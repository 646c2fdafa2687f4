"""Declarative sector definitions (``include/sectors/*.yaml``) and their typed model."""

from popsync.sectors.loader import SectorConfigError, load_sector, load_sectors
from popsync.sectors.model import DatasetDefinition, SectorDefinition

__all__ = ["DatasetDefinition", "SectorConfigError", "SectorDefinition", "load_sector", "load_sectors"]
