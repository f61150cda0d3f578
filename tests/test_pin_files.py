"""Pinning rewrites only the keys it sets: whole-file diffs, shared YAML nodes, bad files, Ctrl-C.

Each test compares the stack file byte for byte (never through a YAML reader) and runs
``mxsplit hosts --graph --stack dev`` against the stand-in Graph.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mxsplit_component.cli import main
from mxsplit_component.testing.graph import MS, TOKEN, GraphStandIn

ROOT = Path(__file__).resolve().parent.parent
LONG_SECRET = "v1:" + "A" * 5000
DOMAINS = {"dev.contoso.com": f"dev-contoso-com.{MS}", "contoso-dev.net": f"contosodev-net01c.{MS}"}


@pytest.fixture
def graph(monkeypatch):
    monkeypatch.setenv("MXSPLIT_GRAPH_TOKEN", TOKEN)
    with GraphStandIn() as server:
        server.tenant("contoso.onmicrosoft.com", DOMAINS)
        yield server


def pin(capsys, graph, folder: Path, *extra: str) -> tuple[int, str, str]:
    code = main(["hosts", "--graph", "--graph-url", graph.url, "--stack", "dev", "--cwd", str(folder), *extra])
    out = capsys.readouterr()
    return code, out.out, out.err


def write(folder: Path, text: str | bytes) -> Path:
    path = folder / "Pulumi.dev.yaml"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


CRLF_STACK = "\r\n".join([
    "\ufeff# Development stack: comments, a salt, a long secret, quotes and a flow entry stay as they are",
    "encryptionsalt: v1:c2FsdHNhbHQ=:v1:Ab+Cd/Ef==",
    "config:",
    "  cloudflare:apiToken:",
    f"    secure: {LONG_SECRET}",
    "  mxsplit:tenant: contoso",
    "  mxsplit:domains:",
    "    - domain: dev.contoso.com   # the first",
    '      dual_stack_host: "old-host.mail.protection.outlook.com"',
    "      azure: {resource_group_name: dns-dev-rg}",
    "    - {domain: contoso-dev.net, cloudflare: {zone_name: contoso-dev.net}}",
    "",
])


def test_crlf_bom_long_secret_quotes_and_flow_entries_survive_byte_for_byte(capsys, graph, tmp_path):
    path = write(tmp_path, CRLF_STACK)
    os.chmod(path, 0o640)
    code, _, err = pin(capsys, graph, tmp_path)
    assert code == 0, err
    expected = CRLF_STACK.replace(
        '      dual_stack_host: "old-host.mail.protection.outlook.com"\r\n',
        f'      dual_stack_host: "dev-contoso-com.{MS}"\r\n      ipv4_only_host: contoso.{MS}\r\n').replace(
        "{domain: contoso-dev.net, ",
        f"{{domain: contoso-dev.net, ipv4_only_host: contoso.{MS}, dual_stack_host: contosodev-net01c.{MS}, ")
    assert path.read_bytes() == expected.encode()  # every other byte as it was: CRLF, BOM, the 5000-char secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.dev.yaml"]  # no temporary file left behind
    code, _, err = pin(capsys, graph, tmp_path)  # a second run changes nothing
    assert (code, err) == (0, "") and path.read_bytes() == expected.encode()


def test_a_symlinked_stack_file_is_updated_where_it_lives(capsys, graph, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    target = write(shared, CRLF_STACK)
    project = tmp_path / "project"
    project.mkdir()
    (project / "Pulumi.dev.yaml").symlink_to(target)
    assert pin(capsys, graph, project)[0] == 0
    assert (project / "Pulumi.dev.yaml").is_symlink() and f"contosodev-net01c.{MS}" in target.read_text()


MERGED = """\
config:
  mxsplit:tenant: contoso
  mxsplit:domains:
    - &base
      domain: dev.contoso.com
      azure: {resource_group_name: dns-dev-rg}
    - <<: *base
      domain: notmine.com
