"""Trends: clusters of card items with stable ids, and how each one emerges over time.

A pipeline of swappable steps behind one object (`TrendModel`), as BERTopic does:
embed, cluster, represent (c-TF-IDF labels), score (emergence). Numbers are computed
here; `techwatch.publish` renders them. Nothing in this package formats a page.
"""
