"""hookgen: typed, verified webhook code generated from an OpenAPI 3.1 `webhooks` section."""

__version__ = "0.1.0"
