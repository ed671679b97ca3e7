"""matchday's scheduling library: load an event, solve it, check any schedule."""

__version__ = "0.1.0"
