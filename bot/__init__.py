"""rcodebot: explains DNS response codes and finds the cause of DNS failures, in Slack and in a terminal."""

__version__ = "0.1.0"
