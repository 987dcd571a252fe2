"""himoken (紐付け点検): find, confirm, correct and prevent wrong My Number linkages."""

__version__ = "0.1.0"
