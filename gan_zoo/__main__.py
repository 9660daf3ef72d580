"""`python -m gan_zoo`: the `gan-zoo` command."""

from gan_zoo.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
