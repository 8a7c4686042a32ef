"""The `kg` command. Each subcommand lives in its own module with `add_arguments` and `run`."""
from __future__ import annotations

import argparse
import importlib
import sys

from .errors import KgError

# name -> (module, one-line help). Modules are imported only when their command runs,
# so `kg parse` does not pay for Flask or pyshacl.
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
    module = importlib.import_module(COMMANDS[name][0])
    cmd = argparse.ArgumentParser(prog=f"kg {name}", description=COMMANDS[name][1])
    module.add_arguments(cmd)
    args = cmd.parse_args(argv[1:])
    try:
        code = int(module.run(args) or 0)
        sys.stdout.flush()
        return code
    except KgError as e:
        print(f"kg {name}: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`kg parse ... | head`): stop quietly, as other Unix tools do
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
