"""Briefs made in the background: a durable store, in-process workers, signed webhooks."""
