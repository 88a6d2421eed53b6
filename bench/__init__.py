"""`make bench`: load and fault harness for standwith on the production stack."""
