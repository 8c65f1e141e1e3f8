"""Progress bars: shown only when asked (a terminal), silent otherwise."""

import io

from rich.console import Console

from flows import progress


def test_off_by_default_and_the_items_pass_through(capsys):
    assert list(progress.tracked([1, 2, 3], "validate")) == [1, 2, 3]
    progress.advance("extract", 1, 2)
    assert capsys.readouterr() == ("", "")


def test_not_on_a_terminal_means_no_bar():
    with progress.terminal_progress(None) as shown:  # pytest captures stderr: not a terminal
        assert not shown


def test_a_bar_counts_the_items_done():
    sink = io.StringIO()
    console = Console(file=sink, force_terminal=True, width=100)
    with progress.terminal_progress(True, console=console) as shown:
        assert shown
        assert list(progress.tracked(["a", "b"], "validate")) == ["a", "b"]
        progress.advance("extract", 5, 10)
    text = sink.getvalue()
    assert "validate" in text and "2/2" in text and "extract" in text and "5/10" in text
    assert progress._progress is None  # off again after the block
