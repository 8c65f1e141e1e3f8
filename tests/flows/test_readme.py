"""The README's Python snippets run as written against a real release."""

import re

import pytest

from flows.settings import ROOT

SNIPPETS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_readme_has_snippets():
    assert len(SNIPPETS) >= 3


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[f"snippet{i}" for i in range(len(SNIPPETS))])
def test_snippet_runs(snippet, seeds_build, capsys):
    _, out = seeds_build
    code = snippet.replace('"outputs/latest"', repr(str(out / "latest")))
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out.strip()
