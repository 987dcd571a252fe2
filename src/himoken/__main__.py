"""`python -m himoken …`; also the file spark-submit is given to run a collation on a cluster:
`spark-submit --master yarn "$(python -c 'import himoken.__main__ as m; print(m.__file__)')"
collate --backend spark …` (docs/spark.md)."""

from himoken.cli import app

if __name__ == "__main__":
    app(prog_name="himoken")
