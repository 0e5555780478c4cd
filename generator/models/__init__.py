"""The models stage: schemas prepared and normalized, datamodel-code-generator run, contract checks attached."""
