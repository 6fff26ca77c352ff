# Switchboard build. GNU make + pkg-config; C17, warnings are errors.
#   make / make all   build ./switchboard
#   make run          install missing packages, build, migrate, seed demo on first start, serve
#   make test         install what tests need, unit + API tests, then again under ASan+UBSan
#   make asan         build the sanitizer binaries into build/asan
#   make bench        run the benchmarks under bench/
#   make clean

PKGS     := libmicrohttpd jansson sqlite3 libcurl libargon2 openssl yaml-0.1 icu-uc cairo pangocairo libqrencode
CC       ?= cc
CXX      ?= c++
BUILD    ?= build/release
MODE_CFLAGS ?= -O2 -g
CFLAGS_COMMON := -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wvla \
	-Wformat=2 -Wno-missing-field-initializers -Isrc -I$(BUILD)/gen
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libphonenumber ships no pkg-config file; phone.cc and phone_geo.cc are C++
# (the geocoder, libgeocoding, takes an ICU locale: icu-uc).
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lgeocoding -lphonenumber -lstdc++ -lpthread -lm
CFLAGS   += $(CFLAGS_COMMON) $(MODE_CFLAGS) $(PKG_CFLAGS)
CXXFLAGS += -std=c++17 -Wall -Wextra -Werror -Isrc $(MODE_CFLAGS) $(shell pkg-config --cflags icu-uc 2>/dev/null)
LDFLAGS  += $(MODE_LDFLAGS)

SRC_DIRS := src/core src/store src/providers src/domain src/render src/jobs src/http src/api src/cli
LIB_SRCS := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.c))
LIB_CXX  := $(foreach d,$(SRC_DIRS),$(wildcard $(d)/*.cc))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS)) $(patsubst src/%.cc,$(BUILD)/obj/%.cc.o,$(LIB_CXX)) \
	$(BUILD)/obj/gen/embedded.o
MIGRATIONS := $(sort $(wildcard src/store/migrations/*.sql))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

.PHONY: all run test test-unit test-api asan clean deps lint bench check-release check-asan
all: switchboard

switchboard: $(BUILD)/switchboard
	@if [ "$(BUILD)" = "build/release" ]; then ln -sf $(BUILD)/switchboard switchboard; fi

$(BUILD)/switchboard: $(BUILD)/obj/main.o $(LIB_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/libswitchboard.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/%.cc.o: src/%.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -MMD -MP -c -o $@ $<

# Files compiled into the binary: migrations and the OpenAPI contract.
$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 -O1 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/gen/embedded.c: $(BUILD)/tools/embed $(MIGRATIONS) openapi.yaml
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed openapi.yaml $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/embedded.o: $(BUILD)/gen/embedded.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libswitchboard.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< $(BUILD)/libswitchboard.a \
		$(PKG_LIBS) $(shell pkg-config --libs cmocka) $(LDFLAGS)

-include $(LIB_OBJS:.o=.d) $(BUILD)/obj/main.d

deps:
	@scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@./switchboard migrate
	@./switchboard seed --demo --if-empty
	./switchboard serve

lint:
	@scripts/lint

test-unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "## $$t"; $$t; done

test-api: $(BUILD)/switchboard
	@cd tests/api && SWITCHBOARD_BIN=$(abspath $(BUILD)/switchboard) node --test --test-concurrency=2 *.test.mjs

check-release:
	@$(MAKE) --no-print-directory test-unit test-api

check-asan:
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(MAKE) --no-print-directory BUILD=build/asan \
		MODE_CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		MODE_LDFLAGS="-fsanitize=address,undefined" test-unit test-api

test: lint
	@scripts/deps.sh test
	@cd tests/api && npm ci --no-audit --no-fund --loglevel=error
	@$(MAKE) --no-print-directory all
	@echo "### release build: unit + API tests"
	@$(MAKE) --no-print-directory check-release
	@echo "### ASan+UBSan build: unit + API tests"
	@$(MAKE) --no-print-directory check-asan

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan \
		MODE_CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		MODE_LDFLAGS="-fsanitize=address,undefined" build/asan/switchboard

bench: all
	@bench/run.sh

clean:
	rm -rf build switchboard