"""


def test_an_entry_other_entries_merge_is_never_changed_implicitly(capsys, graph, tmp_path):
    """Pinning dev.contoso.com into &base would hand its host to notmine.com (not in this tenant) via <<: *base."""
    path = write(tmp_path, MERGED)
    code, out, err = pin(capsys, graph, tmp_path)
    assert code == 2 and "graph-not-in-tenant" in out
    assert err.startswith("mxsplit: error: Pulumi.dev.yaml line 4 (mxsplit:domains[0]) is shared through a YAML "
                          "anchor (&) with an alias (*) or merge key (<<), so setting mxsplit:domains[0].ipv4_only_host "
                          "would change other entries too"), err
    assert "write each entry's keys out in full" in err and len(err.splitlines()) == 1
    assert path.read_text() == MERGED


def test_an_entry_that_inherits_hosts_gets_its_own_keys(capsys, graph, tmp_path):
    text = MERGED.replace("notmine.com", "contoso-dev.net").replace(
        "      azure: {resource_group_name: dns-dev-rg}\n",
        f"      dual_stack_host: dev-contoso-com.{MS}\n      ipv4_only_host: contoso.{MS}\n"
        "      azure: {resource_group_name: dns-dev-rg}\n")
    path = write(tmp_path, text)
    code, _, err = pin(capsys, graph, tmp_path)
    assert code == 0, err
    assert path.read_text() == text + f"      dual_stack_host: contosodev-net01c.{MS}\n"
    entries = yaml.safe_load(path.read_text())["config"]["mxsplit:domains"]
    assert [e["dual_stack_host"] for e in entries] == [f"dev-contoso-com.{MS}", f"contosodev-net01c.{MS}"]


GOOD = "config:\n  mxsplit:tenant: contoso\n  mxsplit:domains:\n    - domain: dev.contoso.com\n"


@pytest.mark.parametrize(("content", "mode", "says"), [
    ("config:\n  mxsplit:domains:\n    - {domain: dev.contoso.com\n", 0o644, "Pulumi.dev.yaml line 4 is not valid YAML"),
    (GOOD + "      domain: contoso-dev.net\n", 0o644, "Pulumi.dev.yaml line 5 has the key 'domain' twice"),
    ("# caf\xe9\n".encode("latin-1") + GOOD.encode(), 0o644, "Pulumi.dev.yaml line 1 is not UTF-8 (byte 0xe9)"),
    (GOOD, 0o444, "Pulumi.dev.yaml is read-only (mode 0444); make it writable"),
    ("config:\n  mxsplit:domains: *nowhere\n", 0o644, "Pulumi.dev.yaml line 2 uses the alias *nowhere"),
])
def test_a_file_that_cannot_be_read_or_replaced_is_refused_before_any_lookup(capsys, graph, tmp_path, content,
                                                                             mode, says):
    path = write(tmp_path, content)
    before = path.read_bytes()
    os.chmod(path, mode)
    code, out, err = pin(capsys, graph, tmp_path)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and says in err and "Traceback" not in err, err
    assert graph.requests == []  # nothing was looked up
    assert path.read_bytes() == before


def test_dry_run_reads_a_read_only_file(capsys, graph, tmp_path):
    path = write(tmp_path, GOOD)
    os.chmod(path, 0o444)
    code, _, err = pin(capsys, graph, tmp_path, "--dry-run")
    assert code == 0 and "would set mxsplit:domains[0].dual_stack_host" in err and path.read_text() == GOOD


#: Run the CLI with SIGINT delivered right after the first write() to a file in FOLDER (argv[1]):
#: the moment the file is being written, whatever writes it.
INTERRUPTER = """
import os, signal, sys
folder = os.path.realpath(sys.argv[1])

def at_write(frame, event, arg):
    if event == "c_return" and getattr(arg, "__name__", "") == "write":
        target = getattr(arg, "__self__", None)
        try:
            where = os.readlink(f"/proc/self/fd/{target.fileno()}")
        except (AttributeError, OSError, ValueError):
            return
        if where.startswith(folder + os.sep):
            sys.setprofile(None)
            os.kill(os.getpid(), signal.SIGINT)

