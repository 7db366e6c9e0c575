"""KeyPath: the key path and the line of each diagnostic, carried together."""

from compose_translate.errors import KeyPath, Loc, Report
from compose_translate.yaml_source import parse_yaml


def test_paths_join_as_compose_names_them_and_each_key_is_located():
    document = parse_yaml("services:\n  web:\n    ports:\n      - 80\n      - 81\n", "compose.yaml")
    services = document["services"]
    web = KeyPath("services", document.loc_of("services")).key("web", services)
    ports = web.key("ports", services["web"])
    second = ports.item(1, services["web"]["ports"])
    assert (web.path, web.loc.line) == ("services.web", 2)
    assert (ports.path, ports.loc.line) == ("services.web.ports", 3)
    assert (second.path, second.loc.line) == ("services.web.ports[1]", 5)
    assert KeyPath().key("version").path == "version"


def test_an_unlocated_key_stays_where_its_parent_is_and_at_moves_it():
    parent = KeyPath("services.web", Loc("compose.yaml", 2))
    assert parent.key("deploy").key("replicas").loc == Loc("compose.yaml", 2)
    assert parent.key("deploy", {"deploy": 1}).loc == Loc("compose.yaml", 2)  # a plain dict has no lines
    assert parent.at(Loc("compose.yaml", 7)).loc.line == 7 and parent.at(None).loc.line == 2


def test_a_report_takes_path_and_line_from_it():
    report = Report()
    report.error("bad", KeyPath("models.llm", Loc("compose.yaml", 4)).key("labels"), hint="fix it")
    report.warn("odd", "x", Loc("compose.yaml", 9))
    [error], [warning] = report.errors, report.warnings
    assert (error.path, error.loc, error.hint) == ("models.llm.labels", Loc("compose.yaml", 4), "fix it")
    assert (warning.path, warning.loc.line) == ("x", 9)
