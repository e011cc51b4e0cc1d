"""Presentation: pure functions from core results to Slack Block Kit and terminal text."""
