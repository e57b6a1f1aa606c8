"""The house's shape, checked: no import circles anywhere in bot/, handlers/ and db/.

The layers themselves (python -m bot -> app -> runtime and handlers -> ops -> ui -> the pure modules -> db)
are import-linter's contract in pyproject.toml, run by `make lint`; this test adds what a layers contract cannot
see: two modules of one layer importing each other (type-only imports included, since they tie the modules
together for a reader too), and that no handler writes a sentence of its own: every text a user reads comes
from bot/ui/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import grimp

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"
GETTEXT = {"_", "__", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "pgettext", "npgettext"}


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_module_imports_a_module_that_imports_it_back() -> None:
    graph = grimp.build_graph("bot", "handlers", "db")
    assert _cycles(graph) == []


def _gettext_uses(path: Path) -> list[str]:
    """Calls and imports of a gettext function in one module, as "file:line name"."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names if alias.name in GETTEXT]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            names = [name] if name in GETTEXT else []
        else:
            continue
        found += [f"{path.name}:{node.lineno} {name}" for name in names]
    return found


def test_no_handler_translates_a_text_itself() -> None:
    """A handler parses, calls an operation, and replies with what bot/ui/ renders (DESIGN.md): the sentences
    live in bot/ui/, one function each, where the language corpus test reads them."""
    uses = [use for path in sorted(HANDLERS.glob("*.py")) for use in _gettext_uses(path)]
    assert uses == []


def test_the_handler_check_sees_a_translated_text(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from bot.i18n import gettext as _\n"
        "from bot.i18n import lazy_gettext as __\n"
        "STALE = __('Stale')\n"
        "async def h(message):\n"
        "    await message.answer(_('Saved'))\n"
        "    await message.answer(i18n.gettext('Saved'))\n",
        encoding="utf-8",
    )
    assert _gettext_uses(sample) == [
        "sample.py:1 gettext",
        "sample.py:2 lazy_gettext",
        "sample.py:3 __",
        "sample.py:5 _",
        "sample.py:6 gettext",
    ]
