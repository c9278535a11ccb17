"""paperterm: a keyboard-driven terminal reader for the Hugging Face Papers feed."""

import gc
import importlib
import sys
from collections.abc import Callable, Mapping

__version__ = "0.1.0"


def exported_later(package: str, homes: Mapping[str, str]) -> Callable[[str], object]:
    """A package's ``__getattr__`` (PEP 562) for names that load on first use: each name of
    `homes` is imported from its submodule then, and kept in the package."""

    def __getattr__(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__


def pause_collection() -> None:
    """Start-up makes some 70,000 objects that live as long as the process (modules, classes,
    the first screen) and almost no cyclic garbage (about 600 objects): the cyclic collector's
    passes over them while they are made cost about 40 ms of the reader's first frame. The
    script pauses it until `resume_collection`."""
    gc.disable()


def resume_collection() -> None:
    """Collect cyclic garbage from now on, if start-up paused it; what start-up made is set
    aside for good (`gc.freeze`), so no later collection walks it again."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
