"""`paperterm paths` and `paperterm config`: where things live, and whether config.toml holds."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from paperterm.config import DEFAULT_CONFIG, load_settings
from paperterm.keys import check_keymap
from paperterm.paths import Paths

EXIT_OK, EXIT_FAILURE = 0, 1


def add_parsers(commands: argparse._SubParsersAction[Any]) -> None:
    commands.add_parser("paths", help="print where config, state and cache live")
    config = commands.add_parser("config", help="check config.toml, or print a commented default")
    config.add_argument("--default", action="store_true", help="print the default config file")


def print_paths(paths: Paths) -> int:
    print(f"config  {paths.config_file}")
    print(f"state   {paths.state_file}")
    print(f"cache   {paths.cache_db}")
    return EXIT_OK


def check_config(paths: Paths, args: argparse.Namespace) -> int:
    if args.default:
        sys.stdout.write(DEFAULT_CONFIG)
        return EXIT_OK
    settings, problems = load_settings(paths.config_file)
    problems += check_keymap(dict(settings.keymap))[1]
    exists = paths.config_file.exists()
    print(f"{paths.config_file}{'' if exists else ' (not there: every setting has its default)'}")
    for problem in problems:
        print(f"  {problem}")
    if exists and not problems:
        print("  no problems")
    return EXIT_FAILURE if problems else EXIT_OK
