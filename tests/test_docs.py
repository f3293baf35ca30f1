"""The documentation names public modules only: an import a user copies from
a page keeps working when the private modules move."""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: The pages: README.md and the Sphinx sources (not what a build writes).
PAGES = [REPO / "README.md"] + sorted(
    page for page in (REPO / "docs").rglob("*.rst")
    if not {"_build", "generated"} & set(page.relative_to(REPO / "docs").parts)
)
#: A dotted name with a part that starts with one underscore:
#: ``sklearn_rnn._text``, ``sklearn_rnn.datasets._files.load_text_files``
#: (``sklearn_rnn.__version__`` is public).
PRIVATE = re.compile(r"\bsklearn_rnn(?:\.[A-Za-z]\w*)*\._[A-Za-z0-9]\w*")


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(REPO).as_posix())
def test_no_page_names_a_private_module(page):
    lines = page.read_text(encoding="utf-8").splitlines()
    found = [f"line {number}: {match.group(0)}" for number, line in enumerate(lines, 1)
             for match in PRIVATE.finditer(line)]
    assert not found, (f"{page.relative_to(REPO)} names private modules ({'; '.join(found)}): "
                       "name the public ones (sklearn_rnn, sklearn_rnn.datasets, ...) instead")
