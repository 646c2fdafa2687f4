"""The error every source reader raises: a safe description, never a record's values."""


class SourceError(RuntimeError):
    """The source could not be read as declared (connection, query, file layout or content)."""
