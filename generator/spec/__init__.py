"""The spec stage: load the files, bundle their `$ref`s into one document, validate what the webhooks reach."""
