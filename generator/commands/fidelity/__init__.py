"""`hookgen fidelity`: payloads drawn and mutated, judged by the source schema and by the generated model."""
