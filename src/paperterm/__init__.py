"""paperterm: a keyboard-driven terminal reader for the Hugging Face Papers feed."""

__version__ = "0.1.0"
