"""Daily janitor: orphan staging tables, unpublished result tables and work files."""

from popsync.airflow.maintenance_dag import build_maintenance_dag

popsync_maintenance = build_maintenance_dag()
