"""A progress bar for batch commands, drawn only when the output is a terminal."""

from typing import TextIO

from django.core.management.base import OutputWrapper


class ProgressBar:
    def __init__(self, stream: TextIO | OutputWrapper, label: str, width: int = 30):
        self.stream, self.label, self.width = stream, label, width
        self.enabled = stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        filled = self.width * done // total
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {done}/{total}")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()
