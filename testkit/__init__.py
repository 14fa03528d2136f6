"""Test data shared by the test suite and the benchmarks (factory_boy, a development tool)."""
