"""`python -m bot`: the same entry point as the `rcodebot` console script."""

from bot.entry import run

if __name__ == "__main__":
    run()
