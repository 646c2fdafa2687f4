"""Readers of sector sources: PostgreSQL (ADBC), other databases (SQLAlchemy) and files.

Every reader yields the same stream: Arrow record batches with the staging columns
(:mod:`popsync.sources.staging`), read once, in bounded memory. Nothing here imports Airflow;
connections and object-storage paths are resolved at the edge.
"""
