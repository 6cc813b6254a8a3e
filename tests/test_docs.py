"""README.md documents the whole CLI: every command with an example, every exit code.

The commands and the exit codes are read from ``cli.py``, so a new command or code fails
here until the README catches up (the idea of sqlite-utils' ``tests/test_docs.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import cli

README = Path(__file__).resolve().parents[1] / "README.md"

COMMANDS = sorted(
    [c.name or c.callback.__name__ for c in cli.app.registered_commands if c.callback]
    + [
        f"{g.name} {c.name or c.callback.__name__}"
        for g in cli.app.registered_groups
        if g.typer_instance is not None
        for c in g.typer_instance.registered_commands
        if c.callback
    ]
)
EXIT_CODES = sorted(
    value
    for name, value in vars(cli).items()
    if name.startswith("EXIT_") and isinstance(value, int)
)


@pytest.fixture(scope="module")
def readme() -> str:
    assert README.is_file(), "README.md is missing"
    return README.read_text(encoding="utf-8")


def code_blocks(markdown: str) -> list[str]:
    """The contents of the fenced code blocks of ``markdown``.

    Examples
    --------
    >>> code_blocks("text\\n```bash\\nlognet plan x/\\n```\\nmore")
    ['lognet plan x/\\n']
    """
    return re.findall(r"^(?:```|~~~)[^\n]*\n(.*?)^(?:```|~~~)", markdown, re.M | re.S)


def exit_code_lists(markdown: str) -> str:
    """Each stretch of text from a line that mentions exit codes up to the next heading.

    Examples
    --------
    >>> exit_code_lists("# A\\na\\n## Exit codes\\n| 0 | done |\\n## B\\nb")
    '## Exit codes\\n| 0 | done |\\n'
    """
    return "".join(re.findall(r"^[^\n]*exit codes?\b.*?(?=^#|\Z)", markdown, re.M | re.S | re.I))


def test_the_cli_has_the_commands_of_the_design() -> None:
    assert COMMANDS == ["bench cflp", "bench pmed", "bench vrp", "demo", "plan", "validate"]
    assert EXIT_CODES == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_usage_example(readme: str, command: str) -> None:
    example = re.compile(rf"^\s*(?:\$\s*)?lognet\s+{command}\b", re.M)
    assert any(example.search(block) for block in code_blocks(readme)), (
        f"README.md has no code block with a `lognet {command} ...` example"
    )


@pytest.mark.parametrize("code", EXIT_CODES)
def test_every_exit_code_is_listed(readme: str, code: int) -> None:
    exit_codes = exit_code_lists(readme)
    assert exit_codes, "README.md never mentions exit codes"
    # A table row that starts with the code, or a list item: `| 3 |`, `- 3: ...`, `` * `3` ``.
    row = re.compile(rf"^\s*(?:\|\s*|[-*]\s+)`?{code}`?(?![\w.])", re.M)
    assert row.search(exit_codes), f"README.md lists no exit code {code} where it lists them"
