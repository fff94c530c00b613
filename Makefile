# Two commands, as in the README: set up and practise, or set up with the test tools and test everything.
.PHONY: practice test setup

practice:
	./scripts/practice.sh

test:
	./scripts/test.sh

setup:
	./scripts/setup.sh
