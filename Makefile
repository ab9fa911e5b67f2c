# The two entry points: `make run` (the system on demo data) and `make test` (every test).
BUILD_DIR ?= build
FUZZ_DIR  ?= build-fuzz
ASAN_DIR  ?= build-asan
TSAN_DIR  ?= build-tsan
JOBS      ?= $(shell nproc)
DEMO_DIR  ?= var/demo-data

.PHONY: deps deps-test deps-bench build run test unit fuzz bench bench-scoring bench-peers soak clean

deps:
	scripts/install-deps.sh build

deps-test:
	scripts/install-deps.sh test

deps-bench:
	scripts/install-deps.sh bench

build: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

$(DEMO_DIR)/accounts.csv: | build
	$(BUILD_DIR)/tools/churnctl/churnctl generate --out $(DEMO_DIR) --accounts 500 --seed 7

run: build $(DEMO_DIR)/accounts.csv
	scripts/run-demo.sh $(BUILD_DIR) $(DEMO_DIR)

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

fuzz: deps-test
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCHURN_FUZZ_ONLY=ON -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
	cmake --build $(FUZZ_DIR) -j $(JOBS)
	cd $(FUZZ_DIR) && ctest --output-on-failure

# Everything CI runs: the suite, the fuzzers, then the sanitizer trees (the slowest: built last).
test: deps-test build fuzz
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) test-sanitize

bench: build
	scripts/bench.sh $(BUILD_DIR)

# The scoring RPC alone (also the last part of `make bench`): customers/s full vs compact, unary p99.
bench-scoring: build
	$(BUILD_DIR)/bench/scoring_load/scoring_load_bench

# churnctl score against pandas and DuckDB SQL doing the same computation (bench/peers): a generated
# data set of about 10 million usage rows, alternating rounds, medians and ratios.
bench-peers: build deps-bench
	python3 bench/peers/run_peers.py --build $(BUILD_DIR) --repeats $(or $(PEER_REPEATS),3)

# Ten minutes of mixed traffic against the four services: exits 1 on growth (bench/soak).
soak: build
	$(BUILD_DIR)/bench/soak/soak_bench --out=$(BUILD_DIR)/soak-report.json

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR) $(ASAN_DIR) $(TSAN_DIR)

# The container bring-up with a real Docker engine (the sandbox engine when none is reachable):
# build, up on demo data, API and dashboard, a crash and its recovery, down. Minutes; not in test.
.PHONY: verify-deploy
verify-deploy:
	scripts/verify-deploy.sh

# Sanitizer suites, each in its own build tree (CHURN_SANITIZE): ASan+UBSan over the unit and
# integration tests, TSan over the tests labelled `concurrency` (tests/CMakeLists.txt). A report
# from any process of a test, the service binaries it starts included, fails that test.
.PHONY: test-sanitize test-asan test-tsan
test-sanitize: test-asan test-tsan

# Excluded: e2e (the browser test starts the services through Node, outside run_sanitized.sh,
# so a report would go unseen; gateway_system_test covers the same routes) and deploy (config
# file checks: no project binary runs).
test-asan: deps-test
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHURN_SANITIZE=address \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
	cmake --build $(ASAN_DIR) -j $(JOBS)
	cd $(ASAN_DIR) && ctest --output-on-failure -j $(JOBS) -LE '^(e2e|deploy)$$'

test-tsan: deps-test
	cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHURN_SANITIZE=thread \
	  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
	cmake --build $(TSAN_DIR) -j $(JOBS) --target churn_concurrency_tests
	cd $(TSAN_DIR) && ctest --output-on-failure -L '^concurrency$$'  # one at a time: TSan is slow, timing tests need the cores
