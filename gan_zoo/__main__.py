"""`python -m gan_zoo`: the `gan-zoo` command.

Python imports the `gan_zoo` package, and so Keras, before this module
runs: `--help` is slower than `gan-zoo --help`, TensorFlow's start-up logs
may show, and `--backend` can only name the backend already loaded (set
`KERAS_BACKEND` instead). The `gan-zoo` command avoids all three.
"""

from gan_zoo_cli import main

if __name__ == "__main__":
    raise SystemExit(main())
