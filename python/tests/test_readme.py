"""The README's Python examples (numpy, XGBoost, LightGBM, CatBoost, PyTorch, JAX, run in order
as one session) print what their comments say."""
from __future__ import annotations

import contextlib
import io
import re

from conftest import REPO

PRINTED = re.compile(r"^print\(.*\)\s+# (.*)$")


def _examples() -> str:
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("### numpy"):readme.index("### Dask")]
    return "\n".join(re.findall(r"^```python\n(.*?)^```", section, re.S | re.M))


def test_readme_python_examples_print_what_they_say(plugin_dir, cache_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", cache_dir)
    monkeypatch.chdir(tmp_path)  # CatBoost writes catboost_info/ into the working folder
    code = _examples().replace('"~/team-losses"', repr(str(plugin_dir)))
    expected = [m.group(1) for line in code.splitlines() if (m := PRINTED.match(line))]
    assert len(expected) == 16
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    printed = out.getvalue().splitlines()
    assert len(printed) == len(expected), printed
    for line, comment in zip(printed, expected):
        assert comment.startswith(line), (line, comment)
