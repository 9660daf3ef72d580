"""Figures of a training run, drawn with matplotlib: the loss curves of a
`log.csv`, a scatter plot of real and generated 2-D points, measured
curves side by side, and functions over the plane (a discriminator's
landscape) side by side.

Each function saves one PNG and returns the `matplotlib.figure.Figure`,
drawn off-screen (a `Figure` and its Agg canvas, never pyplot's GUI).
matplotlib is imported when a function is called (tests/imports_test.py).
"""

import csv
import math
import pathlib

import numpy as np


def _figure():
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 6), dpi=100, layout="constrained")
    return figure, figure.add_subplot()


def _save(figure, png_path):
    path = pathlib.Path(png_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return figure


def _points(name, points):
    points = np.asarray(points, dtype="float64")
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(
            f"`{name}` must have shape (num_points, 2). Received: {name}.shape={points.shape}"
        )
    return points


def _number(text):
    try:
        return float(text)
    except ValueError:  # an empty or "NA" cell
        return math.nan


def loss_curves(log_csv_path, png_path, title=None):
    """Plots each column of a `keras.callbacks.CSVLogger` file (`d_loss`,
    `g_loss`, ...) against the epoch, counted from 1 as in the sample file
    names: one labelled line per column that has a value.

    Returns:
        The `Figure`, saved as `png_path` (parent folders are created).
    """
    with open(log_csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise ValueError(f"{log_csv_path} has no epochs to plot.")
    from matplotlib.ticker import MaxNLocator

    figure, axes = _figure()
    epochs = [int(row["epoch"]) + 1 for row in rows]
    for name in rows[0]:
        values = [_number(row[name]) for row in rows]
        # CSVLogger adds empty ("NA") val_ columns to runs without validation.
        if name != "epoch" and not all(math.isnan(v) for v in values):
            axes.plot(epochs, values, marker=".", label=name)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("epoch")
    axes.set_ylabel("mean over the epoch")
    axes.set_title(title or "Losses")
    axes.grid(alpha=0.3)
    if axes.lines:
        axes.legend()
    return _save(figure, png_path)


def scatter_2d(real, generated, png_path, title=None):
    """Plots 2-D points: `real` (array `(M, 2)`, or None) in orange behind
    `generated` (array `(N, 2)`) in blue, with equal scales on both axes
    and a legend "real" / "generated". Non-finite generated points are left
    out and counted in the legend.

    Returns:
        The `Figure`, saved as `png_path` (parent folders are created).
    """
    generated = _points("generated", generated)
    real = None if real is None else _points("real", real)
    figure, axes = _figure()
    if real is not None:
        axes.scatter(real[:, 0], real[:, 1], s=4, c="tab:orange", alpha=0.5, label="real")
    finite = np.all(np.isfinite(generated), axis=1)
    label = "generated"
    if not finite.all():
        label += f" ({np.sum(~finite)} non-finite not shown)"
    generated = generated[finite]
    axes.scatter(
        generated[:, 0], generated[:, 1], s=4, c="tab:blue", alpha=0.5, label=label
    )
    axes.set_aspect("equal", adjustable="datalim")
    axes.set_xlabel("x")
    axes.set_ylabel("y")
    if title:
        axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(markerscale=3, loc="upper right")
    return _save(figure, png_path)


def curves(panels, png_path, title=None):
    """Plots measured curves, one panel per entry of `panels`: a dict with
    `"xlabel"`, `"ylabel"` and `"series"`, a dict name -> `(x, y)`; each
    series is one labelled line with markers. A panel may add `"floor"`, a
    value drawn as a dashed horizontal line (e.g. an estimator's floor), and
    `"yscale"` (e.g. `"log"`).

    Returns:
        The `Figure`, saved as `png_path` (parent folders are created).
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6 * len(panels), 5), dpi=100, layout="constrained")
    for axes, panel in zip(figure.subplots(1, len(panels), squeeze=False)[0], panels):
        for name, (x, y) in panel["series"].items():
            axes.plot(x, y, marker=".", label=name)
        if panel.get("floor") is not None:
            axes.axhline(panel["floor"], color="grey", linestyle="--", label="floor")
        axes.set_xlabel(panel["xlabel"])
        axes.set_ylabel(panel["ylabel"])
        axes.set_yscale(panel.get("yscale", "linear"))
        axes.grid(alpha=0.3)
        axes.legend()
    if title:
        figure.suptitle(title)
    return _save(figure, png_path)


def landscapes(panels, png_path, title=None):
    """Draws functions over the plane side by side, one panel per entry of
    `panels`: a dict with `"title"`, `"values"` (a 2-D array over the grid,
    row i at `y_i`, column j at `x_j`), `"extent"` `(x0, x1, y0, y1)` of
    the grid, `"label"` (the colour bar's) and `"points"`, a dict name ->
    `(n, 2)` array drawn as a scatter over the map (e.g. real and generated
    samples).

    Returns:
        The `Figure`, saved as `png_path` (parent folders are created).
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6 * len(panels), 5.4), dpi=100, layout="constrained")
    colours = ("white", "tab:red", "tab:orange")
    for axes, panel in zip(figure.subplots(1, len(panels), squeeze=False)[0], panels):
        image = axes.imshow(
            np.asarray(panel["values"], dtype="float64"), origin="lower",
            extent=panel["extent"], cmap="viridis", aspect="equal",
        )
        figure.colorbar(image, ax=axes, label=panel["label"], shrink=0.85)
        for colour, (name, points) in zip(colours, panel["points"].items()):
            points = _points(name, points)
            axes.scatter(points[:, 0], points[:, 1], s=2, c=colour, alpha=0.4, label=name)
        axes.set_xlim(panel["extent"][:2])
        axes.set_ylim(panel["extent"][2:])
        axes.set_title(panel["title"])
        axes.legend(markerscale=4, loc="upper right")
    if title:
        figure.suptitle(title)
    return _save(figure, png_path)
