"""planparse: Chinese government plan documents to a structured, grounded corpus."""

__version__ = "0.1.0"
