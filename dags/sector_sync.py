"""One sync DAG per sector, generated from ``include/sectors/*.yaml``."""

from popsync.airflow.sector_dag import build_sector_dag
from popsync.sectors import load_sectors

for _sector in load_sectors():
    globals()[_sector.dag_id] = build_sector_dag(_sector)
