"""Outputs for people: answers, decks, stories, drafts, deliveries (computing, not pages)."""
