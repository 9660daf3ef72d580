"""What the reproduction scripts share: their `--out` files and the recipe
they record with a saved model."""

import csv
import pathlib

import numpy as np


def write_outputs(out, table, **csv_files):
    """Writes `out/table.md` (the printed table's lines) and, for each
    `name=(columns, rows)`, `out/<name>.csv` with a header row; rows are
    dicts keyed by the columns or sequences in their order."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "table.md").write_text("\n".join(table) + "\n")
    for name, (columns, rows) in csv_files.items():
        with open(out / f"{name}.csv", "w", newline="") as f:
            rows = list(rows)
            if rows and isinstance(rows[0], dict):
                writer = csv.DictWriter(f, fieldnames=columns)
                writer.writeheader()
            else:
                writer = csv.writer(f)
                writer.writerow(columns)
            writer.writerows(rows)


def curve_rows(curves):
    """`{name: [point, ...]}` as rows `(name, *point)`."""
    return [(name, *point) for name, curve in curves.items() for point in curve]


def table_lines(caption, columns, rows):
    """The lines of a caption, a blank line and a Markdown table with the
    header `columns` and one row per list of cells in `rows`."""
    return [caption, "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns),
            *("| " + " | ".join(map(str, row)) + " |" for row in rows)]


def spread(values, spec):
    """`"mean (min-max)"` of `values` over seeds, each formatted with `spec`."""
    values = np.asarray(values, dtype="float64")
    return f"{values.mean():{spec}} ({values.min():{spec}}-{values.max():{spec}})"


def recipe(script, args):
    """The command line's settings as JSON-ready metadata of a saved model."""
    settings = {k: str(v) if isinstance(v, pathlib.Path) else v for k, v in vars(args).items()}
    return {"command": f"tools/reproduce/{script}", **settings}
