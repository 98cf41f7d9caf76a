"""Slack: the /brief slash command and @mentions, from a signed request to a posted brief."""
