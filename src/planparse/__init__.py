"""planparse: Chinese government plan documents to a structured, grounded corpus."""

__version__ = "0.1.0"


def callable_module(module_name: str, target: str) -> None:
    """Make module ``module_name`` callable as ``target`` ("package.module:function").

    ``planparse.load`` and ``planparse.extract`` are functions of the package and also the names of
    its submodules: importing a submodule rebinds the package attribute to the module, so the module
    calls through to the function.
    """
    import importlib
    import sys

    class CallableModule(type(sys)):
        def __call__(self, *args, **kwargs):
            mod, _, fn = target.partition(":")
            return getattr(importlib.import_module(mod), fn)(*args, **kwargs)

    sys.modules[module_name].__class__ = CallableModule


def __getattr__(name):
    # Lazy, so that ``import planparse`` stays light: planparse.load("outputs/") -> record tables.
    if name == "load":
        from planparse.load import load

        return load
    if name in ("extract", "Result"):  # in-memory API: planparse.extract(path_or_text) -> Result
        from planparse import api

        return getattr(api, name)
    raise AttributeError(f"module 'planparse' has no attribute {name!r}")
