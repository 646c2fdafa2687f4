"""Review workflow: mismatch lifecycle across runs, verdicts of sector teams, feedback to the register.

Core library: imports nothing from Airflow. ``pipeline.publish`` calls
:func:`popsync.review.lifecycle.apply_run` inside the publish transaction.
"""
