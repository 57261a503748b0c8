"""A progress bar for batch commands, drawn only when the output is a terminal."""

from typing import TextIO

from django.core.management.base import OutputWrapper


class ProgressBar:
    def __init__(self, stream: TextIO | OutputWrapper, label: str, width: int = 30):
        self.stream, self.label, self.width = stream, label, width
        self.enabled = stream.isatty()
        self.open = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        filled = self.width * min(done, total) // total
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}")
        self.open = done < total
        if not self.open:
            self.stream.write("\n")
        self.stream.flush()

    def finish(self) -> None:
        """End the bar's line, if it is still open (fewer items than counted)."""
        if self.enabled and self.open:
            self.stream.write("\n")
            self.open = False
