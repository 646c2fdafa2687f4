"""Database access: embedded server, connections, SQL files, identifiers."""
