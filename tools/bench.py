"""Benchmarks of gan_zoo, one entry point: `python tools/bench.py SUBCOMMAND`.

Benchmarks print numbers and assert nothing. Keras reads `KERAS_BACKEND`
once per process, so the subcommands that compare backends run one backend
here (`--backend`) or every backend, one subprocess each (`--all`).

    step            our training step vs a keras-io-style reference, per
                    method, backend and jit mode; steps/s, images/s, FLOPs
    layers          peak memory of MinibatchDiscrimination's two forms
    data            input pipelines' images/s vs the training step's
    torch-overhead  the CharCNN residual join, ScaledAdd vs Rescaling + Add
    text-pipeline   microseconds a line of the streamed text pipeline
    joint-critic    the critic's gradient: one call on real + fake vs two

Usage:
    python tools/bench.py step --all
    python tools/bench.py step --backend jax --methods dcgan28 wgan_gp
    python tools/bench.py layers
    python tools/bench.py data --backend jax
    python tools/bench.py torch-overhead --all --torch-threads 1
    python tools/bench.py joint-critic --all
    GAN_ZOO_TEST_DATA=../shared/data python tools/bench.py text-pipeline
"""

import argparse
import os
import sys

from benchmarks import common

# name -> (module, help, which backends; None: no --backend/--all choice)
SUBCOMMANDS = {
    "step": ("step", "our training step vs a hand-written reference", common.BACKENDS),
    "layers": ("layers", "memory of MinibatchDiscrimination's two forms", ("jax", "torch")),
    "data": ("data", "input pipelines vs the training step", None),
    "torch-overhead": ("torch_overhead", "CharCNN residual join, two forms", common.BACKENDS),
    "text-pipeline": ("text_pipeline", "the streamed text pipeline by normaliser", None),
    "joint-critic": ("joint_critic", "critic gradient: one call on real + fake vs two",
                     common.BACKENDS),
}


def _module(name):
    import importlib

    return importlib.import_module(f"benchmarks.{SUBCOMMANDS[name][0]}")


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("\n\n", 2)[2],
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, (_, help_text, backends) in SUBCOMMANDS.items():
        p = subparsers.add_parser(name, help=help_text, description=help_text)
        if backends:
            which = p.add_mutually_exclusive_group(required=name != "layers")
            which.add_argument("--backend", choices=backends, help="run one backend here")
            which.add_argument("--all", action="store_true",
                               help="run every backend, one subprocess each")
            p.add_argument("--timeout", type=int, default=900,
                           help="--all: seconds allowed per backend (default 900)")
            p.add_argument("--machine-readable", action="store_true", help=argparse.SUPPRESS)
        _module(name).add_arguments(p)
    args = parser.parse_args(argv)
    for key in ("steps", "warmup", "repeats", "batch_size"):
        value = getattr(args, key, None)
        if value is not None and value < 1:
            parser.error(f"--{key.replace('_', '-')} must be >= 1. Received: {value}")
    return args


def _child_argv(argv):
    """The subcommand's arguments without the ones only the parent reads."""
    argv, kept, skip = list(argv)[1:], [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--all":
            continue
        elif arg == "--timeout":
            skip = True
        elif not arg.startswith("--timeout="):
            kept.append(arg)
    return kept


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    if getattr(args, "backend", None):
        os.environ["KERAS_BACKEND"] = args.backend
    return _module(args.command).main(args, _child_argv(argv))


if __name__ == "__main__":
    main()
