"""The `kg` command. Each subcommand lives in its own module with `add_arguments` and `run`."""
from __future__ import annotations

import argparse
import importlib
import sys

from .errors import KgError

# name -> (module, one-line help). Modules are imported only when their command runs,
# so `kg parse` does not pay for Flask or pyshacl. "module:name" runs `add_name_arguments` and
# `run_name` of a module that holds several commands.
COMMANDS = {
    "build": ("kg.build", "read data/, map to RDF, link, validate and write the release to dist/"),
    "validate": ("kg.validate", "validate graph or profile files against shapes/"),
    "parse": ("kg.parse.cli", "parse profile pages or records and print JSON"),
    "serve": ("kg.serve", "serve the release: SPARQL endpoint, pages, downloads"),
    "query": ("kg.query", "run SPARQL against the release or a remote endpoint"),
    "link": ("kg.gazetteer.cli", "print the gazetteer linking report"),
    "publish": ("kg.publish", "load the release into a remote SPARQL store"),
    "harvest": ("kg.harvest", "fetch profile pages politely into a folder"),
    "review": ("kg.review", "list the readings held below the confidence threshold; accept or reject them"),
    "tactics": ("kg.tactics", "list the 15 tactic names records may use (from ontology/tactics.ttl)"),
    "releases": ("kg.releases", "list the kept releases (the current one marked)"),
    "rollback": ("kg.releases:rollback", "point dist back to an earlier kept release (a running kg serve follows)"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="kg", description="Demand KG: build, check and serve the knowledge graph.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_, help_) in COMMANDS.items():
        sub.add_parser(name, help=help_, add_help=False)
    if not argv or argv[0] not in COMMANDS:
        if argv and argv[0] in ("-h", "--help"):
            parser.print_help()
            return 0
        parser.print_usage(sys.stderr)
        print(f"kg: choose a command: {', '.join(COMMANDS)}", file=sys.stderr)
        return 2
    name = argv[0]
    mod_name, _, part = COMMANDS[name][0].partition(":")
    module = importlib.import_module(mod_name)
    add = getattr(module, f"add_{part}_arguments" if part else "add_arguments")
    run = getattr(module, f"run_{part}" if part else "run")
    cmd = argparse.ArgumentParser(prog=f"kg {name}", description=COMMANDS[name][1])
    add(cmd)
    args = cmd.parse_args(argv[1:])
    try:
        code = int(run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the try
        return code
    except KgError as e:
        print(f"kg {name}: {e}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader of our output went away (`kg ... | head -1`): end quietly
        from .query import quiet_closed_stdout

        quiet_closed_stdout()
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
