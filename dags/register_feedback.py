"""Export register_wrong verdicts daily for the register authority, as a file and an Asset."""

from popsync.airflow.feedback_dag import build_feedback_dag

register_feedback = build_feedback_dag()
