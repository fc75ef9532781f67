# prometheus_emulator: build, test, demo, install.
#
#   make demo      run the demo workload and print what it exposes
#   make test      install test dependencies (make deps), then run every suite
#   make bench     benchmarks side by side with the peers (not part of make test)
#   make install   PREFIX=/usr/local: header, libraries, pkg-config and CMake files
#   make header    regenerate include/prometheus_emulator.h from the Rust source

PREFIX ?= /usr/local
CARGO ?= cargo
# Which cargo profile `make install` takes the libraries from (release, or debug for quick tests).
PROFILE ?= release
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
ABI_MAJOR := $(firstword $(subst ., ,$(VERSION)))
LIBDIR_BUILD := target/$(PROFILE)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages the tests use: promtool and a real Prometheus server, a real Pushgateway,
# prometheus-cpp for the benchmarks, valgrind for the plugin test, pkg-config and cmake for the
# install tests, curl for the demo's scrape.
APT_PACKAGES := prometheus prometheus-pushgateway prometheus-cpp-dev valgrind pkg-config cmake curl
# Python packages the tests use: prometheus_client's parsers check our output.
PIP_PACKAGES := prometheus_client pytest gunicorn

.PHONY: all build demo test deps deps-apt deps-pip deps-prometheus3 lint rust-test install-check bench-smoke go-test python-test deps-go bench install header clean

all: build

build:
	$(CARGO) build --release

# The demo is the C program in bindings/c/examples/demo.c, linked with the static library: it
# serves its registry with the HTTP exporter and scrapes it once with curl.
demo:
	$(CARGO) build --release --quiet
	$(CC) -std=c99 -O2 -Wall -Wextra -pedantic -Werror -Iinclude bindings/c/examples/demo.c \
	  target/release/libprometheus_emulator.a -lpthread -ldl -lm -o target/release/demo
	./target/release/demo

deps: deps-apt deps-pip deps-go deps-prometheus3

deps-apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	else echo "Debian packages present"; fi

deps-pip:
	@python3 -c "import prometheus_client, pytest, gunicorn" 2>/dev/null && echo "Python packages present" || \
	  python3 -m pip install -q $(PIP_PACKAGES)

# Go modules the Go binding's tests and benchmarks use (client_golang, expfmt), and those of the
# parsers the exposition tests read our output with (prometheus/prometheus's textparse), from the
# proxy.
deps-go:
	cd bindings/go && go mod download
	cd tests/parsers && go mod download

# Prometheus 3.16 for the native-histogram end-to-end test, built once from the Go module proxy
# (about 13 minutes on 2 cores) into a cache outside the repository, which later runs reuse.
PROMETHEUS3_VERSION := v0.316.0
PROMETHEUS3_DIR := $(HOME)/.cache/prometheus_emulator/prometheus-$(PROMETHEUS3_VERSION)
deps-prometheus3:
	@if [ -x "$(PROMETHEUS3_DIR)/prometheus" ]; then echo "Prometheus 3 present ($(PROMETHEUS3_DIR))"; else \
	  echo "building Prometheus $(PROMETHEUS3_VERSION) into $(PROMETHEUS3_DIR) (about 13 minutes)"; \
	  mkdir -p "$(PROMETHEUS3_DIR)" && \
	  GOBIN="$(PROMETHEUS3_DIR)" go install github.com/prometheus/prometheus/cmd/prometheus@$(PROMETHEUS3_VERSION); fi

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets --quiet -- -D warnings

rust-test:
	$(CARGO) test

# Installs into a temporary prefix and builds the examples with pkg-config and CMake.
install-check:
	PROFILE=debug tests/install/check.sh

# The Go binding links the release static library; -count=1 because Go's test cache does not
# notice a rebuilt library.
go-test:
	$(CARGO) build --release --quiet
	cd bindings/go && go vet ./... && go test -count=1 -race ./...

# The Python binding is tested as users get it: pip-installed (which builds the release library
# and bundles it into the package), then pytest against the installed package.
python-test:
	python3 -m pip install -q ./bindings/python
	python3 -m pytest -q bindings/python/tests

test: deps lint rust-test install-check bench-smoke go-test python-test

# Every peer and ours in one run, one table of medians and ratios (benches/README.md).
bench:
	benches/run.sh

# One iteration of every benchmark row, outputs checked, no timing: keeps the harnesses working.
# The Python and Go rows need prometheus_client and Go (make deps); the Python binding is taken
# from this tree (PYTHONPATH, and the library the smoke builds), so it needs no pip install. With
# CI set, a missing one fails instead of being reported as not run.
bench-smoke:
	benches/run.sh --smoke

header:
	PE_UPDATE_HEADER=1 $(CARGO) test --quiet --test header_fresh

install:
	$(CARGO) build $(if $(filter release,$(PROFILE)),--release,)
	install -d $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/lib/cmake/prometheus_emulator
	install -m 644 include/prometheus_emulator.h $(DESTDIR)$(PREFIX)/include/
	install -m 755 $(LIBDIR_BUILD)/libprometheus_emulator.so \
	  $(DESTDIR)$(PREFIX)/lib/libprometheus_emulator.so.$(VERSION)
	ln -sf libprometheus_emulator.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libprometheus_emulator.so.$(ABI_MAJOR)
	ln -sf libprometheus_emulator.so.$(ABI_MAJOR) $(DESTDIR)$(PREFIX)/lib/libprometheus_emulator.so
	install -m 644 $(LIBDIR_BUILD)/libprometheus_emulator.a $(DESTDIR)$(PREFIX)/lib/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' bindings/c/prometheus_emulator.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/prometheus_emulator.pc
	for f in prometheus_emulatorConfig prometheus_emulatorConfigVersion; do \
	  sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@ABI_MAJOR@|$(ABI_MAJOR)|g' bindings/c/cmake/$$f.cmake.in \
	    > $(DESTDIR)$(PREFIX)/lib/cmake/prometheus_emulator/$$f.cmake; \
	done

clean:
	$(CARGO) clean
