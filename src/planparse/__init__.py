"""planparse: Chinese government plan documents to a structured, grounded corpus."""

__version__ = "0.1.0"


def __getattr__(name):
    # Lazy, so that ``import planparse`` stays light: planparse.load("outputs/") -> record tables.
    if name == "load":
        from planparse.load import load

        return load
    if name in ("extract", "Result"):  # in-memory API: planparse.extract(path_or_text) -> Result
        from planparse import api

        return getattr(api, name)
    raise AttributeError(f"module 'planparse' has no attribute {name!r}")
