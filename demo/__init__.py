"""The one-machine system of `make run` and the demo data it seeds: apart from the product package."""
