"""onewindow: one-window government services and administrative-efficiency supervision."""

__version__ = "0.1.0"
