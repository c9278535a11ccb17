"""paperterm: a keyboard-driven terminal reader for the Hugging Face Papers feed."""

import gc

__version__ = "0.1.0"


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
