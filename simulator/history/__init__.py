"""The call history: every call saved turn by turn in SQLite, listed with trends, exported as transcripts."""

from simulator.history.store import (
    CallNotFound,
    CallSummary,
    HistoryError,
    HistoryStore,
    Scores,
    StoredCall,
    open_history,
)

__all__ = ["CallNotFound", "CallSummary", "HistoryError", "HistoryStore", "Scores", "StoredCall", "open_history"]
