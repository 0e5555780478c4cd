"""Runtime modules copied verbatim into every generated package, under the same names.

Named as in the package, so their relative imports (`from ._receive import ...`) work in both places.
`_signatures` and `_dedupe` use the standard library only; `_types` and `_receive` also Pydantic; `_fastapi`,
the adapter the generated `receivers.py` delegates to, also FastAPI.
"""
