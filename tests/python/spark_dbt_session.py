"""dbt commands run one after another in one process of the Spark venv, so the local Spark
session started by the first (`method: session`) serves the next: the JVM starts once and
the next command runs on code its compiler has already optimised (test_spark.py builds the
whole project, then runs the next night on the same tables).

Run by `.venv-spark/bin/python` (it imports dbt-spark's dbt, not the project). Each stdin
line is a JSON request, {"args": [...], "env": {...}, "cwd": "..."}; each reply, one JSON
line on stdout, is {"returncode": 0 | 1 | 2} as the `dbt` command would exit. dbt's and
the JVM's output go to stderr."""

import json
import os
import sys

from dbt.cli.main import dbtRunner


def main() -> None:
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the console output of dbt and Spark: stderr, never the replies
    for line in sys.stdin:
        request = json.loads(line)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        result = dbtRunner().invoke(request["args"])
        returncode = 0 if result.success else (1 if result.exception is None else 2)
        sys.stdout.flush()
        replies.write(json.dumps({"returncode": returncode}) + "\n")


if __name__ == "__main__":
    main()
