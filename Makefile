# The two entry points: `make run` (the system on demo data) and `make test` (every test).
BUILD_DIR ?= build
FUZZ_DIR  ?= build-fuzz
JOBS      ?= $(shell nproc)
DEMO_DIR  ?= var/demo-data

.PHONY: deps deps-test build run test unit fuzz bench soak clean

deps:
	scripts/install-deps.sh build

deps-test:
	scripts/install-deps.sh test

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

test: deps-test build fuzz
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	scripts/bench.sh $(BUILD_DIR)

# Ten minutes of mixed traffic against the four services: exits 1 on growth (bench/soak).
soak: build
	$(BUILD_DIR)/bench/soak/soak_bench --out=$(BUILD_DIR)/soak-report.json

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR)

# The container bring-up with a real Docker engine (the sandbox engine when none is reachable):
# build, up on demo data, API and dashboard, a crash and its recovery, down. Minutes; not in test.
.PHONY: verify-deploy
verify-deploy:
	scripts/verify-deploy.sh
