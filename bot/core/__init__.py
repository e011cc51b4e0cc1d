"""The functional core: knowledge, query parsing, reading tool output, diagnosis.

Nothing under bot/core imports Slack, touches the network or reads the environment (tests/test_layers.py).
"""
