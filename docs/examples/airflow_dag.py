"""An Airflow DAG that runs guillemet every hour with the Apache Beam provider.

Needs ``apache-airflow-providers-apache-beam`` (and ``apache-airflow-providers-google`` for the
Dataflow task) on the Airflow side, and guillemet installed in the interpreter named below, with
``docs/examples/guillemet_job.py`` copied next to it. See docs/scheduling.md.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.apache.beam.operators.beam import BeamRunPythonPipelineOperator
from airflow.providers.google.cloud.operators.dataflow import DataflowConfiguration

try:  # Airflow 3
    from airflow.sdk import DAG
except ImportError:  # Airflow 2
    from airflow import DAG

GUILLEMET = "/opt/guillemet"
PROJECT = "my-project"
REGION = "europe-west1"
BUCKET = "gs://my-news-bucket"
# What every run of the profile takes; `True` becomes a bare flag (--quiet).
JOB = {"py_file": f"{GUILLEMET}/docs/examples/guillemet_job.py", "py_interpreter": f"{GUILLEMET}/.venv/bin/python"}
OPTIONS = {"config": f"{GUILLEMET}/configs/fr-news.yaml", "output": f"{BUCKET}/guillemet", "quiet": True}

with DAG(
    dag_id="guillemet_fr_news",
    schedule="17 * * * *",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    # Incremental runs on one output must not overlap (docs/storage.md).
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=10)},
    tags=["guillemet"],
) as dag:
    # On the Airflow worker itself, with Beam's local runner (small profiles).
    local_run = BeamRunPythonPipelineOperator(
        task_id="guillemet_run_local",
        runner="FnApiRunner",
        **JOB,
        pipeline_options={**OPTIONS, "summary-json": "/tmp/guillemet-summary-{{ ts_nodash }}.json"},
    )

    # The same job on Dataflow: the driver (this task) waits for the job, then commits the run.
    dataflow_run = BeamRunPythonPipelineOperator(
        task_id="guillemet_run_dataflow",
        runner="DataflowRunner",
        **JOB,
        pipeline_options={
            **OPTIONS,
            "temp_location": f"{BUCKET}/tmp",
            "service_account_email": f"guillemet-worker@{PROJECT}.iam.gserviceaccount.com",
            "setup_file": f"{GUILLEMET}/setup.py",
        },
        dataflow_config=DataflowConfiguration(
            job_name="guillemet-fr-news",
            project_id=PROJECT,
            location=REGION,
            wait_until_finished=True,
        ),
    )
    # Pick one of the two in practice; chained here only to show both.
    local_run >> dataflow_run