from mxsplit_component.cli import main
sys.setprofile(at_write)
sys.exit(main(sys.argv[2:]))
"""


def interrupted(folder: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MXSPLIT_GRAPH_TOKEN": TOKEN}
    return subprocess.run([sys.executable, "-c", INTERRUPTER, str(folder), *argv], capture_output=True, text=True,
                          env=env, timeout=60)


def test_ctrl_c_while_the_stack_file_is_written_leaves_it_whole(graph, tmp_path):
    path = write(tmp_path, CRLF_STACK)
    done = interrupted(tmp_path, "hosts", "--graph", "--graph-url", graph.url, "--stack", "dev", "--cwd",
                       str(tmp_path))
    assert done.returncode == 130 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert path.read_bytes() == CRLF_STACK.encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.dev.yaml"]


def test_ctrl_c_while_an_export_is_written_leaves_the_old_document(tmp_path):
    out = tmp_path / "zones"
    out.mkdir()
    old = out / "contoso.com.zone"
    old.write_text("; the document from last time\n")
    csv = tmp_path / "d.csv"
    csv.write_text("domain,tenant\ncontoso.com,contoso\nfabrikam.com,fabrikam\n")
    done = interrupted(out, "plan", "--file", str(csv), "--format", "zone", "--out-dir", str(out))
    assert done.returncode == 130 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert old.read_text() == "; the document from last time\n"
    assert sorted(p.name for p in out.iterdir()) == ["contoso.com.zone"]


#: Run the CLI where no file may grow past 200 bytes, as on a full disk (EFBIG instead of a signal).
FULL_DISK = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))
from mxsplit_component.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_write_the_file_system_refuses_leaves_the_stack_file_whole(graph, tmp_path):
    path = write(tmp_path, CRLF_STACK)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MXSPLIT_GRAPH_TOKEN": TOKEN}
    done = subprocess.run([sys.executable, "-c", FULL_DISK, "hosts", "--graph", "--graph-url", graph.url,
                           "--stack", "dev", "--cwd", str(tmp_path)], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert f"mxsplit: error: --stack dev: cannot write {path}: File too large" in done.stderr
    assert path.read_bytes() == CRLF_STACK.encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.dev.yaml"]


def test_a_last_line_without_a_line_break_stays_without_one(capsys, graph, tmp_path):
    path = write(tmp_path, GOOD.rstrip("\n"))
    assert pin(capsys, graph, tmp_path)[0] == 0
    assert path.read_text() == GOOD + f"      ipv4_only_host: contoso.{MS}\n      dual_stack_host: dev-contoso-com.{MS}"


def test_a_value_an_alias_reuses_is_not_changed_but_an_alias_is_replaced(capsys, graph, tmp_path):
    anchored = GOOD + f"      dual_stack_host: &h old.{MS}\n    - domain: contoso-dev.net\n      dual_stack_host: *h\n"
    path = write(tmp_path, anchored)
    code, _, err = pin(capsys, graph, tmp_path)
    assert code == 2 and "Pulumi.dev.yaml line 5 (mxsplit:domains[0].dual_stack_host) is shared" in err
    assert path.read_text() == anchored
    aliased = GOOD.replace("config:\n", f"config:\n  old: &h old.{MS}\n") + "      dual_stack_host: *h\n"
    path = write(tmp_path, aliased)
    assert pin(capsys, graph, tmp_path)[0] == 0
    assert path.read_text() == aliased.replace("*h", f"dev-contoso-com.{MS}") + f"      ipv4_only_host: contoso.{MS}\n"


def test_a_folder_named_like_the_stack_file_is_said_to_be_one(capsys, graph, tmp_path):
    (tmp_path / "Pulumi.dev.yaml").mkdir()
    code, _, err = pin(capsys, graph, tmp_path)
    assert code == 2 and "Pulumi.dev.yaml is a folder, not a stack file" in err and graph.requests == []



V4 = f"      ipv4_only_host: contoso.{MS}\n"
DUAL = f"      dual_stack_host: dev-contoso-com.{MS}"


@pytest.mark.parametrize(("old", "new"), [
    # A block scalar's text runs to the next line: the value is replaced, its line breaks (blank lines) kept.
    ("      dual_stack_host: >-\n        old-host.mail.protection.outlook.com\n\n      azure: {}\n",
     f"{DUAL}\n{V4}\n      azure: {{}}\n"),
    ("      dual_stack_host: |\n        old-host.mail.protection.outlook.com\n", f"{DUAL}\n{V4}"),
    ("      dual_stack_host: |\n        old-host.mail.protection.outlook.com", f"{DUAL}\n{V4[:-1]}"),
    # An empty value (null) is written after its own key, not where the parser's mark points (the next line).
    ("      dual_stack_host:\n      azure: {}\n", f"{DUAL}\n{V4}      azure: {{}}\n"),
    ("      dual_stack_host:   # pinned by mxsplit\n      azure: {}\n",
     f"{DUAL}   # pinned by mxsplit\n{V4}      azure: {{}}\n"),
    ("      dual_stack_host:", f"{DUAL}\n{V4[:-1]}"),
])
def test_a_block_scalar_or_an_empty_value_is_replaced_in_place(capsys, graph, tmp_path, old, new):
    head = "config:\n  mxsplit:tenant: contoso\n  mxsplit:domains:\n    - domain: dev.contoso.com\n"
    path = write(tmp_path, head + old)
    code, _, err = pin(capsys, graph, tmp_path)
    assert code == 0, err
    assert path.read_text() == head + new
    entry = yaml.safe_load(path.read_text())["config"]["mxsplit:domains"][0]
    assert (entry["dual_stack_host"], entry["ipv4_only_host"]) == (f"dev-contoso-com.{MS}", f"contoso.{MS}")


@pytest.mark.parametrize(("old", "new"), [
    ("{domain: dev.contoso.com, dual_stack_host: , azure: {}}",
     f"{{domain: dev.contoso.com, dual_stack_host: dev-contoso-com.{MS}, ipv4_only_host: contoso.{MS} , azure: {{}}}}"),
    ("{domain: dev.contoso.com, dual_stack_host}",
     f"{{domain: dev.contoso.com, dual_stack_host: dev-contoso-com.{MS}, ipv4_only_host: contoso.{MS}}}"),
])
def test_an_empty_value_in_a_flow_entry_is_replaced_in_place(capsys, graph, tmp_path, old, new):
    head = "config:\n  mxsplit:tenant: contoso\n  mxsplit:domains:\n    - "
    path = write(tmp_path, head + old + "\n")
    code, _, err = pin(capsys, graph, tmp_path)
    assert code == 0, err
    assert path.read_text() == head + new + "\n"


def test_a_merge_chain_as_long_as_the_file_is_read_without_recursion(capsys, graph, tmp_path):
    """3000 anchors, each merging the one before: YAML readers follow it, so we do, without a traceback."""
    chain = [f"    a{i}: &a{i} {{<<: *a{i - 1}}}" for i in range(1, 3000)]
    text = "\n".join(["config:", "  mxsplit:anchors:", "    a0: &a0 {tenant: contoso}", *chain,
                      "  mxsplit:domains:", "    - <<: *a2999", "      domain: dev.contoso.com", ""])
    path = write(tmp_path, text)
    code, out, err = pin(capsys, graph, tmp_path)
    assert code == 0 and "Traceback" not in err, err[-2000:]
    assert path.read_text() == text + f"      ipv4_only_host: contoso.{MS}\n      dual_stack_host: dev-contoso-com.{MS}\n"


def test_a_tenant_only_given_on_the_command_line_is_not_pinned_as_graphs(capsys, graph, tmp_path):
    """No lookup ran: nothing is pinned, and nothing is credited to Graph."""
    text = "config:\n  mxsplit:domains:\n    - domain: dev.contoso.com\n"
    path = write(tmp_path, text)
    code = main(["hosts", "--stack", "dev", "--cwd", str(tmp_path), "--tenant", "contoso"])
    err = capsys.readouterr().err
    assert code == 0 and "graph" not in err and path.read_text() == text
    assert graph.requests == []


def test_a_tenant_graph_names_is_pinned_as_graphs(capsys, graph, tmp_path):
    path = write(tmp_path, "config:\n  mxsplit:domains:\n    - domain: dev.contoso.com\n")
    code, _, err = pin(capsys, graph, tmp_path)
    assert code == 0 and "set mxsplit:domains[0].tenant: (unset) -> contoso [graph]" in err
    assert "      tenant: contoso\n" in path.read_text()


def test_the_old_value_a_pin_replaces_is_shown_escaped(capsys, graph, tmp_path):
    """A stack file comes from a repository others write to: its old value cannot paint the terminal either."""
    write(tmp_path, GOOD + '      dual_stack_host: "\\e]0;pwned\\a\\e[2Jold"\n')
    code, _, err = pin(capsys, graph, tmp_path)
    assert code == 0 and "\x1b" not in err and "\x07" not in err
    assert f"set mxsplit:domains[0].dual_stack_host: \\x1b]0;pwned\\x07\\x1b[2Jold -> dev-contoso-com.{MS} [graph]" in err
