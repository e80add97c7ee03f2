"""Importing collections from the tools people leave (Postman, Insomnia, Bruno, OpenAPI,
Posting, HAR): one module per format reads its file into an `Imported` (requests, environments,
collection variables, one-line warnings for what could not come along); `save_import` writes it
into a collection the way every other path writes (storage, env_files, the secrets file), so an
import never writes a credential into a request file. `read_import` picks the format."""

from streamdash.core.importers.model import Imported, ImportRefused

__all__ = ["ImportRefused", "Imported"]
