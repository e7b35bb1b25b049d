"""mutmut hook used by `make mutate` (copied into the scratch tree as mutmut_config.py).

Two kinds of mutant are skipped, so they count neither way:

* outside the part under test: in ``hw/scanner.py`` only the byte assembler
  is pure logic with fast focused tests; the serial reader around it is
  proven by the pty tests and the replug torture instead;
* equivalent by construction: a mutant whose module, with every annotation
  removed, parses to the same tree as the original. Every module here has
  ``from __future__ import annotations``, so ``str | None`` turned into
  ``str & None`` is never evaluated and no test could tell.
"""

from __future__ import annotations

import ast
from functools import cache
from typing import Any

# file -> the top-level classes or functions whose lines are mutated.
ONLY = {"hw/scanner.py": ("ScanAssembler",)}


@cache
def _lines(filename: str) -> frozenset[int]:
    names = ONLY[filename]
    with open(filename, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    keep: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name in names:
            end = node.end_lineno or node.lineno
            # mutmut numbers lines from 0.
            keep.update(range(node.lineno - 1, end))
    return frozenset(keep)


class _Unannotated(ast.NodeTransformer):
    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.annotation = None
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.returns = None
        self.generic_visit(node)
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AnnAssign:
        node.annotation = ast.Constant(None)
        return node


def _shape(source: str) -> str:
    return ast.dump(_Unannotated().visit(ast.parse(source)))


def _annotation_only(context: Any) -> bool:
    from mutmut import Context, mutate

    with open(context.filename, encoding="utf-8") as handle:
        original = handle.read()
    mutant = Context(
        mutation_id=context.mutation_id,
        filename=context.filename,
        dict_synonyms=context.dict_synonyms,
        config=context.config,
    )
    mutated, count = mutate(mutant)
    try:
        return count > 0 and _shape(mutated) == _shape(original)
    except SyntaxError:
        return False  # not equivalent: the tests see it fail to import


def pre_mutation(context: Any) -> None:
    name = context.filename.replace("\\", "/").removeprefix("./")
    if name in ONLY and context.current_line_index not in _lines(name) or _annotation_only(context):
        context.skip = True
