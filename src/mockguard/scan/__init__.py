"""The scanner: discovery, one pass over each module, classification, the pool."""
