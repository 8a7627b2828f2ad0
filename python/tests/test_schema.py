"""docs/report.schema.json is what the host emits and what this package reads:
every object `losshost list|info|eval|check --format json` and the C host API
print validates against it (keys present, no unknown keys, types, values), and
every key the package reads from those reports is declared there."""
from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import losshost
from conftest import PLUGIN_SOURCES, REPO, cli_json, compile_plugin, run_cli

SCHEMA = json.loads((REPO / "docs" / "report.schema.json").read_text())
DEFS = SCHEMA["$defs"]
PACKAGE = REPO / "python" / "src" / "losshost"

_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "null": lambda v: v is None,
}


def problems(value: Any, schema: dict[str, Any], at: str = "$") -> list[str]:
    """What is wrong with `value` under `schema`, for the keywords the schema uses."""
    known = {"description", "$ref", "anyOf", "type", "enum", "properties", "required", "additionalProperties", "items",
             "minItems", "maxItems"}
    assert set(schema) <= known, f"{at}: the validator does not know {set(schema) - known}"
    found: list[str] = []
    if "$ref" in schema:
        found += problems(value, DEFS[schema["$ref"].removeprefix("#/$defs/")], at)
    if "anyOf" in schema and all(problems(value, s, at) for s in schema["anyOf"]):
        found.append(f"{at}: {value!r} matches none of {schema['anyOf']}")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            return found + [f"{at}: {value!r} is not {' or '.join(types)}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{at}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        found += [f"{at}: missing {key!r}" for key in schema.get("required", []) if key not in value]
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                found += problems(item, properties[key], f"{at}.{key}")
            elif extra is False:
                found.append(f"{at}: unknown key {key!r}")
            elif isinstance(extra, dict):
                found += problems(item, extra, f"{at}.{key}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
            found.append(f"{at}: {len(value)} items")
        for i, item in enumerate(value):
            if "items" in schema:
                found += problems(item, schema["items"], f"{at}[{i}]")
    return found


def assert_valid(value: Any, definition: str) -> None:
    found = problems(value, DEFS[definition])
    assert not found, "\n".join(found)


def test_the_validator_finds_drift():
    """The validator fails a missing key, an unknown key, a wrong type and an unknown value."""
    good = {"check": "huber.gradient", "result": "pass", "detail": ""}
    assert problems(good, DEFS["check_result"]) == []
    assert problems({"check": "x", "result": "pass"}, DEFS["check_result"]) == ["$: missing 'detail'"]
    assert problems({**good, "origin": "bundled"}, DEFS["check_result"]) == ["$: unknown key 'origin'"]
    assert problems({**good, "detail": 1}, DEFS["check_result"]) == ["$.detail: 1 is not string"]
    assert problems({**good, "result": "PASS"}, DEFS["check_result"]) == \
        ["$.result: 'PASS' is not one of ['pass', 'warn', 'fail', 'skip']"]
    assert problems({"seed": 1, "target": "t", "passed": True, "checks": [], "fingerprint": {"path": "p"}},
                    DEFS["check"])[0].startswith("$.fingerprint: {'path': 'p'} matches none of")


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory) -> Path:
    """A folder with a plugin that loads and a file that does not (a failure)."""
    folder = tmp_path_factory.mktemp("schema-plugins")
    compile_plugin(PLUGIN_SOURCES / "extreme.c", folder / "libextreme.so")
    (folder / "libjunk.so").write_text("not a shared object\n")
    return folder


def test_list_and_info_follow_the_schema(cli, cache_dir, plugin_dir):
    listing = cli_json(cli, "list", "--plugin-dir", str(plugin_dir), cache_dir=cache_dir)
    assert_valid(listing, "list")
    assert listing["failures"] and listing["searched"]
    ids = [loss["qualified_id"] for loss in listing["losses"]]
    assert "extremetest/soft_l1" in ids and "std/huber" in ids and "csample/cauchy" in ids
    for loss_id in ids:
        info = cli_json(cli, "info", loss_id, "--plugin-dir", str(plugin_dir), cache_dir=cache_dir)
        assert_valid(info, "loss")
        assert info == next(loss for loss in listing["losses"] if loss["qualified_id"] == loss_id)


def test_the_host_api_listing_follows_the_schema(cache_dir, plugin_dir):
    host = losshost.Host([str(plugin_dir)], cache_dir=cache_dir)
    assert_valid(host._listing(), "list")
    assert [f.path for f in host.failures()] == [str(plugin_dir / "libjunk.so")]
    soft_l1 = next(info for info in host.losses() if info.qualified_id == "extremetest/soft_l1")
    assert soft_l1.params[0].name == "delta" and soft_l1.file == str(plugin_dir / "libextreme.so")


def test_eval_follows_the_schema(cli, cache_dir, tmp_path):
    pred, target = tmp_path / "pred.csv", tmp_path / "target.csv"
    pred.write_text("0.5\n1.5\n-2\n")
    target.write_text("1\n1\n0\n")
    common = ["--pred", str(pred), "--target", str(target)]
    for reduction in ("mean", "sum", "none"):
        report = cli_json(cli, "eval", "std/huber", *common, "--reduction", reduction, "--grad", "--hessian",
                          "--param", "delta=0.5", cache_dir=cache_dir)
        assert_valid(report, "eval")
        assert report["reduction"] == reduction and report["shape"] == [3, 1] and len(report["gradient"]) == 3
    assert_valid(cli_json(cli, "eval", "std/quantile", *common, "--param", "tau=0.25", "--dtype", "f32",
                          cache_dir=cache_dir), "eval")
    for reduction in ("mean", "none"):
        written = cli_json(cli, "eval", "std/huber", *common, "--grad", "--reduction", reduction,
                           "--out", str(tmp_path / f"out-{reduction}"), cache_dir=cache_dir)
        assert_valid(written, "eval_out")
        assert set(written["files"]) == ({"values", "gradient"} if reduction == "none" else {"gradient"})
    constant = cli_json(cli, "eval", "std/mse", "--optimal-constant", "--target", str(target), cache_dir=cache_dir)
    assert_valid(constant, "optimal_constant")
    np.testing.assert_allclose(constant["optimal_constant"], [2 / 3])


def test_check_follows_the_schema(cli, cache_dir, plugin_dir, tmp_path):
    own_cache = str(tmp_path / "check-cache")
    args = ["check", str(plugin_dir / "libextreme.so"), "--seed", "3", "--only", "*.gradient", "--no-sweep"]
    plain = cli_json(cli, *args, cache_dir=own_cache)
    assert_valid(plain, "check")
    assert "cached" not in plain and "fingerprint" not in plain
    for expected in (False, True):
        cached = cli_json(cli, *args, "--cached", cache_dir=own_cache)
        assert_valid(cached, "check")
        assert cached["cached"] is expected and cached["fingerprint"]["path"] == str(plugin_dir / "libextreme.so")
    failing = run_cli(cli, "check", "extremetest/soft_l1", "--plugin-dir", str(plugin_dir), "--seed", "1",
                      "--format", "json", cache_dir=own_cache)
    assert failing.returncode == 1
    report = json.loads(failing.stdout)
    assert_valid(report, "check")
    assert report["passed"] is False and any(c["result"] == "fail" for c in report["checks"])

    host = losshost.Host([str(plugin_dir)], cache_dir=own_cache, only_plugin_dirs=True)
    for expected in (False, True):
        report = host.check("extremetest/soft_l1", seed=2, params={"delta": 1.0})
        assert_valid(report, "check")
        assert report["cached"] is expected and report["passed"] is True
    built_in = host.check("std/huber", seed=2, cached=False, params={})
    assert_valid(built_in, "check")
    assert built_in["cached"] is False


class _Tracked(dict):
    """A report object that records each key read that its schema definition does not declare."""

    def __init__(self, value: dict[str, Any], schema: dict[str, Any], where: str, undeclared: set[str]):
        super().__init__({k: _track(v, schema.get("properties", {}).get(k, {}), f"{where}.{k}", undeclared)
                          for k, v in value.items()})
        self._declared, self._where, self._undeclared = set(schema.get("properties", {})), where, undeclared

    def _read(self, key: Any) -> None:
        if key not in self._declared:
            self._undeclared.add(f"{self._where}.{key}")

    def __getitem__(self, key):
        self._read(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._read(key)
        return super().get(key, default)

    def __contains__(self, key):
        self._read(key)
        return super().__contains__(key)


def _track(value: Any, schema: dict[str, Any], where: str, undeclared: set[str]) -> Any:
    while "$ref" in schema:
        schema = DEFS[schema["$ref"].removeprefix("#/$defs/")]
    if "anyOf" in schema and isinstance(value, dict):
        schema = next(s for s in schema["anyOf"] if not problems(value, s))
        return _track(value, schema, where, undeclared)
    if isinstance(value, dict):
        return _Tracked(value, schema, where, undeclared)
    if isinstance(value, list):
        return [_track(v, schema.get("items", {}), f"{where}[]", undeclared) for v in value]
    return value


def test_the_package_reads_only_declared_keys(monkeypatch, cache_dir, plugin_dir):
    """Host.losses, failures, loss (with its check, passing and failing) and check
    read only keys the schema declares for the object they read them from."""
    undeclared: set[str] = set()
    listing, check = losshost.Host._listing, losshost.Host.check
    monkeypatch.setattr(losshost.Host, "_listing", lambda self: _track(listing(self), DEFS["list"], "list", undeclared))
    monkeypatch.setattr(losshost.Host, "check",
                        lambda self, *a, **k: _track(check(self, *a, **k), DEFS["check"], "check", undeclared))
    host = losshost.Host([str(plugin_dir)], cache_dir=cache_dir)
    assert len(host.losses()) > 20 and host.failures()
    assert host.loss("soft_l1", delta=1.0).id == "extremetest/soft_l1"
    assert host.loss("std/huber").id == "std/huber"
    with pytest.raises(losshost.LossError, match="soft_l1.gradient"):
        host.loss("extremetest/soft_l1", delta=2e5)
    assert undeclared == set()
    # The tracker itself notices a guessed key.
    _track({"losses": []}, DEFS["list"], "list", undeclared).get("origin")
    assert undeclared == {"list.origin"}


def _reads(path: Path) -> set[str]:
    """The string keys the module reads: `x["key"]` and `x.get("key")`."""
    keys = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            keys.add(node.slice.value)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            keys.add(node.args[0].value)
    return keys


def _declared(*definitions: str) -> set[str]:
    keys = set()
    for name in definitions:
        keys |= set(DEFS[name].get("properties", {}))
    return keys


@pytest.mark.parametrize("module, definitions", [
    ("_info.py", ("loss", "parameter", "curvature")),
    ("_host.py", ("list", "failure", "searched", "loss", "check", "check_result")),
])
def test_every_key_the_package_reads_is_declared(module, definitions):
    reads = _reads(PACKAGE / module)
    assert reads, f"{module} reads no keys: the scan is broken"
    assert reads - _declared(*definitions) == set(), f"{module} reads keys the host never emits"


def test_values_the_package_compares_are_declared():
    """A report value compared with a literal (`c["result"] == "fail"`) is compared with a value the host emits."""
    enums: dict[str, set] = {}
    for definition in DEFS.values():
        for key, prop in definition.get("properties", {}).items():
            while "$ref" in prop:
                prop = DEFS[prop["$ref"].removeprefix("#/$defs/")]
            enums.setdefault(key, set()).update(prop.get("enum", []))
    compared = []
    for module in ("_host.py", "_info.py"):
        for node in ast.walk(ast.parse((PACKAGE / module).read_text())):
            if not isinstance(node, ast.Compare):
                continue
            sides = [node.left, *node.comparators]
            keys = [s.slice.value for s in sides if isinstance(s, ast.Subscript) and isinstance(s.slice, ast.Constant)]
            literals = [e.value for s in sides for e in ([s] if isinstance(s, ast.Constant) else getattr(s, "elts", []))
                        if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            for key in keys:
                for literal in literals:
                    compared.append((key, literal))
                    assert literal in enums.get(key, set()), f"{module} compares {key!r} with {literal!r}, which the host never emits"
    assert ("result", "fail") in compared and ("origin", "bundled") in compared


def test_the_scan_sees_the_keys_read():
    """The scan above finds subscripts and .get calls (so a guessed key cannot hide in either)."""
    reads = _reads(PACKAGE / "_host.py")
    assert {"losses", "failures", "searched", "origin", "folder", "checks", "result", "check", "detail"} <= reads
    assert {"curvature", "piecewise_linear", "surrogate", "min", "max", "file"} <= _reads(PACKAGE / "_info.py")
