"""The one reading of a caller's turn, shared by the persona engine and the scorer.

This layer knows language and nothing else: normalising, days and times, research and names, intents
(keyword and fuzzy rules beside a small sentence-embedding model). Its word lists are data files beside
the scenarios (`lexicon.yaml`, `intents.yaml`), validated like a scenario.
"""
