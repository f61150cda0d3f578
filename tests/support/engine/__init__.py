"""A stand-in Pulumi engine for tests: drive the component package over its real protocol."""
