"""The AWS test double started by tests/aws/stub.py (see its docstring)."""
