"""The intermediate representation: what a webhook contract means, as frozen dataclasses, and how it is built."""

from .nodes import HeaderParameter, RequestBody, Response, SignatureScheme, Spec, Webhook

__all__ = ["HeaderParameter", "RequestBody", "Response", "SignatureScheme", "Spec", "Webhook"]
