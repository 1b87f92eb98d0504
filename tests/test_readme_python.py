"""The README's "From Python" examples run as written (on local folders, offline)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## From Python", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def write_notes(folder: Path, topics: list[str]) -> None:
    folder.mkdir()
    for i, topic in enumerate(topics):
        body = " ".join(
            f"Note {i}: {topic} projects in region {j * (i + 2)} grow as {topic} costs fall."
            for j in range(40)
        )
        (folder / f"{i}.md").write_text(f"# The {topic} note\n\n{body}\n", encoding="utf-8")


def test_the_readme_python_examples_run(tmp_path):
    examples = python_examples()
    assert len(examples) == 2 and "await ws.afetch" in examples[1]
    write_notes(tmp_path / "notes", ["battery", "solar", "wind"])
    write_notes(tmp_path / "more-notes", ["hydrogen"])
    outputs = []
    for n, code in enumerate(examples):
        script = tmp_path / f"example_{n}.py"
        script.write_text(code, encoding="utf-8")
        proc = subprocess.run(
            [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert "Counter({'ok': 3})" in outputs[0] and "The battery note | " in outputs[0]
    assert "[battery]" in outputs[0] and "# __The " in outputs[0]
    assert "Counter({'ok': 1}) Counter({'ok': 1}) {'ok': 4}" in outputs[1]
