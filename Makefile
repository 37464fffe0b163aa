# SkyCorpus: `make demo` runs the main job on Examples/, `make test` runs the test suite.
# Both first install the C libraries the package links (see Scripts/setup-deps.sh).

SWIFT ?= swift

.PHONY: all setup build demo test bench clean

all: build

setup:
	@bash Scripts/setup-deps.sh

build: setup
	$(SWIFT) build -c release --product skycorpus

demo: build
	@bash Scripts/demo.sh

test: setup
	python3 Scripts/check_layers.py
	$(SWIFT) build --build-tests
	$(SWIFT) test

bench: setup
	$(SWIFT) build -c release --product skybench
	$(SWIFT) build -c release --product skycorpus
	@echo "benchmark runners: ls Benchmarks/*.py (each prints SkyCorpus vs the reference)"

clean:
	rm -rf .build demo-out
