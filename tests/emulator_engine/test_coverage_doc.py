from azguest.emulator.coverage import DOC_PATH, render_markdown
from azguest.emulator.registry import all_handlers


def test_coverage_doc__in_sync() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render_markdown(), \
        "run: python -m azguest.emulator.coverage --write"


def test_every_handler__declares_operations_and_documents_gaps() -> None:
    import sys

    for h in all_handlers():
        assert h.operations, h.arm_type
        assert "Not implemented" in (sys.modules[type(h).__module__].__doc__ or ""), h.arm_type
