"""The progress bar: on a terminal only, never in CI logs, and only after a moment."""

from __future__ import annotations

import io

from contentlint import progress as progress_module
from contentlint.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_on_a_terminal_after_the_delay(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    stream = Terminal()
    with Progress(stream=stream) as bar:
        bar.update(5, 10)
    out = stream.getvalue()
    assert "\r" + "checking [" + "#" * 15 + "." * 15 + "] 5/10 files" in out
    assert out.endswith("\r\033[K")  # the line is cleared at the end


def test_quick_runs_show_nothing(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    stream = Terminal()
    with Progress(stream=stream) as bar:  # the default delay has not passed
        bar.update(1, 2)
    assert stream.getvalue() == ""


def test_never_in_ci_or_when_redirected(monkeypatch):
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    monkeypatch.setenv("CI", "true")
    stream = Terminal()
    with Progress(stream=stream) as bar:
        bar.update(5, 10)
    assert stream.getvalue() == ""
    monkeypatch.delenv("CI")
    redirected = io.StringIO()  # not a TTY
    with Progress(stream=redirected) as bar:
        bar.update(5, 10)
    assert redirected.getvalue() == ""
