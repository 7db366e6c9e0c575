"""compose_translate is pure: no Pulumi, so plans are testable and a second cloud can reuse it."""

import ast

from support.common import ROOT


def test_compose_translate_imports_no_pulumi():
    offenders = []
    for path in (ROOT / "compose_translate").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("pulumi", "pulumi_aws")]
    assert offenders == []
