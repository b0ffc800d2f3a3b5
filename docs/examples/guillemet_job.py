"""Entry point for orchestrators that run ``python FILE --flag=value ...``, e.g. Airflow's
BeamRunPythonPipelineOperator: it runs ``guillemet run`` with those flags.

The operator's command is ``[py_interpreter, *py_options, py_file, *flags]``: there is no place for
the ``run`` subcommand, so this file adds it. Flags guillemet does not know (``--runner``,
``--project``, ``--job_name``...) go to Beam; the exit code is guillemet's (docs/scheduling.md).
"""

import sys

from pipeline.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
