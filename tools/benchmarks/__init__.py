"""The benchmarks behind `tools/bench.py`, one module per subcommand.

`common` holds what they share: the machine's description, best-of-repeats
timing and the `--all` runner (one subprocess per backend, since Keras reads
`KERAS_BACKEND` once per process). Benchmarks print numbers and assert
nothing.
"""
