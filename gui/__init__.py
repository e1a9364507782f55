"""Hearth's window. PySide6 is imported only here; the work itself happens in hearthlm.core."""
