# kexie build. `make run` and `make test` are the two commands a new user needs;
# both start by installing whatever the machine is missing (scripts/install-deps).

CC      ?= cc
PKGS    := libmicrohttpd jansson sqlite3 libpq libsodium icu-uc icu-i18n inih zlib libzip expat xlsxwriter libmagic gdlib libcurl cairo pangocairo pangoft2 fontconfig libqrencode md4c
WARN    := -Wall -Wextra -Wshadow -Wconversion -Werror
CSTD    := -std=c17 -D_GNU_SOURCE
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread
CFLAGS  ?= -O2 -g
ALL_CFLAGS = $(CSTD) $(WARN) $(CFLAGS) -Isrc -Ibuild/gen $(PKG_CFLAGS) -MMD -MP
ASAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

VERSION_BASE := 0.1.0
GIT_REV := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

SRC      := $(shell find src -name '*.c' | sort)
LIB_SRC  := $(filter-out src/main.c,$(SRC))
OBJ      := $(SRC:%.c=build/obj/%.o) build/obj/gen/migrations.o
LIB_OBJ  := $(LIB_SRC:%.c=build/obj/%.o) build/obj/gen/migrations.o
ASAN_OBJ := $(SRC:%.c=build/asan/%.o) build/asan/gen/migrations.o
ASAN_LIB := $(LIB_SRC:%.c=build/asan/%.o) build/asan/gen/migrations.o
MIGRATIONS := $(sort $(wildcard db/migrations/*.sql))
UNIT_SRC := $(sort $(wildcard test/unit/t-*.c))
UNIT_BIN := $(UNIT_SRC:test/unit/%.c=build/test/%)
UNIT_ASAN := $(UNIT_SRC:test/unit/%.c=build/asan/test/%)
WEB_SRC  := $(shell find web/src web/index.html web/vite.config.ts web/package.json web/tsconfig.json -type f 2>/dev/null)

.PHONY: all build deps run test bench asan unit web check clean fuzz print-pkgs
all: build

deps:
	@scripts/install-deps

build: deps check build/kexie web

build/kexie: $(OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

build/obj/%.o: %.c build/gen/version.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

build/obj/gen/migrations.o: build/gen/migrations.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

build/gen/migrations.c: $(MIGRATIONS) build/embed
	@mkdir -p build/gen
	build/embed $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

build/embed: tools/embed.c | deps
	@mkdir -p build
	$(CC) -std=c17 -O2 -Wall -Wextra -o $@ $<

# Regenerated when HEAD moves; written only when it changes so nothing rebuilds needlessly.
build/gen/version.h: FORCE | deps
	@mkdir -p build/gen
	@printf '#define KEXIE_VERSION "%s+%s"\n#define KEXIE_API_VERSION "%s"\n' \
		'$(VERSION_BASE)' '$(GIT_REV)' '$(VERSION_BASE)' > $@.tmp
	@cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@
FORCE:

# ---- sanitizer build (ASan + UBSan) ----
asan: build/asan/kexie $(UNIT_ASAN)
build/asan/kexie: $(ASAN_OBJ)
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(PKG_LIBS)
build/asan/%.o: %.c build/gen/version.h
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(ASAN_FLAGS) -Isrc -Ibuild/gen $(PKG_CFLAGS) -MMD -MP -c $< -o $@
build/asan/gen/migrations.o: build/gen/migrations.c
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(ASAN_FLAGS) -Isrc -Ibuild/gen $(PKG_CFLAGS) -c $< -o $@

# ---- unit tests (cmocka), one binary per test/unit/t-NAME.c ----
unit: $(UNIT_BIN)
build/test/t-%: test/unit/t-%.c $(LIB_OBJ)
	@mkdir -p build/test
	$(CC) $(ALL_CFLAGS) -Wno-conversion -o $@ $< $(LIB_OBJ) $(PKG_LIBS) -lcmocka
build/asan/test/t-%: test/unit/t-%.c $(ASAN_LIB)
	@mkdir -p build/asan/test
	$(CC) $(CSTD) $(WARN) -Wno-conversion $(ASAN_FLAGS) -Isrc -Ibuild/gen $(PKG_CFLAGS) -o $@ $< $(ASAN_LIB) $(PKG_LIBS) -lcmocka

# ---- static checks: layers, banned functions, format of the changed files ----
check:
	@scripts/check-layers
	@scripts/check-banned
	@scripts/check-format
	@scripts/gen-api-types --check

# ---- web app ----
web: web/dist/index.html
web/dist/index.html: $(WEB_SRC) web/package-lock.json | deps build/kexie
	scripts/gen-api-types
	cd web && npm run build --silent
	@touch $@

# ---- the two commands ----
run: build
	build/kexie migrate
	build/kexie seed --demo
	build/kexie serve

test: build asan unit
	scripts/run-tests

bench: build
	bench/http/run
	bench/tree/run

FUZZ_SECONDS ?= 300
fuzz: build
	test/fuzz/run $(FUZZ_SECONDS)

clean:
	rm -rf build web/dist

-include $(shell find build/obj build/asan -name '*.d' 2>/dev/null)

# the pkg-config names, for scripts that build outside make (test/fuzz/run)
print-pkgs:
	@echo $(PKGS)
