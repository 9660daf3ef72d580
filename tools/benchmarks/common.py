"""What the benchmarks share: machine lines, timing, the `--all` runner."""

import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time

BACKENDS = ("tensorflow", "jax", "torch")
ROW_TAG = "BENCH_ROW "
ENTRY_POINT = os.path.join(os.path.dirname(os.path.dirname(__file__)), "bench.py")


def loadavg():
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _installed():
    from importlib import metadata

    found = []
    for name in ("keras", "tensorflow", "jax", "jaxlib", "torch", "numpy"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} not installed")
    return ", ".join(found)


def machine_lines():
    """The command, versions, CPU and load: what a figure needs beside it."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines = [
        "command: " + shlex.join([sys.executable] + sys.argv),
        f"python {platform.python_version()} on {platform.platform()}",
        f"installed: {_installed()}",
        f"CPU: {_cpu_model()}; {cpus} usable cores; load average {loadavg()}",
    ]
    try:
        if os.getloadavg()[0] >= 0.5 * cpus:
            lines.append(
                "WARNING: the machine is busy: expect noisy ratios (compare "
                "ratios from one run; torch's OpenMP threads suffer most)."
            )
    except OSError:
        pass
    return lines


def time_runs(runners, steps, repeats, max_seconds):
    """Times `run(steps)` of each runner, alternating who goes first.

    Args:
        runners: name -> callable running `steps` steps (and syncing).
        steps, repeats: timed steps per run, runs per runner.
        max_seconds: start no further repeat once this much time passed.

    Returns:
        name -> {"steps_per_s" (best run), "median_steps_per_s", "spread"
        (slowest / fastest), "repeats"}, or {"error": text}.
    """
    times = {name: [] for name in runners}
    errors = {}
    started = time.perf_counter()
    for repeat in range(repeats):
        order = list(runners.items())
        for name, run in order if repeat % 2 == 0 else order[::-1]:
            if name in errors:
                continue
            try:
                t0 = time.perf_counter()
                run(steps)
                times[name].append(time.perf_counter() - t0)
            except Exception as exc:  # a benchmark reports, it does not stop
                errors[name] = short_error(exc)
        if time.perf_counter() - started > max_seconds:
            break
    results = {}
    for name, elapsed in times.items():
        if name in errors or not elapsed:
            results[name] = {"error": errors.get(name, "no run")}
            continue
        elapsed = sorted(elapsed)
        results[name] = {
            "steps_per_s": steps / elapsed[0],
            "median_steps_per_s": steps / statistics.median(elapsed),
            "spread": elapsed[-1] / elapsed[0],
            "repeats": len(elapsed),
        }
    return results


def short_error(exc):
    text = f"{type(exc).__name__}: {exc}".strip().splitlines()
    return text[0][:160] if text else type(exc).__name__


def emit(row):
    """A child's row, for `run_backends` to collect."""
    print(ROW_TAG + json.dumps(row), flush=True)


def run_backends(subcommand, argv, backends, timeout):
    """Runs `bench.py SUBCOMMAND --backend B ARGV --machine-readable` per backend.

    Returns the rows the children emitted, in order, and a list of failures.
    """
    rows, failures = [], []
    for backend in backends:
        cmd = [sys.executable, ENTRY_POINT, subcommand, "--backend", backend]
        cmd += list(argv) + ["--machine-readable"]
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2")
        print(f"KERAS_BACKEND={backend} {shlex.join(cmd)}", flush=True)
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(
                cmd, env=env, capture_output=True, text=True, timeout=timeout
            )
            out, err, rc = proc.stdout, proc.stderr, proc.returncode
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout
            err, rc = f"timed out after {timeout} s", None
        got = [json.loads(line[len(ROW_TAG):]) for line in (out or "").splitlines()
               if line.startswith(ROW_TAG)]
        rows += got
        print(f"  ({time.perf_counter() - t0:.0f} s, {len(got)} rows)", flush=True)
        if rc != 0:
            tail = " | ".join((err or "").strip().splitlines()[-3:])
            failures.append(f"{backend}: exit {rc}, {len(got)} row(s) kept; {tail}")
    return rows, failures


def fmt(value, spec):
    return "n/a" if value is None else format(value, spec)


def ratio(a, b):
    return a / b if a and b else None


def print_table(columns, rows, left=1):
    """`columns`: (header, width, cell(row) -> str); the first `left` to the left."""

    def line(cells):
        return " ".join(
            f"{text:<{w}}" if i < left else f"{text:>{w}}"
            for i, (text, (_, w, _)) in enumerate(zip(cells, columns))
        )

    header = line([name for name, _, _ in columns])
    print(header)
    print("-" * len(header))
    for row in rows:
        print(line([cell(row) for _, _, cell in columns]))
